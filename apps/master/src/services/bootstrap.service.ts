import {
  AppConfig,
  BootstrapChannel,
  BootstrapConfig,
  BootstrapGroup,
  BootstrapModel,
  BootstrapRoute,
  BootstrapToken,
  BootstrapUser,
  SecretCipher,
  hashApiKey,
  maskChannelKey,
  plainSettings,
} from '@aigw/config';
import { Role, providerPreset, usdToMicros } from '@aigw/contracts';
import { HostResolver, upstreamUrlRefusal } from '@aigw/providers';
import {
  ApiTokenEntity,
  BalanceLedgerEntity,
  ChannelEntity,
  GroupEntity,
  ModelEntity,
  ModelRouteEntity,
  UserEntity,
} from '@aigw/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from './audit.service';
import { ratioToPpm } from './groups.service';
import { priceToMicros } from './models.service';
import { openChannelHeaders, sealChannelHeaders, sealChannelKey } from './channel-secrets.util';
import { PasswordService } from './password.service';
import { parseExpiry } from './tokens.service';
import { ADMIN_USERNAME } from './users.service';

/** A bootstrap entry that cannot be applied; the message names it. */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
}

export interface BootstrapSummary {
  created: number;
  updated: number;
  deleted: number;
}

const ACTOR = { id: null, username: 'bootstrap' } as const;

/**
 * Applies `bootstrap:` from the config at every start, in one transaction:
 * upsert by name, delete only on `delete: true`, write only what differs (so
 * a second run changes nothing, audit log included). Balances are live state:
 * `balance_usd` applies when a user is created, not on later starts.
 */
@Injectable()
export class BootstrapService {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly resolver: HostResolver,
  ) {}

  async apply(bootstrap: BootstrapConfig = this.config.bootstrap): Promise<BootstrapSummary> {
    const summary: BootstrapSummary = { created: 0, updated: 0, deleted: 0 };
    for (const [index, entry] of (bootstrap.channels ?? []).entries()) {
      const refusal = entry.base_url && !entry.delete ? await upstreamUrlRefusal(entry.base_url, this.config.upstreamNetwork, this.resolver) : null;
      if (refusal) throw new BootstrapError(`bootstrap.channels[${index}].base_url: ${refusal} (docs/network-security.md)`);
    }
    await this.dataSource.transaction(async (manager) => {
      const run = new BootstrapRun(manager, summary, this.cipher, this.passwords, this.audit);
      for (const [index, entry] of (bootstrap.groups ?? []).entries()) await run.group(entry, `bootstrap.groups[${index}]`);
      for (const [index, entry] of (bootstrap.users ?? []).entries()) await run.user(entry, `bootstrap.users[${index}]`);
      for (const [index, entry] of (bootstrap.channels ?? []).entries()) await run.channel(entry, `bootstrap.channels[${index}]`);
      for (const [index, entry] of (bootstrap.models ?? []).entries()) await run.model(entry, `bootstrap.models[${index}]`);
      for (const [index, entry] of (bootstrap.routes ?? []).entries()) await run.route(entry, `bootstrap.routes[${index}]`);
      for (const [index, entry] of (bootstrap.tokens ?? []).entries()) await run.token(entry, `bootstrap.tokens[${index}]`);
    });
    if (summary.created + summary.updated + summary.deleted > 0) this.logger.log({ msg: 'bootstrap applied', ...summary });
    return summary;
  }
}

class BootstrapRun {
  constructor(
    private readonly manager: EntityManager,
    private readonly summary: BootstrapSummary,
    private readonly cipher: SecretCipher,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
  ) {}

  async group(entry: BootstrapGroup, path: string): Promise<void> {
    const existing = await this.manager.findOneBy(GroupEntity, { name: entry.name });
    if (entry.delete) return this.remove(existing, 'group');
    const desired: Partial<GroupEntity> = {};
    if (entry.ratio !== undefined || !existing) desired.ratioPpm = ratioToPpm(entry.ratio ?? 1);
    if (entry.description !== undefined) desired.description = entry.description;
    if (entry.limits !== undefined) desired.limits = plainSettings(entry.limits);
    await this.upsert(GroupEntity, 'group', existing, { name: entry.name, description: '', ...desired }, desired);
  }

