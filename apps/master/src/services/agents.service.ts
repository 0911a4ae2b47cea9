import { AppConfig, SecretCipher, hashApiKey, maskSecret } from '@aigw/config';
import { ApiErrorCode, EnrollmentResult, Page } from '@aigw/contracts';
import { AgentEntity, EnrollmentTokenEntity, queryRows } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, FindOptionsWhere, IsNull, Repository } from 'typeorm';
import { Principal } from '../auth/principal';
import { ApiException } from '../common/api.exception';
import { ListQueryDto } from '../common/list-query.dto';
import { AgentEnrollDto, AgentListQueryDto, AgentResponseDto, EnrollmentTokenCreateDto, EnrollmentTokenResponseDto } from '../dtos/agent.dto';
import { SyncHub } from '../sync/sync-hub.service';
import { AuditService } from './audit.service';
import { toAgentResponse, toEnrollmentTokenResponse } from './mappers';
import { toPage } from './page.util';

export const ENROLLMENT_TOKEN_PREFIX = 'aigw-enroll-';
export const AGENT_CREDENTIAL_PREFIX = 'aigw-agent-';

/** An authenticated agent, as the sync hub needs it. */
export interface AgentPrincipal {
  id: string;
  name: string;
  region: string;
  status: 'active' | 'revoked';
  revokedAt: Date | null;
  /** Base64 of the 32-byte key its channel secrets are sealed with. */
  syncKey: string;
}

/** Agent registry and enrollment tokens (enrollment itself is the sync hub's). */
@Injectable()
export class AgentsService {
  constructor(
    @InjectRepository(AgentEntity) private readonly agents: Repository<AgentEntity>,
    @InjectRepository(EnrollmentTokenEntity) private readonly enrollmentTokens: Repository<EnrollmentTokenEntity>,
    private readonly audit: AuditService,
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    private readonly hub: SyncHub,
    private readonly config: AppConfig,
  ) {}

  /**
   * Trades an enrollment token for an agent credential (answered once; only
   * its hash is kept). The token's use is counted in the same transaction as
   * the agent row, under the token row's lock: a single-use token enrolls
   * exactly one of any number of concurrent callers.
   */
  async enroll(enrollmentToken: string, dto: AgentEnrollDto): Promise<EnrollmentResult> {
    const refused = () => new ApiException(ApiErrorCode.Unauthenticated, 'the enrollment token is unknown, expired, revoked or used up');
    const credential = `${AGENT_CREDENTIAL_PREFIX}${randomBytes(32).toString('base64url')}`;
    const syncKey = randomBytes(32).toString('base64');
    const id = randomUUID();
    const result = await this.dataSource.transaction(async (manager) => {
      const [token] = queryRows<{ id: string; region: string | null }>(
        await manager.query(
          `UPDATE enrollment_tokens SET uses = uses + 1
           WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND (max_uses IS NULL OR uses < max_uses)
           RETURNING id, region`,
          [hashApiKey(enrollmentToken)],
        ),
      );
      if (!token) throw refused();
      if (token.region && dto.region && dto.region !== token.region) {
        throw ApiException.invalid('region', `this enrollment token enrolls agents of region "${token.region}" only`);
      }
      const region = token.region ?? dto.region ?? 'default';
      const taken = await manager.getRepository(AgentEntity).existsBy({ name: dto.name });
      if (taken) throw ApiException.conflict(`an agent named "${dto.name}" is enrolled already; revoke and delete it, or pick another name`);
      await manager.getRepository(AgentEntity).insert({
        id,
        name: dto.name,
        region,
        credentialHash: hashApiKey(credential),
        syncKeyCiphertext: this.cipher.seal(syncKey, `agent:${id}`),
        status: 'active',
        version: dto.build ?? null,
        enrollmentTokenId: token.id,
      });
      await this.audit.record({ id: null, username: 'system' }, 'enroll', 'agent', id, { name: dto.name, region, enrollment_token_id: token.id }, manager);
      return { region };
    });
    return { agent_id: id, name: dto.name, region: result.region, credential, sync_key: syncKey };
  }

  /** Whether an enrollment token could enroll an agent now (the enrollment itself re-checks under a lock). */
  async enrollmentTokenUsable(token: string): Promise<boolean> {
    if (!token.startsWith(ENROLLMENT_TOKEN_PREFIX)) return false;
    const rows = queryRows(await this.dataSource.query(
      `SELECT 1 FROM enrollment_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND (max_uses IS NULL OR uses < max_uses)`,
      [hashApiKey(token)],
    ));
    return rows.length > 0;
  }

  /** The agent a credential belongs to (revoked ones included), or null. */
  async authenticate(credential: string | null): Promise<AgentPrincipal | null> {
    if (!credential?.startsWith(AGENT_CREDENTIAL_PREFIX)) return null;
    const agent = await this.agents
      .createQueryBuilder('agent')
      .addSelect('agent.syncKeyCiphertext')
      .where('agent.credentialHash = :hash', { hash: hashApiKey(credential) })
      .getOne();
    if (!agent || !agent.syncKeyCiphertext) return null;
    return {
      id: agent.id,
      name: agent.name,
      region: agent.region,
      status: agent.status,
      revokedAt: agent.revokedAt,
      syncKey: this.cipher.open(agent.syncKeyCiphertext, `agent:${agent.id}`),
    };
  }

  async list(query: AgentListQueryDto): Promise<Page<AgentResponseDto>> {
    const where: FindOptionsWhere<AgentEntity> = {};
    if (query.region) where.region = query.region;
    const result = await this.agents.findAndCount({ where, order: { name: 'ASC' }, take: query.limit, skip: query.offset });
    const sync = this.syncState();
    return toPage(result, (agent) => toAgentResponse(agent, sync), query.limit, query.offset);
  }

  async get(id: string): Promise<AgentResponseDto> {
    const agent = await this.agents.findOneBy({ id });
    if (!agent) throw ApiException.notFound('agent');
    return toAgentResponse(agent, this.syncState());
  }

  private syncState(): { head: number; heartbeatMs: number } {
    return { head: this.hub.version, heartbeatMs: this.config.syncHeartbeatMs };
  }

  async revoke(actor: Principal, id: string): Promise<void> {
    const agent = await this.agents.findOneBy({ id });
    if (!agent) throw ApiException.notFound('agent');
    if (agent.status !== 'revoked') await this.agents.update({ id }, { status: 'revoked', revokedAt: new Date() });
    await this.audit.record(actor, 'revoke', 'agent', id, { name: agent.name });
    // Its connection closes now, on this master and (NOTIFY) on every other.
    await this.hub.announceRevocation(id);
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
