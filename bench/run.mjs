#!/usr/bin/env node
// Control-plane benchmark of the built master (dist/apps/master/src/main.js).
//
// Starts the master as a child process on 127.0.0.1 with embedded PGlite in a
// fresh temporary data dir, then measures:
//   (a) cold start: spawn -> first GET /ping 200
//   (b) RSS of the child after start (and after load), from /proc/<pid>/status
//   (c) GET /ping: throughput and latency p50/p99, keep-alive clients
//   (d) POST /api/auth/login, then GET /api/models with the JWT: throughput, p50/p99
// Every loop is bounded in count and time; all traffic goes to 127.0.0.1 only.
// At the end the child is stopped and the temp dir removed. The table is
// printed and written to bench/results/latest.md.
//
// Usage: npm run bench            (builds, then runs this file)
//        node bench/run.mjs       (after npm run build)
// Knobs (env): BENCH_PING_REQUESTS (20000), BENCH_MODELS_REQUESTS (5000),
//              BENCH_CONCURRENCY (32), BENCH_SEED_MODELS (20)
// Optional, loopback only: BENCH_DATABASE_URL=postgres://user:pw@127.0.0.1:5432/postgres
//   runs the master on real Postgres: a throwaway database aigw_bench_<hex> is
//   created on that server and dropped at the end (the role needs CREATEDB).
//   BENCH_REDIS_URL=redis://127.0.0.1:6379 adds BullMQ on Redis under a
//   throwaway key prefix, whose keys are deleted at the end.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, gitCommit, httpRequest, intFromEnv, memoryOf, percentile, sleep, tail } from './lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist/apps/master/src/main.js');
const resultsFile = join(root, 'bench/results/latest.md');

const HOST = '127.0.0.1';
const CONCURRENCY = intFromEnv('BENCH_CONCURRENCY', 32, 1, 1024);
const PING_REQUESTS = intFromEnv('BENCH_PING_REQUESTS', 20_000, 1, 10_000_000);
const MODELS_REQUESTS = intFromEnv('BENCH_MODELS_REQUESTS', 5_000, 1, 10_000_000);
const SEED_MODELS = intFromEnv('BENCH_SEED_MODELS', 20, 0, 500);
const STARTUP_TIMEOUT_MS = 60_000;
const STARTUP_POLL_MS = 25;
const REQUEST_TIMEOUT_MS = 10_000;
/** Wall-clock bound of one load phase: it stops issuing requests after this. */
const PHASE_TIMEOUT_MS = 120_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** One HTTP request over the given agent; resolves with status and body text. */
function request(agent, port, method, path, options = {}) {
  return httpRequest(agent, port, method, path, { timeoutMs: REQUEST_TIMEOUT_MS, ...options });
}

/**
 * Sends `total` requests with `concurrency` workers over keep-alive sockets,
 * stopping early when PHASE_TIMEOUT_MS has passed. Returns throughput and
 * latency percentiles over the requests that completed.
 */
async function load({ port, total, concurrency, method, path, headers, expect = 200 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const latencies = new Float64Array(total);
  let issued = 0;
  let completed = 0;
  let failures = 0;
  let firstFailure = null;
  const started = performance.now();
  const deadline = started + PHASE_TIMEOUT_MS;

  const worker = async () => {
    while (issued < total && performance.now() < deadline) {
      issued += 1;
      const t0 = performance.now();
      try {
        const res = await request(agent, port, method, path, { headers });
        if (res.status !== expect) {
          failures += 1;
          firstFailure ??= `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
        }
      } catch (error) {
        failures += 1;
        firstFailure ??= error.message;
      }
      latencies[completed] = performance.now() - t0;
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  agent.destroy();

  const sorted = latencies.subarray(0, completed).sort();
  return {
    requests: completed,
    failures,
    firstFailure,
    seconds: elapsed / 1000,
    rps: completed / (elapsed / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    truncated: completed < total,
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Parses an opt-in URL and refuses anything but a loopback host. */
function loopbackUrl(name) {
  const raw = process.env[name];
  if (!raw) return null;
  const url = new URL(raw);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`${name}: only loopback hosts are allowed (got ${url.hostname})`);
  return url;
}

/** Creates a throwaway database on the server of `adminUrl`; returns its URL and a dropper. */
async function createBenchDatabase(adminUrl) {
  const { default: pg } = await import('pg');
  const name = `aigw_bench_${randomBytes(6).toString('hex')}`;
  const run = async (sql) => {
    const client = new pg.Client({ connectionString: adminUrl.href, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl.href);
  url.pathname = `/${name}`;
  return { name, url: url.href, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Deletes every key under `prefix:` (bounded SCAN) on the Redis at `url`. */
async function deleteRedisPrefix(url, prefix) {
  const { default: IORedis } = await import('ioredis');
  const redis = new IORedis(url.href, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  try {
    await redis.connect();
    let cursor = '0';
    for (let round = 0; round < 100_000; round += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/** Polls GET /ping until 200, the child exits, or STARTUP_TIMEOUT_MS passes. */
async function waitForPing(port, child, spawnedAt) {
  const agent = new http.Agent({ keepAlive: false });
  const deadline = spawnedAt + STARTUP_TIMEOUT_MS;
  try {
    while (performance.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the master exited during start (code ${child.exitCode}, signal ${child.signalCode})`);
      }
      try {
        const res = await request(agent, port, 'GET', '/ping');
        if (res.status === 200) return performance.now() - spawnedAt;
      } catch {
        // not listening yet
      }
      await sleep(STARTUP_POLL_MS);
    }
    throw new Error(`no 200 from /ping within ${STARTUP_TIMEOUT_MS / 1000} s`);
  } finally {
    agent.destroy();
  }
}

/** SIGTERM, then SIGKILL after SHUTDOWN_TIMEOUT_MS. Resolves with ms taken. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return 0;
  const started = performance.now();
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), sleep(SHUTDOWN_TIMEOUT_MS).then(() => false)]);
  if (!graceful) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
    return null;
  }
  return performance.now() - started;
}

const ms = (value) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a');
const mib = (value) => (value === null || value === undefined ? 'n/a' : `${value.toFixed(1)} MiB`);
/** Text safe inside a markdown table cell. */
const cell = (text) => String(text).replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 200);
const rate = (value) => `${Math.round(value).toLocaleString('en-US')} req/s`;

