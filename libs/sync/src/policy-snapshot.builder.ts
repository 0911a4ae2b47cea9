import { SecretCipher } from '@aigw/config';
import { PolicySnapshot } from '@aigw/contracts';
import { queryRows } from '@aigw/persistence';
import { DataSource } from 'typeorm';

/**
 * Reads the whole policy from the database in one consistent snapshot
 * (REPEATABLE READ), decrypting channel secrets for an in-process agent.
 */
export class PolicySnapshotBuilder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  async build(version: number): Promise<PolicySnapshot> {
    const builtAt = Date.now();
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const query = async <T>(sql: string) => queryRows<T>(await manager.query(sql));
      const tokens = await query<Record<string, any>>(
        `SELECT id, key_hash, user_id, status, quota_micros, used_micros, models, ip_allowlist, expires_at, channels, debug, limits FROM api_tokens`,
      );
      const users = await query<Record<string, any>>(`SELECT id, status, group_id, balance_micros, role, limits FROM users`);
      const groups = await query<Record<string, any>>(`SELECT id, ratio_ppm, models, channels, limits FROM groups`);
      const channels = await query<Record<string, any>>(
        `SELECT id, name, type, base_url, key_ciphertext, headers_ciphertext, models, model_mapping, priority, weight, region, status, settings FROM channels`,
      );
      const models = await query<Record<string, any>>(
        `SELECT name, input_price_micros, output_price_micros, cached_input_price_micros, cache_write_price_micros, created_at, routing FROM models`,
      );
      const routes = await query<Record<string, any>>(`SELECT model, channel_id, upstream_model, priority, weight, enabled FROM model_routes`);
      const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
      return {
        version,
        builtAt,
        tokens: tokens.map((row) => ({
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
        })),
        users: users.map((row) => ({ id: row.id, status: row.status, groupId: row.group_id, balanceMicros: Number(row.balance_micros), admin: row.role === 'admin', limits: row.limits ?? {} })),
        groups: groups.map((row) => ({ id: row.id, ratioPpm: Number(row.ratio_ppm), models: row.models, channels: row.channels, limits: row.limits ?? {} })),
        channels: channels.map((row) => ({
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
        })),
        models: models.map((row) => ({
          name: row.name,
          inputPriceMicros: Number(row.input_price_micros),
          outputPriceMicros: Number(row.output_price_micros),
          cachedInputPriceMicros: number(row.cached_input_price_micros),
          cacheWritePriceMicros: number(row.cache_write_price_micros),
          createdAt: Math.floor(new Date(row.created_at).getTime() / 1000),
          routing: row.routing ?? {},
        })),
        routes: routes.map((row) => ({
          model: row.model,
          channelId: row.channel_id,
          upstreamModel: row.upstream_model,
          priority: row.priority,
          weight: row.weight,
          enabled: row.enabled,
        })),
      };
    });
  }
}
