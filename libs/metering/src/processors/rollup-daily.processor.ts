import { DataSource } from 'typeorm';
import { JobProcessor, PermanentJobError } from '../queue/job-queue';

/**
 * Recomputes one UTC day's rollups from the usage log in one transaction:
 * idempotent, so a repeated or concurrent job leaves the same rows. Latency
 * percentiles are continuous (interpolated), rounded half away from zero.
 */
export class RollupDailyProcessor implements JobProcessor<'rollup-daily'> {
  readonly name = 'rollup-daily' as const;

  constructor(private readonly dataSource: DataSource) {}

  async process({ day }: { day: string }): Promise<void> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new PermanentJobError(`rollup day must be YYYY-MM-DD, got ${day}`);
    await this.dataSource.transaction(async (manager) => {
      // Serialise concurrent rollups of the same day (several masters, retries).
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('rollup:' || $1))`, [day]);
      await manager.query('DELETE FROM daily_rollups WHERE day = $1', [day]);
      await manager.query(
        `INSERT INTO daily_rollups (day, token_id, user_id, channel_id, model, requests, errors, prompt_tokens,
           completion_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, cost_micros, channel_cost_micros,
           latency_p50_ms, latency_p95_ms, first_token_p50_ms)
         SELECT $1::date, token_id, user_id, channel_id, model, count(*), count(*) FILTER (WHERE status >= 400),
           sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens), sum(cache_write_tokens), sum(reasoning_tokens),
           sum(cost_micros), sum(channel_cost_micros),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms))::numeric),
           round((percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms))::numeric),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY first_token_ms))::numeric)
         FROM usage_logs
         WHERE created_at >= $1::date AT TIME ZONE 'UTC' AND created_at < ($1::date + 1) AT TIME ZONE 'UTC'
         GROUP BY token_id, user_id, channel_id, model`,
        [day],
      );
    });
  }
}
