import { UsageRecord } from '@aigw/contracts';
import { JobQueue } from '@aigw/metering';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RollupSchedulerService } from '../../apps/master/src/services/rollup-scheduler.service';
import { TestMaster, startTestMaster } from '../support/test-master';

function usage(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    request_id: randomUUID(),
    token_id: null,
    user_id: null,
    model: 'gpt-4.1-mini',
    prompt_tokens: 1000,
    completion_tokens: 200,
    cost_micros: 720,
    latency_ms: 120,
    status: 200,
    created_at: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

describe('job queue: settlement and rollups', () => {
  let master: TestMaster;
  let queue: JobQueue;
  let alice: { id: string };
  let tokenId: string;

  beforeAll(async () => {
    master = await startTestMaster({
      config: {
        bootstrap: {
          users: [{ username: 'alice', balance_usd: 10 }],
          tokens: [{ name: 'ci', user: 'alice', key: 'sk-aigw-queue-test-0123456789abcdef', quota_usd: 1 }],
        },
      },
    });
    queue = master.master.app.get(JobQueue);
    const token = master.adminToken;
    [alice] = (await master.request('GET', '/api/users', { token, query: { username: 'alice' } })).body.data;
    [{ id: tokenId }] = (await master.request('GET', '/api/tokens', { token, query: { user_id: alice.id } })).body.data;
  });
  afterAll(() => master?.close());

  it(`runs on ${process.env.AIGW_TEST_DB === 'pglite' ? 'the in-process queue' : 'BullMQ on Redis'}`, async () => {
    expect((await queue.health()).kind).toBe(process.env.AIGW_TEST_DB === 'pglite' ? 'in-process' : 'bullmq');
  });

  it('charges a usage record exactly once, however often it is delivered', async () => {
    const record = usage({ user_id: alice.id, token_id: tokenId, cost_micros: 1_234 });
    // Same job id (deduplicated while pending) and distinct job ids (re-delivery): one charge either way.
    const handles = await Promise.all([
      queue.enqueue('settle-usage', record, { jobId: record.request_id }),
      queue.enqueue('settle-usage', record, { jobId: record.request_id }),
      queue.enqueue('settle-usage', record),
      queue.enqueue('settle-usage', record),
    ]);
    await Promise.all(handles.map((handle) => handle.finished()));

    const { body: user } = await master.request('GET', `/api/users/${alice.id}`, { token: master.adminToken });
    expect(user.balance_micros).toBe(10_000_000 - 1_234);
    const { body: token } = await master.request('GET', `/api/tokens/${tokenId}`, { token: master.adminToken });
    expect(token.used_micros).toBe(1_234);
    const { body: rows } = await master.request('GET', '/api/usage', { token: master.adminToken, query: { token_id: tokenId } });
    expect(rows.total).toBe(1);
    expect(rows.data[0]).toMatchObject({ request_id: record.request_id, cost_micros: 1_234, prompt_tokens: 1000 });
    const ledger = await master.master.database.dataSource.query(
      `SELECT amount_micros, balance_after_micros FROM balance_ledger WHERE request_id = $1`,
      [record.request_id],
    );
    expect(ledger).toEqual([{ amount_micros: '-1234', balance_after_micros: String(10_000_000 - 1_234) }]);
  });

  it('settles batches exactly once per request, across overlapping and repeated batches', async () => {
    const { body: before } = await master.request('GET', `/api/users/${alice.id}`, { token: master.adminToken });
    const records = Array.from({ length: 5 }, (_, index) => usage({ user_id: alice.id, token_id: tokenId, cost_micros: 10 + index }));
    const batches = [records.slice(0, 3), records.slice(2), records, [records[4], records[4]]];
    for (const batch of batches) await (await queue.enqueue('settle-usage-batch', { records: batch })).finished();

    const { body: after } = await master.request('GET', `/api/users/${alice.id}`, { token: master.adminToken });
    const total = records.reduce((sum, record) => sum + record.cost_micros, 0);
    expect(after.balance_micros).toBe(before.balance_micros - total);
    const ledger = await master.master.database.dataSource.query(
      `SELECT request_id, amount_micros, balance_after_micros FROM balance_ledger WHERE request_id = ANY($1) ORDER BY id`,
      [records.map((record) => record.request_id)],
    );
    expect(ledger).toHaveLength(5);
    // Running balances: each row's balance_after is the previous minus its own charge.
    expect(Number(ledger.at(-1).balance_after_micros)).toBe(after.balance_micros);
    for (let index = 1; index < ledger.length; index += 1) {
      expect(Number(ledger[index].balance_after_micros)).toBe(Number(ledger[index - 1].balance_after_micros) + Number(ledger[index].amount_micros));
    }
  });

  it('rolls a day up per token, user, channel and model, idempotently', async () => {
    const day = '2026-11-21';
    const records = [
      usage({ user_id: alice.id, token_id: tokenId, cost_micros: 100, created_at: `${day}T00:00:00.000Z` }),
      usage({ user_id: alice.id, token_id: tokenId, cost_micros: 200, created_at: `${day}T23:59:59.999Z`, status: 502 }),
      usage({ user_id: alice.id, token_id: tokenId, cost_micros: 400, created_at: `${day}T12:00:00.000Z`, model: 'other-model' }),
      usage({ user_id: alice.id, token_id: tokenId, cost_micros: 800, created_at: '2026-11-22T00:00:00.000Z' }),
    ];
    for (const record of records) await (await queue.enqueue('settle-usage', record)).finished();
    for (let run = 0; run < 2; run += 1) await (await queue.enqueue('rollup-daily', { day })).finished();

    const { body } = await master.request('GET', '/api/usage/daily', {
      token: master.adminToken,
      query: { from: day, to: day, user_id: alice.id },
    });
    expect(body.total).toBe(2);
    const byModel = Object.fromEntries(body.data.map((row: { model: string }) => [row.model, row]));
    expect(byModel['gpt-4.1-mini']).toMatchObject({ day, requests: 2, errors: 1, cost_micros: 300, prompt_tokens: 2000, completion_tokens: 400 });
    expect(byModel['other-model']).toMatchObject({ day, requests: 1, errors: 0, cost_micros: 400 });
  });

  it('fails a malformed job at once instead of retrying it, into a visible dead letter an admin can retry', async () => {
    const handle = await queue.enqueue('rollup-daily', { day: 'yesterday' });
    await expect(handle.finished()).rejects.toThrow(/YYYY-MM-DD/);
    expect((await queue.health()).failed).toBeGreaterThanOrEqual(1);

    const tooBig = { records: Array.from({ length: 1001 }, () => usage({ user_id: alice.id, token_id: tokenId, cost_micros: 1 })) };
    const batch = await queue.enqueue('settle-usage-batch', tooBig, { jobId: 'dead-letter-batch' });
    await expect(batch.finished()).rejects.toThrow(/at most 1000 records/);
    const list = await master.request('GET', '/api/settlement/failed', { token: master.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.data).toContainEqual({
      id: 'dead-letter-batch', name: 'settle-usage-batch', reason: expect.stringMatching(/at most 1000 records/), attempts: 1, failed_at: expect.any(String), records: 1001,
    });
    expect(list.body.data).toContainEqual(expect.objectContaining({ id: handle.id, name: 'rollup-daily', records: 0 }));

    const retried = await master.request('POST', '/api/settlement/failed/dead-letter-batch/retry', { token: master.adminToken });
    expect(retried).toMatchObject({ status: 202, body: { id: 'dead-letter-batch', status: 'queued' } });
    // Still malformed: it fails again and is back among the dead letters, nothing charged.
    await expect.poll(async () => (await queue.state('dead-letter-batch')), { timeout: 5_000 }).toBe('failed');
    const missing = await master.request('POST', '/api/settlement/failed/no-such-job/retry', { token: master.adminToken });
    expect(missing.status).toBe(404);
    const audit = await master.request('GET', '/api/audit', { token: master.adminToken, query: { entity: 'settlement-job', entity_id: 'dead-letter-batch' } });
    expect(audit.body.data.map((row: { action: string }) => row.action)).toEqual(['retry']);
  }, 15_000);

  it('the ledger sums to every balance, to the micro-unit, after charges, re-deliveries and admin adjustments (who and why kept)', async () => {
    const record = usage({ user_id: alice.id, token_id: tokenId, cost_micros: 777 });
    await (await queue.enqueue('settle-usage', record, { jobId: `ledger-${record.request_id}` })).finished();
    // The job is gone (completed, removed, or another id altogether): a re-delivery is still a no-op.
    await (await queue.enqueue('settle-usage', record, { jobId: `ledger-replay-${record.request_id}` })).finished();
    const adjusted = await master.request('POST', `/api/users/${alice.id}/balance-adjustments`, {
      token: master.adminToken,
      body: { amount_usd: '-0.000123', note: 'goodwill reversal' },
    });
    expect(adjusted.status).toBe(201);
    const sums = await master.master.database.dataSource.query(
      `SELECT u.id, u.balance_micros::text AS balance, COALESCE(sum(l.amount_micros), 0)::text AS ledger
       FROM users u LEFT JOIN balance_ledger l ON l.user_id = u.id GROUP BY u.id, u.balance_micros`,
    );
    expect(sums.length).toBeGreaterThan(0);
    for (const row of sums) expect(row.ledger, `user ${row.id}`).toBe(row.balance);
    const charges = await master.master.database.dataSource.query(`SELECT count(*)::int AS n FROM balance_ledger WHERE request_id = $1`, [record.request_id]);
    expect(charges).toEqual([{ n: 1 }]);
    const [adjustment] = await master.master.database.dataSource.query(
      `SELECT kind, amount_micros::text AS amount, note, actor_id FROM balance_ledger WHERE user_id = $1 AND note = 'goodwill reversal'`,
      [alice.id],
    );
    expect(adjustment).toMatchObject({ kind: 'adjustment', amount: '-123', note: 'goodwill reversal', actor_id: expect.any(String) });
  });

  it('schedules today’s rollup, and yesterday’s during the first UTC hour', async () => {
    const scheduler = master.master.app.get(RollupSchedulerService);
    expect(await scheduler.schedule(new Date('2026-11-22T00:30:00Z'))).toEqual(['2026-11-22', '2026-11-21']);
    expect(await scheduler.schedule(new Date('2026-11-22T13:30:00Z'))).toEqual(['2026-11-22']);
  });
});
