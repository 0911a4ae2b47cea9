import { Page, Role } from '@aigw/contracts';
import { AuditLogEntity, DailyRollupEntity, UsageLogEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { And, FindOptionsWhere, LessThan, LessThanOrEqual, MoreThanOrEqual, Repository } from 'typeorm';
import { Principal } from '../auth/principal';
import { AuditListQueryDto, RollupListQueryDto, UsageListQueryDto } from '../dtos/usage.dto';
import { iso } from './mappers';
import { toPage } from './page.util';

/** Read side of usage, rollups and the audit log. Users see only their own usage. */
@Injectable()
export class UsageService {
  constructor(
    @InjectRepository(UsageLogEntity) private readonly usage: Repository<UsageLogEntity>,
    @InjectRepository(DailyRollupEntity) private readonly rollups: Repository<DailyRollupEntity>,
    @InjectRepository(AuditLogEntity) private readonly audit: Repository<AuditLogEntity>,
  ) {}

  async listUsage(principal: Principal, query: UsageListQueryDto): Promise<Page<Record<string, unknown>>> {
    const result = await this.usage.findAndCount({ where: this.usageWhere(principal, query), order: { createdAt: 'DESC' }, take: query.limit, skip: query.offset });
    return toPage(result, (row) => snakeCase({ ...row, createdAt: iso(row.createdAt) }), query.limit, query.offset);
  }

  /**
   * The usage log as CSV (same filters as the list, oldest first, at most
   * EXPORT_MAX_ROWS rows: narrow with from/to for more). Cells that a
   * spreadsheet would read as a formula are escaped.
   */
  async exportUsageCsv(principal: Principal, query: UsageListQueryDto): Promise<string> {
    const where = this.usageWhere(principal, query);
    const lines = [USAGE_CSV_COLUMNS.join(',')];
    for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += EXPORT_CHUNK) {
      const rows = await this.usage.find({ where, order: { createdAt: 'ASC', id: 'ASC' }, take: Math.min(EXPORT_CHUNK, EXPORT_MAX_ROWS - offset), skip: offset });
      for (const row of rows) {
        const record = snakeCase({ ...row, createdAt: iso(row.createdAt) });
        lines.push(USAGE_CSV_COLUMNS.map((column) => csvCell(record[column])).join(','));
      }
      if (rows.length < EXPORT_CHUNK) break;
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  private usageWhere(principal: Principal, query: UsageListQueryDto): FindOptionsWhere<UsageLogEntity> {
    const where: FindOptionsWhere<UsageLogEntity> = {};
    if (principal.role === Role.User) where.userId = principal.id;
    else if (query.user_id) where.userId = query.user_id;
    if (query.token_id) where.tokenId = query.token_id;
    if (query.channel_id) where.channelId = query.channel_id;
    if (query.model) where.model = query.model;
    if (query.client_request_id) where.clientRequestId = query.client_request_id;
    if (query.from && query.to) where.createdAt = And(MoreThanOrEqual(new Date(query.from)), LessThan(new Date(query.to)));
    else if (query.from) where.createdAt = MoreThanOrEqual(new Date(query.from));
    else if (query.to) where.createdAt = LessThan(new Date(query.to));
    return where;
  }

  async listRollups(principal: Principal, query: RollupListQueryDto): Promise<Page<Record<string, unknown>>> {
    const where: FindOptionsWhere<DailyRollupEntity> = {};
    if (principal.role === Role.User) where.userId = principal.id;
    else if (query.user_id) where.userId = query.user_id;
    if (query.token_id) where.tokenId = query.token_id;
    if (query.channel_id) where.channelId = query.channel_id;
    if (query.model) where.model = query.model;
    if (query.from && query.to) where.day = And(MoreThanOrEqual(query.from), LessThanOrEqual(query.to));
    else if (query.from) where.day = MoreThanOrEqual(query.from);
    else if (query.to) where.day = LessThanOrEqual(query.to);
    const result = await this.rollups.findAndCount({ where, order: { day: 'DESC', model: 'ASC' }, take: query.limit, skip: query.offset });
    return toPage(result, (row) => snakeCase({ ...row }), query.limit, query.offset);
  }

  async listAudit(query: AuditListQueryDto): Promise<Page<Record<string, unknown>>> {
    const where: FindOptionsWhere<AuditLogEntity> = {};
    if (query.entity) where.entity = query.entity;
    if (query.entity_id) where.entityId = query.entity_id;
    if (query.actor_id) where.actorId = query.actor_id;
    const result = await this.audit.findAndCount({ where, order: { id: 'DESC' }, take: query.limit, skip: query.offset });
    return toPage(result, (row) => snakeCase({ ...row, createdAt: iso(row.createdAt) }), query.limit, query.offset);
  }
}

function snakeCase(row: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), value]),
  );
}

const EXPORT_MAX_ROWS = 100_000;
const EXPORT_CHUNK = 5_000;

const USAGE_CSV_COLUMNS = [
  'created_at', 'request_id', 'client_request_id', 'user_id', 'token_id', 'group_id', 'channel_id', 'region', 'model', 'upstream_model', 'endpoint', 'status',
  'stream', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cache_write_tokens', 'reasoning_tokens', 'images', 'audio_ms', 'characters',
  'search_units', 'estimated', 'cost_micros',
  'channel_cost_micros', 'latency_ms', 'first_token_ms', 'error_class',
];

/**
 * One CSV cell (RFC 4180 quoting). A text cell starting with = + - @ or a
 * tab/carriage return gets a leading apostrophe, so a spreadsheet shows it
 * instead of evaluating it (CSV injection).
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