  async user(entry: BootstrapUser, path: string): Promise<void> {
    const existing = await this.manager.findOne(UserEntity, {
      where: { username: entry.username },
      select: { id: true, username: true, role: true, status: true, groupId: true, passwordHash: true, balanceMicros: true, limits: true },
    });
    if (entry.delete) {
      if (entry.username === ADMIN_USERNAME) throw new BootstrapError(`${path}: the built-in admin cannot be deleted`);
      return this.remove(existing, 'user');
    }
    const desired: Partial<UserEntity> = {};
    if (entry.role !== undefined) desired.role = entry.role;
    if (entry.status !== undefined) desired.status = entry.status;
    if (entry.limits !== undefined) desired.limits = plainSettings(entry.limits);
    if (entry.group !== undefined) desired.groupId = await this.groupId(entry.group, `${path}.group`);
    if (entry.password !== undefined && !(existing && (await this.passwords.verify(existing.passwordHash, entry.password)))) {
      desired.passwordHash = await this.passwords.hash(entry.password);
    }
    if (existing) return this.update(UserEntity, 'user', existing, desired);
    const balance = entry.balance_usd !== undefined ? usdToMicros(entry.balance_usd) : 0;
    const created = await this.create(UserEntity, 'user', {
      username: entry.username,
      role: Role.User,
      status: 'active',
      groupId: null,
      passwordHash: null,
      ...desired,
      balanceMicros: balance,
    });
    if (balance !== 0) {
      await this.manager.insert(BalanceLedgerEntity, {
        userId: created.id,
        amountMicros: balance,
        balanceAfterMicros: balance,
        kind: 'initial',
        note: 'bootstrap',
      });
    }
  }

  async channel(entry: BootstrapChannel, path: string): Promise<void> {
    const existing = await this.manager.findOne(ChannelEntity, {
      where: { name: entry.name },
      select: {
        id: true, name: true, type: true, baseUrl: true, keyCiphertext: true, keyId: true, keyHint: true, models: true,
        modelMapping: true, headersCiphertext: true, headerNames: true, priority: true, weight: true, region: true, status: true, statusReason: true, settings: true,
      },
    });
    if (entry.delete) return this.remove(existing, 'channel');
    if (!existing && !entry.type) throw new BootstrapError(`${path}: type is required to create channel ${entry.name}`);
    // A new channel without base_url gets its provider type's default.
    const baseUrl = entry.base_url ?? (existing ? undefined : providerPreset(entry.type!)?.baseUrl);
    if (!existing && !baseUrl) {
      throw new BootstrapError(`${path}: base_url is required to create channel ${entry.name}: provider type ${entry.type} has no default base URL`);
    }
    const desired: Partial<ChannelEntity> = {};
    if (entry.type !== undefined) desired.type = entry.type;
    if (baseUrl) desired.baseUrl = baseUrl;
    if (entry.models !== undefined) desired.models = entry.models;
    if (entry.model_mapping !== undefined) desired.modelMapping = entry.model_mapping;
    if (entry.priority !== undefined) desired.priority = entry.priority;
    if (entry.weight !== undefined) desired.weight = entry.weight;
    if (entry.region !== undefined) desired.region = entry.region;
    if (entry.settings !== undefined) desired.settings = plainSettings(entry.settings);
    if (entry.status !== undefined && entry.status !== existing?.status) {
      desired.status = entry.status;
      desired.statusReason = null;
    }
    const channel = existing
      ? (await this.update(ChannelEntity, 'channel', existing, desired), existing)
      : await this.create(ChannelEntity, 'channel', {
          name: entry.name, models: [], modelMapping: {}, headerNames: [], priority: 0, weight: 1, region: null,
          status: 'enabled', ...desired,
        });
    const secrets: Partial<ChannelEntity> = {};
    if (entry.key !== undefined && !this.keyMatches(channel, entry.key)) Object.assign(secrets, sealChannelKey(this.cipher, channel.id, entry.key));
    if (entry.headers !== undefined && !this.headersMatch(channel, entry.headers)) {
      Object.assign(secrets, sealChannelHeaders(this.cipher, channel.id, entry.headers));
    }
    if (Object.keys(secrets).length > 0) {
      await this.manager.update(ChannelEntity, { id: channel.id }, secrets);
      if (existing) await this.changed('update', 'channel', channel.id, { secrets: Object.keys(secrets).filter((field) => field.endsWith('Ciphertext')) });
    }
  }

  async model(entry: BootstrapModel, path: string): Promise<void> {
    const existing = await this.manager.findOneBy(ModelEntity, { name: entry.name });
    if (entry.delete) return this.remove(existing, 'model');
    const desired: Partial<ModelEntity> = priceToMicros(entry.price ?? {});
    if (entry.description !== undefined) desired.description = entry.description;
    if (entry.routing !== undefined) desired.routing = plainSettings(entry.routing);
    await this.upsert(ModelEntity, 'model', existing, { name: entry.name, description: '', ...desired }, desired);
  }

