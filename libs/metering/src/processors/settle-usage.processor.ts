import { UsageRecord } from '@aigw/contracts';
import { queryRows } from '@aigw/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { JobProcessor, PermanentJobError } from '../queue/job-queue';

const MAX_INT = 2_147_483_647;

/** Most records one settlement transaction takes (bounded job payloads). */
export const MAX_SETTLEMENT_BATCH = 1000;

/**
 * Writes usage records and charges them, exactly once per request id: the
 * usage row's unique request_id decides (INSERT … ON CONFLICT DO NOTHING),
 * inside the same transaction as the balance debits, the tokens' spend and
 * the ledger entries. A batch costs a handful of statements, not four per
 * record: records arrive as one JSON parameter (jsonb_to_recordset).
 */
export async function settleUsageRecords(manager: EntityManager, records: UsageRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  if (records.length > MAX_SETTLEMENT_BATCH) throw new PermanentJobError(`a settlement batch holds at most ${MAX_SETTLEMENT_BATCH} records`);
  // Spend is not policy: the change log's trigger skips this transaction's balance and used updates.
  await manager.query(`SELECT set_config('aigw.settlement', 'on', true)`);
  // Records come from agents: clamp what would not fit a column rather than fail the whole batch.
  const count = (value: number | null | undefined) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(Math.floor(value), MAX_INT) : 0;
  const rows = records.map((record) => ({
    request_id: record.request_id,
    client_request_id: typeof record.client_request_id === 'string' ? record.client_request_id.slice(0, 128) : null,
    token_id: record.token_id,
    user_id: record.user_id,
    group_id: record.group_id ?? null,
    channel_id: record.channel_id ?? null,
    agent_id: record.agent_id ?? null,
    region: record.region ?? null,
    model: record.model,
    upstream_model: record.upstream_model ?? null,
    endpoint: record.endpoint ?? 'chat',
    prompt_tokens: count(record.prompt_tokens),
    completion_tokens: count(record.completion_tokens),
    cached_tokens: count(record.cached_tokens),
    cache_write_tokens: count(record.cache_write_tokens),
    reasoning_tokens: count(record.reasoning_tokens),
    images: count(record.images),
    audio_ms: count(record.audio_ms),
    characters: count(record.characters),
    search_units: count(record.search_units),
    estimated: record.estimated ?? false,
    cost_micros: record.cost_micros,
    channel_cost_micros: record.channel_cost_micros ?? 0,
    latency_ms: count(record.latency_ms),
    first_token_ms: record.first_token_ms === null || record.first_token_ms === undefined ? null : count(record.first_token_ms),
    status: record.status,
    stream: record.stream ?? false,
    error_class: record.error_class ?? null,
    attempts: record.attempts ?? [],
    created_at: record.created_at,
  }));
  const inserted = queryRows<{ request_id: string; user_id: string | null; token_id: string | null; agent_id: string | null; cost_micros: string; model: string }>(
    await manager.query(
      `INSERT INTO usage_logs (request_id, client_request_id, token_id, user_id, group_id, channel_id, agent_id, region, model, upstream_model,
         endpoint, prompt_tokens, completion_tokens, cached_tokens, cache_write_tokens, reasoning_tokens, images, audio_ms, characters, search_units,
         estimated, cost_micros, channel_cost_micros, latency_ms, first_token_ms, status, stream, error_class, attempts, created_at)
       SELECT r.request_id, r.client_request_id, r.token_id, r.user_id, r.group_id, r.channel_id, r.agent_id, r.region, r.model, r.upstream_model,
         r.endpoint, r.prompt_tokens, r.completion_tokens, r.cached_tokens, r.cache_write_tokens, r.reasoning_tokens, r.images, r.audio_ms,
         r.characters, r.search_units, r.estimated, r.cost_micros, r.channel_cost_micros, r.latency_ms, r.first_token_ms, r.status, r.stream, r.error_class, r.attempts, r.created_at
       FROM jsonb_to_recordset($1::jsonb) AS r(
         request_id varchar, client_request_id varchar, token_id uuid, user_id uuid, group_id uuid, channel_id uuid, agent_id uuid, region varchar,
         model varchar, upstream_model varchar, endpoint varchar, prompt_tokens integer, completion_tokens integer,
         cached_tokens integer, cache_write_tokens integer, reasoning_tokens integer, images integer, audio_ms integer, characters integer,
         search_units integer, estimated boolean, cost_micros bigint,
         channel_cost_micros bigint, latency_ms integer, first_token_ms integer, status smallint, stream boolean,
         error_class varchar, attempts jsonb, created_at timestamptz)
       ON CONFLICT (request_id) DO NOTHING
       RETURNING request_id, user_id, token_id, agent_id, cost_micros, model`,
      [JSON.stringify(rows)],
    ),
  );
  const charged = inserted.filter((row) => row.user_id && Number(row.cost_micros) > 0);
  if (charged.length === 0) return inserted.length;

  // Debit each user once with the batch total, then write one ledger row per request with the
  // running balance (computed backwards from the balance after the debit).
  const byUser = new Map<string, typeof charged>();
  for (const row of charged) byUser.set(row.user_id!, [...(byUser.get(row.user_id!) ?? []), row]);
  const ledger: Array<Record<string, unknown>> = [];
  for (const [userId, userRows] of byUser) {
    const total = userRows.reduce((sum, row) => sum + Number(row.cost_micros), 0);
    const [user] = queryRows<{ balance_micros: string }>(
      await manager.query('UPDATE users SET balance_micros = balance_micros - $1 WHERE id = $2 RETURNING balance_micros', [total, userId]),
    );
    if (!user) continue;
    let balance = Number(user.balance_micros) + total;
    for (const row of userRows) {
      balance -= Number(row.cost_micros);
      ledger.push({
        user_id: userId,
        token_id: row.token_id,
        amount_micros: -Number(row.cost_micros),
        balance_after_micros: balance,
        request_id: row.request_id,
        note: row.model,
      });
    }
  }
  if (ledger.length > 0) {
    await manager.query(
      `INSERT INTO balance_ledger (user_id, token_id, amount_micros, balance_after_micros, kind, request_id, note)
       SELECT l.user_id, l.token_id, l.amount_micros, l.balance_after_micros, 'charge', l.request_id, l.note
       FROM jsonb_to_recordset($1::jsonb) AS l(user_id uuid, token_id uuid, amount_micros bigint, balance_after_micros bigint, request_id varchar, note varchar)`,
      [JSON.stringify(ledger)],
    );
  }
  const finishedAt = new Map(records.map((record) => [record.request_id, record.created_at]));
  const byToken = new Map<string, { spent: number; last: string }>();
  for (const row of charged) {
    if (!row.token_id) continue;
    const entry = byToken.get(row.token_id) ?? { spent: 0, last: finishedAt.get(row.request_id)! };
    entry.spent += Number(row.cost_micros);
    const at = finishedAt.get(row.request_id)!;
    if (Date.parse(at) > Date.parse(entry.last)) entry.last = at;
    byToken.set(row.token_id, entry);
  }
  if (byToken.size > 0) {
    // last_used_at is when the request happened, not when it settled (settlement may lag or replay).
    await manager.query(
      `UPDATE api_tokens AS t SET used_micros = t.used_micros + s.spent,
         last_used_at = GREATEST(COALESCE(t.last_used_at, s.last), s.last)
       FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, spent bigint, last timestamptz) WHERE t.id = s.id`,
      [JSON.stringify([...byToken].map(([id, entry]) => ({ id, spent: entry.spent, last: entry.last })))],
    );
  }
  await releaseLeases(manager, charged);
  return inserted.length;
}

