import { ApiErrorCode } from '@aigw/contracts';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { ApiException } from '../common/api.exception';
import { AgentPrincipal, AgentsService } from '../services/agents.service';

export type AgentRequest = FastifyRequest & { agent?: AgentPrincipal; enrollmentToken?: string };

/** The secret of an `Authorization: Bearer <secret>` header (HTTP routes and the sync upgrade alike). */
export function bearer(headers: { authorization?: string }): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  return match ? match[1] : null;
}

/** POST /api/agents/enroll: a live enrollment token, checked before the body is validated. */
@Injectable()
export class EnrollmentTokenGuard implements CanActivate {
  constructor(private readonly agents: AgentsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AgentRequest>();
    const token = bearer(request.headers);
    if (!token || !(await this.agents.enrollmentTokenUsable(token))) {
      throw new ApiException(ApiErrorCode.Unauthenticated, 'the enrollment token is unknown, expired, revoked or used up');
    }
    request.enrollmentToken = token;
    return true;
  }
}

/** Agent endpoints over HTTP: a known agent credential (revoked agents included; the handler decides). */
@Injectable()
export class AgentCredentialGuard implements CanActivate {
  constructor(private readonly agents: AgentsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AgentRequest>();
    const agent = await this.agents.authenticate(bearer(request.headers));
    if (!agent) throw new ApiException(ApiErrorCode.Unauthenticated, 'unknown agent credential');
    request.agent = agent;
    return true;
  }
}
