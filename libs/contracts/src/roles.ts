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

/** Metadata key of route access declarations (read by the master's guard and the RBAC test). */
export const ACCESS_METADATA = 'aigw:access';

/**
 * How a route is allowed: public, by admin JWT with roles, or by a gateway
 * API token (the data plane authenticates those itself, per request).
 */
export type AccessRule = { public: true } | { public: false; roles: Role[] } | { public: false; apiToken: true };
