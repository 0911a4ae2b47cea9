/** Roles of admin API principals. `admin` may do everything. */
export enum Role {
  Admin = 'admin',
  Operator = 'operator',
  Viewer = 'viewer',
  User = 'user',
}

export const ROLES: readonly Role[] = [Role.Admin, Role.Operator, Role.Viewer, Role.User];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
