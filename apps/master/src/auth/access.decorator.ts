import { ACCESS_METADATA, AccessRule, Role } from '@aigw/contracts';
import { SetMetadata, applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Principal } from './principal';

export { ACCESS_METADATA };
export type { AccessRule };

/**
 * Declares who may call a route. `admin` is always included. The same
 * declaration drives the guard and the OpenAPI document (`x-roles`); a route
 * without one is refused by the guard.
 */
export function Access(...roles: Role[]): MethodDecorator & ClassDecorator {
  const allowed = [...new Set([Role.Admin, ...roles])];
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, { public: false, roles: allowed } satisfies AccessRule),
    ApiBearerAuth(),
    ApiExtension('x-roles', allowed),
    ApiUnauthorizedResponse({ description: 'missing or invalid bearer token' }),
    ApiForbiddenResponse({ description: `allowed roles: ${allowed.join(', ')}` }),
  );
}

/** Declares a route open to anyone. Use sparingly. */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_METADATA, { public: true } satisfies AccessRule), ApiExtension('x-roles', ['public']));
}

/**
 * A route agents call with their own secret (an enrollment token, or an
 * agent credential) instead of an admin JWT: the AccessGuard lets it through
 * and the handler authenticates; documented as `x-roles: [agent]`.
 */
export function AgentCredential(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, { public: true } satisfies AccessRule),
    ApiBearerAuth(),
    ApiExtension('x-roles', ['agent']),
    ApiUnauthorizedResponse({ description: 'missing or unknown enrollment token / agent credential' }),
  );
}

/** The authenticated principal of the request. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().user,
);
