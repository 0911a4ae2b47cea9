import { SecretCipher } from '@aigw/config';
import { PolicyChannel, PolicyGroup, PolicyKind, PolicyModel, PolicyRoute, PolicySnapshot, PolicyToken, PolicyUser } from '@aigw/contracts';
import { queryRows } from '@aigw/persistence';
import { DataSource, EntityManager } from 'typeorm';

/** The policy's rows with channel secrets in the clear: held by the master only, sealed per agent before they leave it. */
export type PolicyRows = Omit<PolicySnapshot, 'version' | 'builtAt'>;

export interface PolicyRead extends PolicyRows {
  /** Change-log version the rows reflect (at least). */
  version: number;
  /** Epoch ms just before the read transaction began. */
  builtAt: number;
}

export interface PolicyDeltaRead {
  from: number;
  to: number;
  builtAt: number;
  upserts: PolicyRows;
  deletes: Record<PolicyKind, string[]>;
}

/** Change-log entity name → policy row kind. */
const KIND_OF: Record<string, PolicyKind> = { token: 'tokens', user: 'users', group: 'groups', channel: 'channels', model: 'models', route: 'routes' };
const KINDS: PolicyKind[] = ['tokens', 'users', 'groups', 'channels', 'models', 'routes'];

const SELECT: Record<PolicyKind, string> = {
  tokens: 'SELECT id, key_hash, user_id, status, quota_micros, used_micros, models, ip_allowlist, expires_at, channels, debug, limits FROM api_tokens',
  users: 'SELECT id, status, group_id, balance_micros, role, limits FROM users',
  groups: 'SELECT id, ratio_ppm, models, channels, limits FROM groups',
  channels: 'SELECT id, name, type, base_url, key_ciphertext, headers_ciphertext, models, model_mapping, priority, weight, region, status, settings FROM channels',
  models:
    'SELECT id, name, input_price_micros, output_price_micros, cached_input_price_micros, cache_write_price_micros, image_price_micros, audio_second_price_micros, character_price_micros, search_unit_price_micros, created_at, routing FROM models',
  routes: 'SELECT id, model, channel_id, upstream_model, priority, weight, enabled FROM model_routes',
};

/**
 * Reads the policy from the database in one consistent view (REPEATABLE
 * READ): everything (a snapshot), or the rows the change log names after a
 * version (a delta). The change log's head is read in the same transaction,
 * so the rows reflect at least that version.
 */
