import { Role } from '@aigw/contracts';

/** The authenticated caller of an admin route. */
export interface Principal {
  id: string;
  username: string;
  role: Role;
}

export interface JwtClaims {
  sub: string;
  username: string;
  role: Role;
}
