import { generateApiKey, hashApiKey, maskSecret, plainSettings } from '@aigw/config';
import { ApiErrorCode, ApiFieldError, Page, Role, usdToMicros } from '@aigw/contracts';
import { ApiTokenEntity, UserEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { Principal } from '../auth/principal';
import { ApiException } from '../common/api.exception';
import { TokenCreateDto, TokenCreatedResponseDto, TokenListQueryDto, TokenResponseDto, TokenUpdateDto } from '../dtos/token.dto';
import { AuditService } from './audit.service';
import { toTokenResponse } from './mappers';
import { contains, toPage } from './page.util';

/** Fields only an admin may set: a user never grants themselves budget or another owner. */
const ADMIN_ONLY_FIELDS = ['user_id', 'quota_usd', 'channels', 'debug', 'limits'] as const;

export function parseExpiry(value: string): Date {
  // A bare date (YAML `2027-01-01`) means 00:00 UTC of that day.
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

@Injectable()
export class TokensService {
  constructor(
    @InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, query: TokenListQueryDto): Promise<Page<TokenResponseDto>> {
    const where: FindOptionsWhere<ApiTokenEntity> = {};
    if (principal.role === Role.User) where.userId = principal.id;
    else if (query.user_id) where.userId = query.user_id;
    if (query.name) where.name = contains(query.name);
    if (query.status) where.status = query.status as ApiTokenEntity['status'];
    const result = await this.tokens.findAndCount({ where, order: { createdAt: 'DESC' }, take: query.limit, skip: query.offset });
    return toPage(result, toTokenResponse, query.limit, query.offset);
  }

  async get(principal: Principal, id: string): Promise<TokenResponseDto> {
    return toTokenResponse(await this.findVisible(principal, id));
  }

  async create(principal: Principal, dto: TokenCreateDto): Promise<TokenCreatedResponseDto> {
    this.refuseAdminOnlyFields(principal, dto);
    const userId = dto.user_id ?? principal.id;
    if (!(await this.users.existsBy({ id: userId }))) throw ApiException.invalid('user_id', 'no such user');
    if (await this.tokens.existsBy({ userId, name: dto.name })) throw ApiException.conflict(`token ${dto.name} already exists for this user`);
    const key = generateApiKey();
    const token = await this.tokens.save(
      this.tokens.create({
        name: dto.name,
        keyHash: hashApiKey(key),
        keyHint: maskSecret(key),
        userId,
        status: 'active',
        quotaMicros: dto.quota_usd !== undefined ? usdToMicros(dto.quota_usd) : null,
        models: dto.models ?? null,
        ipAllowlist: dto.ip_allowlist ?? null,
        channels: dto.channels ?? null,
        debug: dto.debug ?? false,
        limits: plainSettings(dto.limits),
        expiresAt: dto.expires_at ? parseExpiry(dto.expires_at) : null,
      }),
    );
    await this.audit.record(principal, 'create', 'token', token.id, { ...dto, user_id: userId });
    return { ...toTokenResponse(token), key };
  }

  async update(principal: Principal, id: string, dto: TokenUpdateDto): Promise<TokenResponseDto> {
    this.refuseAdminOnlyFields(principal, dto);
    const token = await this.findVisible(principal, id);
    if (dto.name !== undefined && dto.name !== token.name && (await this.tokens.existsBy({ userId: token.userId, name: dto.name }))) {
      throw ApiException.conflict(`token ${dto.name} already exists for this user`);
    }
    if (dto.name !== undefined) token.name = dto.name;
    if (dto.status !== undefined) token.status = dto.status;
    if (dto.quota_usd !== undefined) token.quotaMicros = dto.quota_usd === null ? null : usdToMicros(dto.quota_usd);
    if (dto.models !== undefined) token.models = dto.models;
    if (dto.ip_allowlist !== undefined) token.ipAllowlist = dto.ip_allowlist;
    if (dto.channels !== undefined) token.channels = dto.channels;
    if (dto.debug !== undefined) token.debug = dto.debug;
    if (dto.limits !== undefined) token.limits = plainSettings(dto.limits);
    if (dto.expires_at !== undefined) token.expiresAt = dto.expires_at === null ? null : parseExpiry(dto.expires_at);
    const saved = await this.tokens.save(token);
    await this.audit.record(principal, 'update', 'token', id, { ...dto });
    return toTokenResponse(saved);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const token = await this.findVisible(principal, id);
    await this.tokens.remove(token);
    await this.audit.record(principal, 'delete', 'token', id, { name: token.name });
  }

  /** Another user's token is answered like a missing one: 404, nothing revealed. */
  private async findVisible(principal: Principal, id: string): Promise<ApiTokenEntity> {
    const token = await this.tokens.findOneBy({ id });
    if (!token || (principal.role === Role.User && token.userId !== principal.id)) throw ApiException.notFound('token');
    return token;
  }

  private refuseAdminOnlyFields(principal: Principal, dto: object): void {
    if (principal.role === Role.Admin) return;
    const details: ApiFieldError[] = ADMIN_ONLY_FIELDS.filter(
      (field) => (dto as Record<string, unknown>)[field] !== undefined,
    ).map((field) => ({ field, messages: ['only an admin may set this field'] }));
    if (details.length > 0) throw new ApiException(ApiErrorCode.ValidationFailed, 'request validation failed', details);
  }
}