function loadRows(label, result) {
  const note = [
    `${result.requests.toLocaleString('en-US')} requests in ${result.seconds.toFixed(2)} s`,
    result.failures ? `**${result.failures} failed** (first: ${cell(result.firstFailure)})` : '0 failed',
    result.truncated ? `stopped at the ${PHASE_TIMEOUT_MS / 1000} s bound` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    [`${label}: throughput`, rate(result.rps), note],
    [`${label}: latency p50`, ms(result.p50), ''],
    [`${label}: latency p99`, ms(result.p99), `max ${ms(result.max)}`],
  ];
}

function renderTable(meta, rows) {
  const lines = [
    '# aigw master benchmark',
    '',
    `- date: ${meta.date}`,
    `- commit: ${meta.commit}`,
    `- node: ${process.version} (${os.platform()} ${os.arch()}), ${os.cpus().length} CPUs: ${os.cpus()[0]?.model ?? 'unknown'}`,
    `- master: ${meta.mode}, AIGW_LOG_LEVEL=warn, 127.0.0.1:${meta.port}`,
    `- load: ${CONCURRENCY} concurrent keep-alive clients (node:http), generator in the same machine`,
    `- machine load average before the run (1/5/15 min): ${meta.loadavg.map((value) => value.toFixed(2)).join(' / ')}`,
    '',
    '| metric | value | notes |',
    '| --- | --- | --- |',
    ...rows.map(([metric, value, notes]) => `| ${metric} | ${value} | ${notes} |`),
    '',
  ];
  return lines.join('\n');
}

