/**
 * The built master on Postgres + Redis runs settlement in a worker process
 * of its own. Killing that worker in the middle of a batch loses nothing and
 * charges nothing twice: its transaction rolls back, the master starts a new
 * worker, BullMQ hands the stalled job to it, and settlement is idempotent by
 * request id. The batch is held mid-transaction with a row lock on the
 * user's balance, so the kill is sure to land inside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeProvider, startFakeProvider } from '../fake-provider';
import { RunningProcess, freePort, startProcess } from '../support/child-process';
import { TEST_REDIS_URL } from '../support/environment';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const ROOT = resolve(__dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const MAIN = join(ROOT, 'dist/apps/master/src/main.js');
const KEY = 'sk-aigw-worker-kill-0123456789abcdefghij';
const BOUND_MS = 60_000;

/** Child pids of a process (Linux). */
function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${BOUND_MS} ms: ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe('settlement worker process', () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let master: RunningProcess;

  afterAll(async () => {
    await master?.terminate();
    await fake?.close();
    await database?.drop();
  });

  it('a worker killed mid-batch is replaced; every request is charged exactly once and the ledger sums to the balance', async () => {
    database = await createTestDatabase('postgres');
    fake = await startFakeProvider();
    const port = await freePort();
    const configPath = join(database.dataDir, 'config.yaml');
    writeFileSync(
      configPath,
      JSON.stringify({
        bootstrap: {
          users: [{ username: 'worker-user', balance_usd: 100 }],
          channels: [{ name: 'worker-openai', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai }],
          models: [{ name: 'worker-model', price: { input: 1, output: 2 } }],
          routes: [{ model: 'worker-model', channel: 'worker-openai', upstream_model: 'gpt-4o-mini' }],
          tokens: [{ name: 'worker', key: KEY, user: 'worker-user' }],
        },
      }),
    );
    master = startProcess(NODE, [MAIN], {
      cwd: database.dataDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(port),
        HOST: '127.0.0.1',
        AIGW_CONFIG: configPath,
        DATABASE_URL: database.url!,
        REDIS_URL: TEST_REDIS_URL,
        AIGW_REDIS_PREFIX: `aigw-worker-kill-${process.pid}-${randomUUID().slice(0, 8)}`,
        AIGW_ADMIN_PASSWORD: 'worker-test-admin',
        AIGW_DATA_DIR: join(database.dataDir, 'data'),
        AIGW_LOG_LEVEL: 'warn',
      },
    });
    expect(await master.waitForLine(/aigw master listening/)).toMatch(/settlement in a worker process/);
    await until('the worker process', async () => childrenOf(master.child.pid!).length === 1);
    const [worker] = childrenOf(master.child.pid!);

    const db = new pg.Client({ connectionString: database.url! });
    await db.connect();
    const [user] = (await db.query(`SELECT id, balance_micros::text AS balance FROM users WHERE username = 'worker-user'`)).rows;
    // Hold the batch: the worker's transaction will wait on this lock.
    const blocker = new pg.Client({ connectionString: database.url! });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);

    const requestIds: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const requestId = `worker-kill-${randomUUID()}`;
      const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ model: 'worker-model', max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      requestIds.push(requestId);
    }
    // The worker is inside the batch's transaction, waiting on the lock: kill it there.
    await until('a settlement transaction waiting on the lock', async () =>
      (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n > 0,
    );
    process.kill(worker, 'SIGKILL');
    await until('a new worker process', async () => childrenOf(master.child.pid!).some((pid) => pid !== worker));
    await blocker.query('COMMIT');
    await blocker.end();

    const count = async (sql: string) => (await db.query(sql, [requestIds])).rows[0].n as number;
    await until('every request settled', async () => (await count(`SELECT count(*)::int AS n FROM usage_logs WHERE client_request_id = ANY($1)`)) === requestIds.length);
    expect(await count(`SELECT count(*)::int AS n FROM balance_ledger WHERE request_id IN (SELECT request_id FROM usage_logs WHERE client_request_id = ANY($1))`)).toBe(requestIds.length);
    const [after] = (
      await db.query(
        `SELECT u.balance_micros::text AS balance, (SELECT sum(amount_micros)::text FROM balance_ledger WHERE user_id = u.id) AS ledger,
           (SELECT sum(cost_micros)::text FROM usage_logs WHERE user_id = u.id) AS spent FROM users u WHERE u.id = $1`,
        [user.id],
      )
    ).rows;
    expect(after.ledger).toBe(after.balance);
    expect(BigInt(user.balance) - BigInt(after.spent)).toBe(BigInt(after.balance));
    expect(master.stderr.some((line) => /settlement worker exited \(SIGKILL\); starting it again/.test(line))).toBe(true);
    await db.end();
    expect(await master.terminate()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
