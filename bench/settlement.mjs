#!/usr/bin/env node
// Settlement benchmark: how many usage records per second the settlement
// worker writes into Postgres (usage rows, ledger charges, balance and token
// debits, exactly once by request id), through the same queue and processors
// the master runs — BullMQ on Redis with Postgres, and the in-process queue
// with embedded PGlite.
//
// For each backend: a throwaway database (Postgres: aigw_settle_bench_<hex>,
// dropped at the end; PGlite: a temp dir), migrations, 100 users with a token
// each, then BENCH_SETTLE_RECORDS records (default 50,000) enqueued as
// `settle-usage-batch` jobs of 500 (what the embedded agent's sink sends),
// timed from the first enqueue to the last job's completion; then the same
// batches delivered again (a replay: every record a no-op) and timed too.
// Checks: one usage row and one ledger charge per record, and Σ ledger =
// balances to the micro-unit.
//
// Usage: npm run build && node_modules/.bin/node bench/settlement.mjs
// Knobs: BENCH_SETTLE_RECORDS (50000), BENCH_SETTLE_BACKENDS (postgres,pglite),
//   BENCH_DATABASE_URL / BENCH_REDIS_URL (loopback only; default
//   postgres://postgres:postgres@127.0.0.1:5432/postgres and redis://127.0.0.1:6379).
// Writes the table to bench/results/settlement-latest.md and between the
// settlement-bench markers of docs/benchmarks.md (full runs only).

import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intFromEnv, replaceDocBlock } from './lib.mjs';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('libs/metering/src/index.js'))) throw new Error('dist/ not found: run `npm run build` first');
const { Database } = require(dist('libs/persistence/src/index.js'));
const { MIGRATIONS } = require(dist('migrations/index.js'));
const { BullmqJobQueue, InProcessJobQueue, SettleUsageBatchProcessor } = require(dist('libs/metering/src/index.js'));

const RECORDS = intFromEnv('BENCH_SETTLE_RECORDS', 50_000, 500, 5_000_000);
const BATCH = 500;
const USERS = 100;
const BACKENDS = (process.env.BENCH_SETTLE_BACKENDS || 'postgres,pglite').split(',').map((value) => value.trim()).filter(Boolean);
const ADMIN_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
for (const url of [ADMIN_URL, REDIS_URL]) if (!/^\w+:\/\/([^@]*@)?(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url)) throw new Error(`loopback only: ${url}`);

async function seed(database) {
  const users = [];
  for (let i = 0; i < USERS; i += 1) {
    const [user] = await database.dataSource.query(
      `INSERT INTO users (username, role, status, balance_micros) VALUES ($1, 'user', 'active', 1000000000000) RETURNING id`,
      [`bench-${i}`],
    );
    await database.dataSource.query(
      `INSERT INTO balance_ledger (user_id, amount_micros, balance_after_micros, kind, note) VALUES ($1, 1000000000000, 1000000000000, 'initial', 'bench')`,
      [user.id],
    );
    const [token] = await database.dataSource.query(
      `INSERT INTO api_tokens (name, key_hash, key_hint, user_id) VALUES ('bench', $1, 'sk-…', $2) RETURNING id`,
      [randomBytes(32).toString('hex'), user.id],
    );
    users.push({ userId: user.id, tokenId: token.id });
  }
  return users;
}

function batches(users) {
  const now = new Date().toISOString();
  const all = [];
  for (let start = 0; start < RECORDS; start += BATCH) {
    const records = [];
    for (let i = start; i < Math.min(RECORDS, start + BATCH); i += 1) {
      const owner = users[i % users.length];
      records.push({
        request_id: `settle-bench-${randomUUID()}`, token_id: owner.tokenId, user_id: owner.userId, model: 'bench-model', upstream_model: 'bench-upstream',
        endpoint: 'openai-chat', prompt_tokens: 24, completion_tokens: 9, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0,
        cost_micros: 120 + (i % 7), channel_cost_micros: 100, latency_ms: 3, first_token_ms: 2, status: 200, stream: false,
        attempts: [{ channel_id: owner.tokenId, status: 200, latency_ms: 3 }], created_at: now,
      });
    }
    all.push(records);
  }
  return all;
}

async function deliver(queue, all, tag) {
  const started = performance.now();
  const handles = [];
  for (const [index, records] of all.entries()) handles.push(await queue.enqueue('settle-usage-batch', { records }, { jobId: `${tag}-${index}` }));
  await Promise.all(handles.map((handle) => handle.finished()));
  return performance.now() - started;
}

