import { UsageRecord } from '@aigw/contracts';
import { queryRows } from '@aigw/persistence';
import { DataSource } from 'typeorm';
import { JobProcessor } from '../queue/job-queue';

/**
 * Writes one usage record and charges it, exactly once per request id: the
 * usage row's unique request_id decides, inside the same transaction as the
 * balance debit, the token's spend and the ledger entry.
 */
export class SettleUsageProcessor implements JobProcessor<'settle-usage'> {
  readonly name = 'settle-usage' as const;

  constructor(private readonly dataSource: DataSource) {}

  async process(record: UsageRecord): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO usage_logs (request_id, token_id, user_id, group_id, channel_id, agent_id, region, model, upstream_model,
           endpoint, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, estimated,
           cost_micros, channel_cost_micros, latency_ms, first_token_ms, status, stream, error_class, attempts, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)
         ON CONFLICT (request_id) DO NOTHING
         RETURNING id`,
        [
          record.request_id,
          record.token_id,
          record.user_id,
          record.group_id ?? null,
          record.channel_id ?? null,
          record.agent_id ?? null,
          record.region ?? null,
          record.model,
          record.upstream_model ?? null,
          record.endpoint ?? 'chat',
          record.prompt_tokens,
          record.completion_tokens,
          record.cached_tokens ?? 0,
          record.cache_write_tokens ?? 0,
          record.reasoning_tokens ?? 0,
          record.estimated ?? false,
          record.cost_micros,
          record.channel_cost_micros ?? 0,
          record.latency_ms,
          record.first_token_ms ?? null,
          record.status,
          record.stream ?? false,
          record.error_class ?? null,
          JSON.stringify(record.attempts ?? []),
          record.created_at,
        ],
      );
      if (inserted.length === 0 || record.cost_micros === 0 || !record.user_id) return;

      const [user] = queryRows<{ balance_micros: string }>(
        await manager.query('UPDATE users SET balance_micros = balance_micros - $1 WHERE id = $2 RETURNING balance_micros', [
          record.cost_micros,
          record.user_id,
        ]),
      );
      if (!user) return;
      await manager.query(
        `INSERT INTO balance_ledger (user_id, token_id, amount_micros, balance_after_micros, kind, request_id, note)
         VALUES ($1, $2, $3, $4, 'charge', $5, $6)`,
        [record.user_id, record.token_id, -record.cost_micros, user.balance_micros, record.request_id, record.model],
      );
      if (record.token_id) {
        await manager.query('UPDATE api_tokens SET used_micros = used_micros + $1, last_used_at = $2 WHERE id = $3', [
          record.cost_micros,
          record.created_at,
          record.token_id,
        ]);
      }
    });
  }
}