  async route(entry: BootstrapRoute, path: string): Promise<void> {
    const channel = await this.manager.findOneBy(ChannelEntity, { name: entry.channel });
    if (!channel) {
      if (entry.delete) return;
      throw new BootstrapError(`${path}.channel: no channel named ${entry.channel}`);
    }
    const existing = await this.manager.findOneBy(ModelRouteEntity, { model: entry.model, channelId: channel.id });
    if (entry.delete) return this.remove(existing, 'route');
    const desired: Partial<ModelRouteEntity> = {};
    if (entry.upstream_model !== undefined) desired.upstreamModel = entry.upstream_model;
    if (entry.priority !== undefined) desired.priority = entry.priority;
    if (entry.weight !== undefined) desired.weight = entry.weight;
    await this.upsert(
      ModelRouteEntity,
      'route',
      existing,
      { model: entry.model, channelId: channel.id, upstreamModel: null, priority: 0, weight: 1, enabled: true, ...desired },
      desired,
    );
  }

  async token(entry: BootstrapToken, path: string): Promise<void> {
    const owner = await this.manager.findOneBy(UserEntity, { username: entry.user ?? ADMIN_USERNAME });
    if (!owner) throw new BootstrapError(`${path}.user: no user named ${entry.user ?? ADMIN_USERNAME}`);
    const existing = await this.manager.findOneBy(ApiTokenEntity, { userId: owner.id, name: entry.name });
    if (entry.delete) return this.remove(existing, 'token');
    if (!existing && !entry.key) throw new BootstrapError(`${path}.key: required to create token ${entry.name}`);
    const desired: Partial<ApiTokenEntity> = {
      // Absent quota_usd means unlimited; 0 means no budget.
      quotaMicros: entry.quota_usd !== undefined ? usdToMicros(entry.quota_usd) : null,
      models: entry.models ?? null,
      expiresAt: entry.expires_at ? parseExpiry(entry.expires_at) : null,
    };
    if (entry.status !== undefined) desired.status = entry.status;
    if (entry.limits !== undefined) desired.limits = plainSettings(entry.limits);
    if (entry.key !== undefined) {
      desired.keyHash = hashApiKey(entry.key);
      desired.keyHint = maskChannelKey(entry.key);
    }
    if (existing) return this.update(ApiTokenEntity, 'token', existing, desired);
    const clash = await this.manager.findOneBy(ApiTokenEntity, { keyHash: desired.keyHash! });
    if (clash) throw new BootstrapError(`${path}.key: the same key is already used by another token`);
    await this.create(ApiTokenEntity, 'token', { name: entry.name, userId: owner.id, status: 'active', ...desired });
  }

  private keyMatches(channel: ChannelEntity, key: string): boolean {
    if (!channel.keyCiphertext) return false;
    try {
      return this.cipher.open(channel.keyCiphertext, channel.id) === key;
    } catch {
      return false;
    }
  }

  private headersMatch(channel: ChannelEntity, headers: Record<string, string>): boolean {
    try {
      return isDeepStrictEqual(openChannelHeaders(this.cipher, channel), headers);
    } catch {
      return false;
    }
  }

  private async groupId(name: string, path: string): Promise<string> {
    const group = await this.manager.findOneBy(GroupEntity, { name });
    if (!group) throw new BootstrapError(`${path}: no group named ${name}`);
    return group.id;
  }

  private async upsert<E extends { id: string }>(
    target: new () => E,
    entity: string,
    existing: E | null,
    whole: Partial<E>,
    desired: Partial<E>,
  ): Promise<void> {
    if (existing) await this.update(target, entity, existing, desired);
    else await this.create(target, entity, whole);
  }

  private async create<E extends { id: string }>(target: new () => E, entity: string, values: Partial<E>): Promise<E> {
    const created = (await this.manager.save(this.manager.create(target, values as E))) as E;
    this.summary.created += 1;
    await this.audit.record(ACTOR, 'create', entity, created.id, describe(values), this.manager);
    return created;
  }

  private async update<E extends { id: string }>(target: new () => E, entity: string, existing: E, desired: Partial<E>): Promise<void> {
    const changes = Object.fromEntries(
      Object.entries(desired).filter(([field, value]) => !isDeepStrictEqual(normalise((existing as Record<string, unknown>)[field]), normalise(value))),
    ) as Partial<E>;
    if (Object.keys(changes).length === 0) return;
    await this.manager.update(target, { id: existing.id } as never, changes as never);
    Object.assign(existing, changes);
    await this.changed('update', entity, existing.id, describe(changes));
  }

  private async remove<E extends { id: string }>(existing: E | null, entity: string): Promise<void> {
    if (!existing) return;
    await this.manager.remove(existing);
    this.summary.deleted += 1;
    await this.audit.record(ACTOR, 'delete', entity, existing.id, {}, this.manager);
  }

  private async changed(action: string, entity: string, id: string, changes: Record<string, unknown>): Promise<void> {
    this.summary.updated += 1;
    await this.audit.record(ACTOR, action, entity, id, changes, this.manager);
  }
}

function normalise(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The changed field names with values, secret-bearing fields reduced to a marker. */
function describe(values: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([field, value]) =>
      /hash|ciphertext/i.test(field) ? [field, 'set'] : [field, normalise(value)],
    ),
  );
}