async function runBackend(kind) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'aigw-settle-bench-'));
  const dbName = `aigw_settle_bench_${randomBytes(6).toString('hex')}`;
  let admin = null;
  let database = null;
  let queue = null;
  const prefix = `aigw-settle-bench-${randomBytes(4).toString('hex')}`;
  try {
    let url = null;
    if (kind === 'postgres') {
      const { Client } = require('pg');
      admin = new Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      const parsed = new URL(ADMIN_URL);
      parsed.pathname = `/${dbName}`;
      url = parsed.toString();
    }
    database = await Database.open({ url, dataDir: tmp, migrations: MIGRATIONS });
    const users = await seed(database);
    const processors = [new SettleUsageBatchProcessor(database.dataSource)];
    queue = kind === 'postgres' ? new BullmqJobQueue(processors, { redisUrl: REDIS_URL, prefix }) : new InProcessJobQueue(processors);
    const all = batches(users);
    const firstMs = await deliver(queue, all, 'first');
    const replayMs = await deliver(queue, all, 'replay');
    const [{ rows }] = await database.dataSource.query(`SELECT count(*)::int AS rows FROM usage_logs`);
    const [{ charges }] = await database.dataSource.query(`SELECT count(*)::int AS charges FROM balance_ledger WHERE kind = 'charge'`);
    const mismatched = await database.dataSource.query(
      `SELECT u.id FROM users u LEFT JOIN balance_ledger l ON l.user_id = u.id GROUP BY u.id, u.balance_micros HAVING u.balance_micros <> COALESCE(sum(l.amount_micros), 0)`,
    );
    return {
      kind,
      label: kind === 'postgres' ? 'Postgres 15 + BullMQ on Redis' : 'embedded PGlite + in-process queue',
      firstMs, replayMs, rows, charges, ledgerOk: mismatched.length === 0,
    };
  } finally {
    await queue?.close().catch(() => undefined);
    await database?.close().catch(() => undefined);
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
    if (kind === 'postgres') {
      const IORedis = require('ioredis');
      const redis = new IORedis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

const results = [];
for (const kind of BACKENDS) {
  if (!['postgres', 'pglite'].includes(kind)) throw new Error(`BENCH_SETTLE_BACKENDS: unknown ${kind}`);
  console.log(`settling ${RECORDS.toLocaleString('en-US')} records on ${kind}…`);
  const result = await runBackend(kind);
  console.log(`  ${Math.round((RECORDS / result.firstMs) * 1000).toLocaleString('en-US')} records/s; replay ${Math.round((RECORDS / result.replayMs) * 1000).toLocaleString('en-US')} records/s`);
  results.push(result);
}

const fmt = (value) => Math.round(value).toLocaleString('en-US');
const command = `npm run build && node_modules/.bin/node bench/settlement.mjs${process.env.BENCH_SETTLE_RECORDS ? ` (BENCH_SETTLE_RECORDS=${RECORDS})` : ''}`;
const markdown = [
  `Latest run (${new Date().toISOString().slice(0, 10)}): \`${command}\`, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}).`,
  '',
  `${fmt(RECORDS)} usage records in \`settle-usage-batch\` jobs of ${BATCH} (what the embedded agent's sink sends), ${USERS} users and tokens; one worker; timed from the first enqueue to the last completion. The replay delivers the same records again under new job ids (at-least-once delivery): every record is a no-op by its request id.`,
  '',
  '| backend | records/s | time | replay records/s | usage rows | ledger charges | Σ ledger = balances |',
  '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ...results.map((r) => `| ${r.label} | ${fmt((RECORDS / r.firstMs) * 1000)} | ${(r.firstMs / 1000).toFixed(2)} s | ${fmt((RECORDS / r.replayMs) * 1000)} | ${fmt(r.rows)} | ${fmt(r.charges)} | ${r.ledgerOk ? 'yes' : '**no**'} |`),
  '',
].join('\n');
console.log(`\n${markdown}`);
writeFileSync(join(root, 'bench/results/settlement-latest.md'), `# Settlement benchmark\n\n${markdown}`);
const failed = results.some((r) => r.rows !== RECORDS || r.charges !== RECORDS || !r.ledgerOk);
if (failed) {
  console.error('settlement check failed: rows, charges or ledger sums are off');
  process.exit(1);
}
if (BACKENDS.length === 2 && !process.env.BENCH_SETTLE_RECORDS) {
  replaceDocBlock(root, 'settlement-bench', 'bench/settlement.mjs', 'Settlement', markdown);
  console.log('written to docs/benchmarks.md');
}