/** A remote agent's settled spend comes out of what it was lent: its quota leases' outstanding shrinks by it. */
async function releaseLeases(manager: EntityManager, charged: Array<{ agent_id: string | null; token_id: string | null; user_id: string | null; cost_micros: string }>): Promise<void> {
  const spent = new Map<string, { agent_id: string; subject: string; cost: number }>();
  const add = (agentId: string, subject: string, cost: number) => {
    const key = `${agentId}|${subject}`;
    const entry = spent.get(key) ?? { agent_id: agentId, subject, cost: 0 };
    entry.cost += cost;
    spent.set(key, entry);
  };
  for (const row of charged) {
    if (!row.agent_id) continue;
    if (row.token_id) add(row.agent_id, `t:${row.token_id}`, Number(row.cost_micros));
    if (row.user_id) add(row.agent_id, `u:${row.user_id}`, Number(row.cost_micros));
  }
  if (spent.size === 0) return;
  await manager.query(
    `UPDATE quota_leases AS q SET outstanding_micros = GREATEST(0, q.outstanding_micros - s.cost)
     FROM jsonb_to_recordset($1::jsonb) AS s(agent_id uuid, subject varchar, cost bigint)
     WHERE q.agent_id = s.agent_id AND q.subject = s.subject`,
    [JSON.stringify([...spent.values()])],
  );
}

/** One usage record (what the admin API and remote agents send one at a time). */
export class SettleUsageProcessor implements JobProcessor<'settle-usage'> {
  readonly name = 'settle-usage' as const;

  constructor(private readonly dataSource: DataSource) {}

  async process(record: UsageRecord): Promise<void> {
    await this.dataSource.transaction((manager) => settleUsageRecords(manager, [record]));
  }
}

/** Many usage records in one transaction (the embedded agent's sink batches them). */
export class SettleUsageBatchProcessor implements JobProcessor<'settle-usage-batch'> {
  readonly name = 'settle-usage-batch' as const;

  constructor(private readonly dataSource: DataSource) {}

  async process({ records }: { records: UsageRecord[] }): Promise<void> {
    await this.dataSource.transaction((manager) => settleUsageRecords(manager, records));
  }
}
