/**
 * A Redis restart (without persistence, as CI runs it) during traffic loses
 * no usage and charges nothing twice. The master runs on a Redis of its own,
 * started here on a free port and killed mid-test. To be sure jobs are lost
 * with it, settlement is held up first (a row lock on the user's balance in
 * Postgres), so batches wait in Redis when it dies; the sink keeps every
 * batch until its job completed and delivers the lost ones again.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageSink } from '../../apps/agent/src/relay';
import { QueueUsageSink } from '../../apps/master/src/embedded-agent/queue-usage.sink';
import { FakeProvider, startFakeProvider } from '../fake-provider';
import { TestMaster, startTestMaster } from '../support/test-master';

const KEY = 'sk-aigw-redis-restart-0123456789abcdefghij';
const BOUND_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the port accepts connections (bounded). */
async function listening(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis on ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function startRedis(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
}

async function stopRedis(redis: ChildProcess): Promise<void> {
  if (redis.exitCode !== null || redis.signalCode !== null) return;
  const exited = new Promise((resolve) => redis.once('exit', resolve));
  redis.kill('SIGKILL');
  await exited;
}

describe('a Redis restart during traffic loses no usage', () => {
  let fake: FakeProvider;
  let master: TestMaster;
  let redis: ChildProcess;
  let port: number;

  beforeAll(async () => {
    fake = await startFakeProvider();
    port = await freePort();
    redis = startRedis(port);
    await listening(port);
    master = await startTestMaster({
      redis: false,
      config: {
        redis_url: `redis://127.0.0.1:${port}`,
        redis_prefix: `aigw-restart-${randomUUID().slice(0, 8)}`,
        bootstrap: {
          users: [{ username: 'restart-user', balance_usd: 100 }],
          channels: [{ name: 'restart-openai', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai }],
          models: [{ name: 'restart-model', price: { input: 1, output: 2 } }],
          routes: [{ model: 'restart-model', channel: 'restart-openai', upstream_model: 'gpt-4o-mini' }],
          tokens: [{ name: 'restart', key: KEY, user: 'restart-user' }],
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await master?.close();
    if (redis) await stopRedis(redis);
    await fake?.close();
  });

  it('batches queued in Redis when it dies are delivered again; every request is charged exactly once', async () => {
    const sink = master.master.app.get(UsageSink) as QueueUsageSink;
    const db = master.master.database.dataSource;
    const [user] = await db.query(`SELECT id, balance_micros::text AS balance FROM users WHERE username = 'restart-user'`);
    const send = async () => {
      const requestId = `restart-${randomUUID()}`;
      const response = await fetch(new URL('/v1/chat/completions', master.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ model: 'restart-model', max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      return requestId;
    };

    // Hold settlement: the user's balance row is locked, so settlement transactions wait and later batches wait in Redis.
    const blocker = new pg.Client({ connectionString: master.database.url! });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);

    const requestIds: string[] = [];
    for (let batch = 0; batch < 8; batch += 1) {
      for (let i = 0; i < 5; i += 1) requestIds.push(await send());
      await sink.flush();
    }
    // Redis dies with jobs waiting in it, and comes back empty.
    await stopRedis(redis);
    for (let i = 0; i < 5; i += 1) requestIds.push(await send());
    void sink.flush();
    redis = startRedis(port);
    await listening(port);
    for (let i = 0; i < 5; i += 1) requestIds.push(await send());
    void sink.flush();
    await blocker.query('COMMIT');
    await blocker.end();

    const settled = async () => (await db.query(`SELECT count(*)::int AS n FROM usage_logs WHERE client_request_id = ANY($1)`, [requestIds]))[0].n as number;
    const deadline = Date.now() + BOUND_MS;
    while ((await settled()) < requestIds.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await settled()).toBe(requestIds.length);

    const charges = await db.query(`SELECT request_id, count(*)::int AS n FROM balance_ledger WHERE request_id IN (SELECT request_id FROM usage_logs WHERE client_request_id = ANY($1)) GROUP BY request_id`, [requestIds]);
    expect(charges).toHaveLength(requestIds.length);
    expect(charges.every((row: { n: number }) => row.n === 1)).toBe(true);
    const [after] = await db.query(
      `SELECT u.balance_micros::text AS balance, (SELECT sum(amount_micros)::text FROM balance_ledger WHERE user_id = u.id) AS ledger,
         (SELECT sum(cost_micros)::text FROM usage_logs WHERE user_id = u.id) AS spent FROM users u WHERE u.id = $1`,
      [user.id],
    );
    expect(after.ledger).toBe(after.balance);
    expect(BigInt(user.balance) - BigInt(after.spent)).toBe(BigInt(after.balance));
    const idle = Date.now() + BOUND_MS;
    while (sink.unsettledBatches > 0 && Date.now() < idle) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.unsettledBatches).toBe(0);
  }, 120_000);
});
