import { ApiErrorCode } from '@aigw/contracts';
import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiException } from '../common/api.exception';
import { ACCESS_METADATA, AccessRule } from './access.decorator';
import { Principal } from './principal';

/**
 * Global guard: closed by default. A route must declare @Access(...) or
 * @Public(); otherwise it answers 403 and the omission is logged.
 */
@Injectable()
export class AccessGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} has no access declaration`);
      throw new ApiException(ApiErrorCode.Forbidden, 'this route has no access declaration');
    }
    if (rule.public) return true;
    // Data-plane routes authenticate gateway API tokens themselves, in the client protocol's error shape.
    if ('apiToken' in rule) return true;
    await super.canActivate(context);
    const principal: Principal = context.switchToHttp().getRequest().user;
    if (!rule.roles.includes(principal.role)) throw ApiException.forbidden();
    return true;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error || !user) throw new ApiException(ApiErrorCode.Unauthenticated, 'missing, invalid or expired bearer token');
    return user;
  }
}
