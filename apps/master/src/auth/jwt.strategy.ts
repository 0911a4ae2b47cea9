import { AppConfig } from '@aigw/config';
import { UserEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { InjectRepository } from '@nestjs/typeorm';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { Repository } from 'typeorm';
import { JwtClaims, Principal } from './principal';

export const JWT_ISSUER = 'aigw-master';
export const JWT_AUDIENCE = 'aigw-admin';

/**
 * Verifies the admin JWT, then reloads the user: a disabled or deleted user,
 * or a changed role, takes effect on the next request, not at token expiry.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: JwtClaims): Promise<Principal | false> {
    if (typeof claims.sub !== 'string' || !/^[0-9a-f-]{36}$/.test(claims.sub)) return false;
    const user = await this.users.findOneBy({ id: claims.sub });
    if (!user || user.status !== 'active') return false;
    return { id: user.id, username: user.username, role: user.role };
  }
}
