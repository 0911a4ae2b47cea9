import { hashApiKey, maskSecret } from '@aigw/config';
import { Page } from '@aigw/contracts';
import { AgentEntity, EnrollmentTokenEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { FindOptionsWhere, IsNull, Repository } from 'typeorm';
import { Principal } from '../auth/principal';
import { ApiException } from '../common/api.exception';
import { ListQueryDto } from '../common/list-query.dto';
import { AgentListQueryDto, AgentResponseDto, EnrollmentTokenCreateDto, EnrollmentTokenResponseDto } from '../dtos/agent.dto';
import { AuditService } from './audit.service';
import { toAgentResponse, toEnrollmentTokenResponse } from './mappers';
import { toPage } from './page.util';

export const ENROLLMENT_TOKEN_PREFIX = 'aigw-enroll-';

/** Agent registry and enrollment tokens (enrollment itself is the sync hub's). */
@Injectable()
export class AgentsService {
  constructor(
    @InjectRepository(AgentEntity) private readonly agents: Repository<AgentEntity>,
    @InjectRepository(EnrollmentTokenEntity) private readonly enrollmentTokens: Repository<EnrollmentTokenEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(query: AgentListQueryDto): Promise<Page<AgentResponseDto>> {
    const where: FindOptionsWhere<AgentEntity> = {};
    if (query.region) where.region = query.region;
    const result = await this.agents.findAndCount({ where, order: { name: 'ASC' }, take: query.limit, skip: query.offset });
    return toPage(result, toAgentResponse, query.limit, query.offset);
  }

  async get(id: string): Promise<AgentResponseDto> {
    const agent = await this.agents.findOneBy({ id });
    if (!agent) throw ApiException.notFound('agent');
    return toAgentResponse(agent);
  }

  async revoke(actor: Principal, id: string): Promise<void> {
    const agent = await this.agents.findOneBy({ id });
    if (!agent) throw ApiException.notFound('agent');
    await this.agents.update({ id }, { status: 'revoked' });
    await this.audit.record(actor, 'revoke', 'agent', id, { name: agent.name });
  }

  async listEnrollmentTokens(query: ListQueryDto): Promise<Page<EnrollmentTokenResponseDto>> {
    const result = await this.enrollmentTokens.findAndCount({ order: { createdAt: 'DESC' }, take: query.limit, skip: query.offset });
    return toPage(result, toEnrollmentTokenResponse, query.limit, query.offset);
  }

  async createEnrollmentToken(
    actor: Principal,
    dto: EnrollmentTokenCreateDto,
  ): Promise<EnrollmentTokenResponseDto & { token: string }> {
    const token = `${ENROLLMENT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const saved = await this.enrollmentTokens.save(
      this.enrollmentTokens.create({
        name: dto.name,
        tokenHash: hashApiKey(token),
        tokenHint: maskSecret(token),
        region: dto.region ?? null,
        // Omitted: single use. null: unlimited until expiry or revocation.
        maxUses: dto.max_uses === undefined ? 1 : dto.max_uses,
        expiresAt: new Date(Date.now() + (dto.expires_in_seconds ?? 86_400) * 1000),
        createdBy: actor.id,
      }),
    );
    await this.audit.record(actor, 'create', 'enrollment-token', saved.id, { ...dto });
    return { ...toEnrollmentTokenResponse(saved), token };
  }

  async revokeEnrollmentToken(actor: Principal, id: string): Promise<void> {
    const result = await this.enrollmentTokens.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw ApiException.notFound('enrollment token');
    await this.audit.record(actor, 'revoke', 'enrollment-token', id);
  }
}