async function main() {
  if (!existsSync(entry)) {
    throw new Error(`${entry} not found: run \`npm run build\` first (or use \`npm run bench\`)`);
  }
  const postgresAdmin = loopbackUrl('BENCH_DATABASE_URL');
  const redisUrl = loopbackUrl('BENCH_REDIS_URL');
  const loadavg = os.loadavg();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'aigw-bench-'));
  const port = await freePort();
  const password = randomBytes(18).toString('base64url');

  // A clean environment: no developer DATABASE_URL / REDIS_URL / AIGW_* leaks in.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AIGW_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$)/.test(key)),
  );
  Object.assign(env, {
    PORT: String(port),
    HOST,
    AIGW_DATA_DIR: dataDir,
    AIGW_ADMIN_PASSWORD: password,
    AIGW_LOG_LEVEL: 'warn',
  });

  const redisPrefix = `aigw-bench-${randomBytes(4).toString('hex')}`;
  let database = null;
  if (postgresAdmin) {
    try {
      database = await createBenchDatabase(postgresAdmin);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`BENCH_DATABASE_URL: cannot create the throwaway database: ${error.message}`);
    }
    env.DATABASE_URL = database.url;
  }
  if (redisUrl) Object.assign(env, { REDIS_URL: redisUrl.href, AIGW_REDIS_PREFIX: redisPrefix });
  const mode = [
    database ? `Postgres (throwaway database ${database.name})` : 'embedded PGlite',
    redisUrl ? `BullMQ on Redis (prefix ${redisPrefix})` : 'in-process queue',
  ].join(', ');

  let child = null;
  let shutdownMs;
  const cleanup = async () => {
    if (child) await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
    if (database) await database.drop().catch((error) => console.error(`bench: could not drop ${database.name}: ${error.message}`));
    if (redisUrl) await deleteRedisPrefix(redisUrl, redisPrefix).catch((error) => console.error(`bench: could not clean Redis prefix ${redisPrefix}: ${error.message}`));
  };
  const onSignal = () => {
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    console.log(`starting ${entry} on ${HOST}:${port} (${mode}; data dir ${dataDir})`);
    const spawnedAt = performance.now();
    // cwd is the temp dir so a developer's ./config.yaml is not picked up.
    child = spawn(process.execPath, [entry], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = tail(child.stdout);
    const stderr = tail(child.stderr);

    let coldStart;
    try {
      coldStart = await waitForPing(port, child, spawnedAt);
    } catch (error) {
      throw new Error(`${error.message}\n--- master stderr ---\n${stderr.text}\n--- master stdout ---\n${stdout.text}`);
    }
    await sleep(500); // let start-up work (seeding, timers) settle before sampling memory
    const afterStart = memoryOf(child.pid);
    console.log(`cold start ${coldStart.toFixed(0)} ms, RSS ${mib(afterStart.rss)}`);

    // (c) GET /ping
    await load({ port, total: Math.min(2_000, PING_REQUESTS), concurrency: CONCURRENCY, method: 'GET', path: '/ping' });
    console.log(`GET /ping: ${PING_REQUESTS} requests, concurrency ${CONCURRENCY} ...`);
    const ping = await load({ port, total: PING_REQUESTS, concurrency: CONCURRENCY, method: 'GET', path: '/ping' });

    // (d) login, seed models, GET /api/models with the JWT
    const setup = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const loginStarted = performance.now();
    const login = await request(setup, port, 'POST', '/api/auth/login', { body: { username: 'admin', password } });
    const loginMs = performance.now() - loginStarted;
    if (login.status !== 200) throw new Error(`POST /api/auth/login: HTTP ${login.status}: ${login.body.slice(0, 300)}`);
    const token = JSON.parse(login.body).access_token;
    if (typeof token !== 'string') throw new Error('POST /api/auth/login: no access_token in the answer');
    const headers = { authorization: `Bearer ${token}` };

    for (let i = 1; i <= SEED_MODELS; i += 1) {
      const name = `bench-model-${String(i).padStart(3, '0')}`;
      const res = await request(setup, port, 'POST', '/api/models', {
        headers,
        body: { name, price: { input: '1.25', output: '10' }, description: `benchmark model ${i}` },
      });
      if (res.status !== 201) throw new Error(`POST /api/models ${name}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const check = await request(setup, port, 'GET', '/api/models', { headers });
    if (check.status !== 200) throw new Error(`GET /api/models: HTTP ${check.status}: ${check.body.slice(0, 300)}`);
    const listed = JSON.parse(check.body);
    setup.destroy();

    await load({ port, total: Math.min(500, MODELS_REQUESTS), concurrency: CONCURRENCY, method: 'GET', path: '/api/models', headers });
    console.log(`GET /api/models: ${MODELS_REQUESTS} requests, concurrency ${CONCURRENCY} ...`);
    const models = await load({ port, total: MODELS_REQUESTS, concurrency: CONCURRENCY, method: 'GET', path: '/api/models', headers });
    const afterLoad = memoryOf(child.pid);

    shutdownMs = await stop(child);

    // (a') warm start: the same data dir again (database initialised, migrations applied)
    const restartedAt = performance.now();
    child = spawn(process.execPath, [entry], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const restartOut = tail(child.stdout);
    const restartErr = tail(child.stderr);
    let warmStart;
    try {
      warmStart = await waitForPing(port, child, restartedAt);
    } catch (error) {
      throw new Error(`restart: ${error.message}\n--- master stderr ---\n${restartErr.text}\n--- master stdout ---\n${restartOut.text}`);
    }
    await stop(child);
    child = null;
    const modelCount = Array.isArray(listed?.data) ? listed.data.length : Array.isArray(listed?.items) ? listed.items.length : SEED_MODELS;

    const rows = [
      ['cold start (spawn → first /ping 200)', ms(coldStart), `empty ${database ? 'database' : 'data dir: PGlite init'} + migrations + admin seed`],
      ['warm start (restart on the same data)', ms(warmStart), 'database already initialised and migrated'],
      ['RSS after start', mib(afterStart.rss), 'VmRSS of the master process'],
      ...loadRows('GET /ping', ping),
      ['POST /api/auth/login (single)', ms(loginMs), 'argon2id verify + JWT sign'],
      ...loadRows(`GET /api/models (JWT, ${modelCount} models/page)`, models),
      ['RSS after load', mib(afterLoad.rss), `peak (VmHWM) ${mib(afterLoad.hwm)}`],
      ['graceful shutdown (SIGTERM → exit)', shutdownMs === null ? 'killed' : ms(shutdownMs), ''],
    ];
    const table = renderTable({ date: new Date().toISOString(), commit: gitCommit(root), port, mode, loadavg }, rows);
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, table);
    console.log(`\n${table}`);
    console.log(`written to ${resultsFile}`);

    if (ping.failures || models.failures) {
      process.exitCode = 1;
      console.error('some requests failed: see the notes column');
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
});