export class PolicySnapshotBuilder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  async build(): Promise<PolicyRead> {
    const builtAt = Date.now();
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const version = await this.head(manager);
      const rows = {} as PolicyRows;
      for (const kind of KINDS) (rows as unknown as Record<PolicyKind, unknown[]>)[kind] = await this.read(manager, kind, null);
      return { version, builtAt, ...rows };
    });
  }

  /**
   * The rows changed after `from`, or null when the change log no longer
   * holds every change after `from` (pruned): the caller sends a snapshot.
   */
  async delta(from: number): Promise<PolicyDeltaRead | null> {
    const builtAt = Date.now();
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [bounds] = queryRows<{ head: string | null; oldest: string | null }>(
        await manager.query('SELECT max(version) AS head, min(version) AS oldest FROM policy_changes'),
      );
      const head = Number(bounds?.head ?? 0);
      const oldest = bounds?.oldest === null || bounds?.oldest === undefined ? head + 1 : Number(bounds.oldest);
      if (from > head) return null;
      if (from < oldest - 1) return null;
      const changed = queryRows<{ entity: string; entity_id: string }>(
        await manager.query('SELECT DISTINCT entity, entity_id FROM policy_changes WHERE version > $1 AND version <= $2', [from, head]),
      );
      const ids = new Map<PolicyKind, string[]>(KINDS.map((kind) => [kind, []]));
      for (const row of changed) ids.get(KIND_OF[row.entity])?.push(row.entity_id);
      const upserts = {} as PolicyRows;
      const deletes = {} as Record<PolicyKind, string[]>;
      for (const kind of KINDS) {
        const wanted = ids.get(kind)!;
        const rows = wanted.length === 0 ? [] : await this.read(manager, kind, wanted);
        (upserts as unknown as Record<PolicyKind, unknown[]>)[kind] = rows;
        const present = new Set(rows.map((row) => (row as { id: string }).id));
        deletes[kind] = wanted.filter((id) => !present.has(id));
      }
      return { from, to: head, builtAt, upserts, deletes };
    });
  }

  /** The change log's newest version (0 when empty). */
  async currentHead(): Promise<number> {
    return this.head(this.dataSource.manager);
  }

  private async head(manager: EntityManager): Promise<number> {
    const [row] = queryRows<{ head: string | null }>(await manager.query('SELECT max(version) AS head FROM policy_changes'));
    return Number(row?.head ?? 0);
  }

  private async read(manager: EntityManager, kind: PolicyKind, ids: string[] | null): Promise<unknown[]> {
    const sql = ids ? `${SELECT[kind]} WHERE id = ANY($1::uuid[])` : SELECT[kind];
    const rows = queryRows<Record<string, any>>(await manager.query(sql, ids ? [ids] : []));
    return rows.map((row) => this.map(kind, row));
  }

  private map(kind: PolicyKind, row: Record<string, any>): unknown {
    const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    switch (kind) {
      case 'tokens':
        return {
          id: row.id,
          keyHash: String(row.key_hash).trim(),
          userId: row.user_id,
          status: row.status,
          quotaMicros: number(row.quota_micros),
          usedMicros: Number(row.used_micros),
          models: row.models,
          ipAllowlist: row.ip_allowlist,
          expiresAt: row.expires_at ? new Date(row.expires_at).getTime() : null,
          channels: row.channels,
          debug: row.debug === true,
          limits: row.limits ?? {},
        } satisfies PolicyToken;
      case 'users':
        return {
          id: row.id,
          status: row.status,
          groupId: row.group_id,
          balanceMicros: Number(row.balance_micros),
          admin: row.role === 'admin',
          limits: row.limits ?? {},
        } satisfies PolicyUser;
      case 'groups':
        return { id: row.id, ratioPpm: Number(row.ratio_ppm), models: row.models, channels: row.channels, limits: row.limits ?? {} } satisfies PolicyGroup;
      case 'channels':
        return {
          id: row.id,
          name: row.name,
          type: row.type,
          baseUrl: row.base_url,
          key: row.key_ciphertext ? this.cipher.open(row.key_ciphertext, row.id) : null,
          headers: row.headers_ciphertext ? JSON.parse(this.cipher.open(row.headers_ciphertext, `${row.id}:headers`)) : {},
          models: row.models ?? [],
          modelMapping: row.model_mapping ?? {},
          priority: row.priority,
          weight: row.weight,
          region: row.region,
          status: row.status,
          settings: row.settings ?? {},
        } satisfies PolicyChannel;
      case 'models':
        return {
          id: row.id,
          name: row.name,
          inputPriceMicros: Number(row.input_price_micros),
          outputPriceMicros: Number(row.output_price_micros),
          cachedInputPriceMicros: number(row.cached_input_price_micros),
          cacheWritePriceMicros: number(row.cache_write_price_micros),
          imagePriceMicros: number(row.image_price_micros),
          audioSecondPriceMicros: number(row.audio_second_price_micros),
          characterPriceMicros: number(row.character_price_micros),
          searchUnitPriceMicros: number(row.search_unit_price_micros),
          createdAt: Math.floor(new Date(row.created_at).getTime() / 1000),
          routing: row.routing ?? {},
        } satisfies PolicyModel;
      case 'routes':
        return {
          id: row.id,
          model: row.model,
          channelId: row.channel_id,
          upstreamModel: row.upstream_model,
          priority: row.priority,
          weight: row.weight,
          enabled: row.enabled,
        } satisfies PolicyRoute;
    }
  }
}
