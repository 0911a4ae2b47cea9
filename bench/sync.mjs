#!/usr/bin/env node
// Policy sync benchmark: how fast the master's policy reaches a remote agent,
// with one built master (dist/apps/master/src/main.js, on Postgres + Redis)
// and built agents (dist/apps/agent/src/main.js) as separate processes on
// 127.0.0.1, the agents enrolled with an enrollment token and synced over
// the WebSocket, as in production (no proxy in between).
//
// 1. Propagation: BENCH_SYNC_CHANGES API tokens (1,000; after
//    BENCH_SYNC_WARMUP unmeasured ones) are created one after another with
//    POST /api/tokens, each with a fresh key. For each, the time from the end
//    of the admin API's 201 to the agent accepting the new key: GET /v1/models
//    with `authorization: Bearer <key>` answers 200 instead of 401, polled back
//    to back (the next poll as soon as the previous answer ends) on one
//    keep-alive connection. The figure is the end of the first 200, so it
//    overstates the real latency by at most one poll round trip (reported,
//    with the share of keys the first poll already found: the change usually
//    reaches the agent before the 201 reaches the client). Also reported: from
//    sending the POST to the agent accepting the key, and the POST's own time.
//    The agent logs at warn here, so the polls add no log lines.
// 2. Snapshot: the first agent is stopped, BENCH_SYNC_TOKENS api_tokens rows
//    (10,000, each with a known key) and BENCH_SYNC_CHANNELS channels (500,
//    each with an upstream key sealed under the master's secret key, as the
//    admin API stores it) are inserted with SQL; the tokens created in part 1
//    are deleted first, so the snapshot holds the seeded rows plus the one
//    bootstrap token. Then, BENCH_SYNC_SNAPSHOT_RUNS times (3), a fresh agent
//    (new enrollment token, new data dir) is started, and from its spawn:
//      enrolled   its "enrolled as" line on stderr (time of arrival here);
//      listening  its "listening" line on stdout (arrival); the WebSocket dial
//                 starts just before it (sync client start, then listen);
//      hello      the master recorded the agent's hello (agents.connected_at,
//                 now() of that UPDATE, same clock);
//      synced     the "policy synced with the master" log line (its pino time:
//                 the snapshot frame received and parsed, about to be applied);
//      serving    the first 200 for the last seeded key (polled from the arrival
//                 of the synced line: the snapshot is applied and served);
//    and the size of <data_dir>/policy-snapshot.json once written (the wire
//    frame is the same JSON with a different 25-byte envelope). Before each
//    run one seeded token is changed, so the master builds its snapshot from
//    the database every time (it caches one per change-log version). The aim
//    (the sync issue) is a snapshot of 10,000 tokens + 500 channels in < 2 s.
//
// Postgres: a scratch database aigw_bench_sync on BENCH_DATABASE_URL's server
// (default postgres://postgres:postgres@127.0.0.1:5432/postgres; the role needs
// CREATEDB), dropped at the end; Redis: BENCH_REDIS_URL (redis://127.0.0.1:6379)
// under a throwaway key prefix, deleted at the end. Every child is started in
// its own process group (the master's settlement worker is in the master's)
// and the groups are killed at the end, on error and on SIGINT/SIGTERM; the
// temp dir is removed. Every wait is bounded; the whole run by 10 min.
//
// Usage: npm run build && node_modules/.bin/node bench/sync.mjs
// Knobs (env): BENCH_SYNC_CHANGES (1000), BENCH_SYNC_WARMUP (20),
//   BENCH_SYNC_TOKENS (10000), BENCH_SYNC_CHANNELS (500), BENCH_SYNC_SNAPSHOT_RUNS (3),
//   BENCH_DATABASE_URL / BENCH_REDIS_URL (loopback only).
// Prints a summary and writes the figures to bench/results/sync.json.

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, gitCommit, guardRun, httpRequest, intFromEnv, percentile, replaceDocBlock, sleep } from './lib.mjs';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MASTER_MAIN = join(root, 'dist/apps/master/src/main.js');
const AGENT_MAIN = join(root, 'dist/apps/agent/src/main.js');
const RESULTS_FILE = join(root, 'bench/results/sync.json');
for (const entry of [MASTER_MAIN, AGENT_MAIN]) if (!existsSync(entry)) throw new Error(`${entry} not found: run \`npm run build\` first`);
// Only node:crypto behind these two: the same sealing and key hashing as the master's.
const { SecretCipher } = require(join(root, 'dist/libs/config/src/secrets/secret-cipher.js'));
const { hashApiKey, maskSecret } = require(join(root, 'dist/libs/config/src/secrets/api-key.util.js'));

const HOST = '127.0.0.1';
const CHANGES = intFromEnv('BENCH_SYNC_CHANGES', 1_000, 1, 100_000);
const WARMUP = intFromEnv('BENCH_SYNC_WARMUP', 20, 0, 10_000);
const SEED_TOKENS = intFromEnv('BENCH_SYNC_TOKENS', 10_000, 1, 1_000_000);
const SEED_CHANNELS = intFromEnv('BENCH_SYNC_CHANNELS', 500, 0, 100_000);
const SNAPSHOT_RUNS = intFromEnv('BENCH_SYNC_SNAPSHOT_RUNS', 3, 1, 20);
const DB_NAME = 'aigw_bench_sync';
const ADMIN_PASSWORD = randomBytes(18).toString('base64url');
const SECRET_KEY = randomBytes(32);
const START_BOUND_MS = 60_000;
const CHANGE_BOUND_MS = 5_000;
const SNAPSHOT_BOUND_MS = 60_000;
const RUN_BOUND_MS = 10 * 60_000;
const SNAPSHOT_AIM_MS = 2_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
function loopbackUrl(raw, name) {
  const url = new URL(raw);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`${name}: only loopback hosts are allowed (got ${url.hostname})`);
  return url;
}
const PG_ADMIN_URL = loopbackUrl(process.env.BENCH_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres', 'BENCH_DATABASE_URL');
const REDIS_URL = loopbackUrl(process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', 'BENCH_REDIS_URL');
const REDIS_PREFIX = `aigw-bench-sync-${randomBytes(4).toString('hex')}`;

/** Wall-clock milliseconds with sub-millisecond resolution (comparable with pino times and Postgres now()). */
const epochNow = () => performance.timeOrigin + performance.now();

// ───────────────────────────── children, in their own process groups ─────────────────────────────

const children = new Set();

/**
 * Starts `node <entry>` detached (its own process group), with only PATH and
 * HOME from this environment. Every stdout/stderr line is kept with its time
 * of arrival; `waitForLine` resolves with the first line matching a pattern.
 */
function startNode(label, entry, { cwd, env }) {
  const spawnedAt = epochNow();
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = { label, child, spawnedAt, lines: [], waiters: new Set() };
  const onLine = (stream) => (text) => {
    const line = { at: epochNow(), stream, text };
    // Keep what the bench reads (sync and start lines, warnings) and a bounded tail of the rest.
    proc.lines.push(line);
    if (proc.lines.length > 2_000) proc.lines.splice(0, 1_000);
    for (const waiter of proc.waiters) if (waiter.pattern.test(text)) waiter.done(line);
  };
  createInterface({ input: child.stdout }).on('line', onLine('stdout'));
  createInterface({ input: child.stderr }).on('line', onLine('stderr'));
  child.once('exit', (code, signal) => {
    children.delete(proc);
    for (const waiter of proc.waiters) waiter.fail(new Error(`${label} exited (code ${code}, signal ${signal})\n${recent(proc)}`));
  });
  children.add(proc);
  return proc;
}

function recent(proc, count = 30) {
  return proc.lines.slice(-count).map((line) => `  [${line.stream}] ${line.text}`).join('\n');
}

function waitForLine(proc, pattern, boundMs = START_BOUND_MS) {
  const seen = proc.lines.find((line) => pattern.test(line.text));
  if (seen) return Promise.resolve(seen);
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return Promise.reject(new Error(`${proc.label} has exited\n${recent(proc)}`));
  return new Promise((resolveLine, rejectLine) => {
    const waiter = {
      pattern,
      done: (line) => settle(() => resolveLine(line)),
      fail: (error) => settle(() => rejectLine(error)),
    };
    const timer = setTimeout(() => waiter.fail(new Error(`${proc.label}: no line matching ${pattern} within ${boundMs} ms\n${recent(proc)}`)), boundMs);
    function settle(then) {
      clearTimeout(timer);
      proc.waiters.delete(waiter);
      then();
    }
    proc.waiters.add(waiter);
  });
}

function signalGroup(proc, signal) {
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // the group is gone
  }
}

/** SIGTERM to the process group, SIGKILL to it after 5 s. */
async function stopGroup(proc) {
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    const exited = new Promise((done) => proc.child.once('exit', done));
    signalGroup(proc, 'SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) {
      signalGroup(proc, 'SIGKILL');
      await Promise.race([exited, sleep(2_000)]);
    }
  }
  // A process of the group that outlived its leader (the settlement worker) goes too.
  signalGroup(proc, 'SIGKILL');
  children.delete(proc);
}

// ───────────────────────────── HTTP ─────────────────────────────

/** One HTTP request over the given agent; resolves with status and body text. */
function request(agent, port, method, path, options = {}) {
  return httpRequest(agent, port, method, path, { timeoutMs: 10_000, ...options });
}

/**
 * Polls GET /v1/models with `key` back to back until a 200 or `boundMs`
 * (401 and 503 mean not yet; anything else is an error).
 * Returns the performance.now() at the end of the 200 and the number of polls,
 * or null when the bound passed.
 */
async function pollAccepted(agent, port, key, boundMs) {
  const headers = { authorization: `Bearer ${key}` };
  const deadline = performance.now() + boundMs;
  for (let polls = 1; performance.now() < deadline; polls += 1) {
    const res = await request(agent, port, 'GET', '/v1/models', { headers });
    if (res.status === 200) return { at: performance.now(), polls };
    // 401: not (yet) a known key; 503: no policy received yet (a fresh agent).
    if (res.status !== 401 && res.status !== 503) throw new Error(`GET /v1/models: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
  }
  return null;
}

// ───────────────────────────── Postgres and Redis ─────────────────────────────

async function createDatabase() {
  const { default: pg } = await import('pg');
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL.href, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const version = (await admin('SHOW server_version')).rows[0].server_version.split(' ')[0];
  // A leftover of an interrupted run of this bench (the name is this bench's own).
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  const url = new URL(PG_ADMIN_URL.href);
  url.pathname = `/${DB_NAME}`;
  return { url: url.href, version, client: () => new pg.Client({ connectionString: url.href, connectionTimeoutMillis: 5_000 }), drop: () => admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`) };
}

async function deleteRedisKeys() {
  const { default: IORedis } = await import('ioredis');
  const redis = new IORedis(REDIS_URL.href, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    for (let round = 0; round < 100_000; round += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/** 10,000 tokens with known keys and 500 channels with sealed keys, in two statements. */
async function seedPolicy(db, userId) {
  const keys = Array.from({ length: SEED_TOKENS }, () => `sk-aigw-${randomBytes(32).toString('base64url')}`);
  const started = performance.now();
  await db.query(
    `INSERT INTO api_tokens (name, key_hash, key_hint, user_id)
     SELECT 'sync-bench-seed-' || n, hash, hint, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(hash, hint, n)`,
    [keys.map(hashApiKey), keys.map(maskSecret), userId],
  );
  const cipher = new SecretCipher(SECRET_KEY);
  const ids = Array.from({ length: SEED_CHANNELS }, () => randomUUID());
  const upstreamKeys = ids.map(() => `sk-upstream-${randomBytes(24).toString('base64url')}`);
  await db.query(
    `INSERT INTO channels (id, name, type, base_url, key_ciphertext, key_id, key_hint, models, status)
     SELECT id, 'sync-bench-channel-' || n, 'openai', 'https://upstream-' || n || '.bench.invalid/v1', sealed, $4, hint,
            ARRAY['bench-model-' || (n % 50), 'bench-model-' || ((n + 1) % 50)], 'enabled'
     FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS t(id, sealed, hint, n)`,
    [ids, ids.map((id, i) => cipher.seal(upstreamKeys[i], id)), upstreamKeys.map(maskSecret), cipher.currentKeyId],
  );
  return { keys, seedMs: performance.now() - started };
}

// ───────────────────────────── the run ─────────────────────────────

async function main() {
  const tmp = mkdtempSync(join(os.tmpdir(), 'aigw-bench-sync-'));
  const { cleanups, cleanup, release } = guardRun({
    tmp,
    children,
    boundMs: RUN_BOUND_MS,
    stop: stopGroup,
    // Last resort: no process group is left behind, even on an unexpected exit.
    kill: (proc) => signalGroup(proc, 'SIGKILL'),
  });

  const masterHttp = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const pollHttp = new http.Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(async () => {
    masterHttp.destroy();
    pollHttp.destroy();
  });

  try {
    const database = await createDatabase();
    cleanups.push(() => database.drop());
    cleanups.push(() => deleteRedisKeys());

    // ── the master, with a bootstrap user and one token (the agents' readiness check)
    const readyKey = `sk-aigw-${randomBytes(32).toString('base64url')}`;
    const masterDir = join(tmp, 'master');
    mkdirSync(masterDir);
    writeFileSync(
      join(masterDir, 'config.yaml'),
      JSON.stringify({
        bootstrap: {
          users: [{ username: 'sync-bench', balance_usd: 100 }],
          tokens: [{ name: 'sync-bench-ready', key: readyKey, user: 'sync-bench' }],
        },
      }),
    );
    const masterPort = await freePort();
    const master = startNode('master', MASTER_MAIN, {
      cwd: masterDir,
      env: {
        PORT: String(masterPort),
        HOST,
        DATABASE_URL: database.url,
        REDIS_URL: REDIS_URL.href,
        AIGW_REDIS_PREFIX: REDIS_PREFIX,
        AIGW_ADMIN_PASSWORD: ADMIN_PASSWORD,
        AIGW_SECRET_KEY: SECRET_KEY.toString('hex'),
        AIGW_JWT_SECRET: randomBytes(32).toString('hex'),
        AIGW_DATA_DIR: join(masterDir, 'data'),
        AIGW_CONFIG: join(masterDir, 'config.yaml'),
        AIGW_LOG_LEVEL: 'warn',
      },
    });
    await waitForLine(master, /aigw master listening/);
    console.log(`master on 127.0.0.1:${masterPort} (Postgres ${database.version}, Redis; sync heartbeat and change-log retention at their defaults)`);

    const login = await request(masterHttp, masterPort, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    if (login.status !== 200 && login.status !== 201) throw new Error(`login: HTTP ${login.status}: ${login.body}`);
    const jwt = JSON.parse(login.body).access_token;
    const adminApi = async (method, path, body) => {
      const res = await request(masterHttp, masterPort, method, path, { headers: { authorization: `Bearer ${jwt}` }, body });
      return { status: res.status, body: res.body ? JSON.parse(res.body) : null };
    };
    const enrollmentToken = async (name) => {
      const res = await adminApi('POST', '/api/agents/enrollment-tokens', { name, max_uses: 1 });
      if (res.status !== 201) throw new Error(`enrollment token: HTTP ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.token;
    };
    const db = database.client();
    await db.connect();
    cleanups.push(() => db.end());
    const [{ id: userId }] = (await db.query(`SELECT id FROM users WHERE username = 'sync-bench'`)).rows;

    const startAgent = async (name, logLevel) => {
      const dir = join(tmp, name);
      mkdirSync(dir);
      const port = await freePort();
      const token = await enrollmentToken(name);
      const proc = startNode(name, AGENT_MAIN, {
        cwd: dir,
        env: {
          PORT: String(port),
          HOST,
          AIGW_MASTER_URL: `http://${HOST}:${masterPort}`,
          AIGW_ENROLLMENT_TOKEN: token,
          AIGW_AGENT_NAME: name,
          AIGW_REGION: 'us',
          AIGW_DATA_DIR: join(dir, 'data'),
          AIGW_LOG_LEVEL: logLevel,
        },
      });
      return { proc, port, dir, name };
    };

    // ── 1. propagation of single changes
    const agentA = await startAgent('sync-bench-a', 'warn');
    await waitForLine(agentA.proc, /aigw agent .* listening/);
    if (!(await pollAccepted(pollHttp, agentA.port, readyKey, START_BOUND_MS))) throw new Error('agent A never accepted the bootstrap token');
    console.log(`agent A enrolled and synced; creating ${WARMUP} + ${CHANGES} tokens one after another…`);

    const latencies = [];
    const createLatencies = [];
    const endToEnd = [];
    let firstPoll = 0;
    let polls = 0;
    let pollingMs = 0;
    for (let i = 0; i < WARMUP + CHANGES; i += 1) {
      const sent = performance.now();
      const created = await adminApi('POST', '/api/tokens', { name: `sync-bench-${i}`, user_id: userId });
      const committed = performance.now();
      if (created.status !== 201 || !created.body?.key) throw new Error(`POST /api/tokens: HTTP ${created.status}: ${JSON.stringify(created.body)}`);
      const accepted = await pollAccepted(pollHttp, agentA.port, created.body.key, CHANGE_BOUND_MS);
      if (!accepted) throw new Error(`change ${i}: agent A did not accept the new key within ${CHANGE_BOUND_MS} ms`);
      if (i < WARMUP) continue;
      latencies.push(accepted.at - committed);
      createLatencies.push(committed - sent);
      endToEnd.push(accepted.at - sent);
      if (accepted.polls === 1) firstPoll += 1;
      polls += accepted.polls;
      pollingMs += accepted.at - committed;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const sortedCreate = [...createLatencies].sort((a, b) => a - b);
    const sortedEnd = [...endToEnd].sort((a, b) => a - b);
    const propagation = {
      changes: CHANGES,
      warmup: WARMUP,
      p50_ms: percentile(sorted, 50),
      p90_ms: percentile(sorted, 90),
      p99_ms: percentile(sorted, 99),
      max_ms: sorted.at(-1),
      mean_ms: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      poll_round_trip_ms: pollingMs / polls,
      polls_per_change: polls / CHANGES,
      /** Changes the agent had already applied when the first poll after the 201 reached it. */
      accepted_on_first_poll: firstPoll / CHANGES,
      request_to_accepted_p50_ms: percentile(sortedEnd, 50),
      request_to_accepted_p99_ms: percentile(sortedEnd, 99),
      request_to_accepted_max_ms: sortedEnd.at(-1),
      admin_create_p50_ms: percentile(sortedCreate, 50),
      admin_create_p99_ms: percentile(sortedCreate, 99),
    };
    console.log(
      `  propagation: p50 ${propagation.p50_ms.toFixed(2)} ms, p99 ${propagation.p99_ms.toFixed(2)} ms, max ${propagation.max_ms.toFixed(2)} ms (poll round trip ${propagation.poll_round_trip_ms.toFixed(3)} ms)`,
    );
    await stopGroup(agentA.proc);

    // ── 2. a new agent's snapshot
    await db.query(`DELETE FROM api_tokens WHERE name LIKE 'sync-bench-%' AND name <> 'sync-bench-ready'`);
    console.log(`seeding ${SEED_TOKENS.toLocaleString('en-US')} tokens and ${SEED_CHANNELS.toLocaleString('en-US')} channels with SQL…`);
    const { keys, seedMs } = await seedPolicy(db, userId);
    const lastKey = keys.at(-1);
    const firstKey = keys[0];
    // Let the master take in the burst (notifications, change-log pruning) before the agents come.
    await sleep(3_000);

    const runs = [];
    for (let run = 1; run <= SNAPSHOT_RUNS; run += 1) {
      // A new change-log version: the master builds this snapshot from the database, not from its cache.
      await db.query(`UPDATE api_tokens SET quota_micros = $2 WHERE key_hash = $1`, [hashApiKey(firstKey), 1_000_000_000 + run]);
      await sleep(500);
      const agent = await startAgent(`sync-bench-snapshot-${run}`, 'info');
      const { proc } = agent;
      const enrolled = await waitForLine(proc, /enrolled as/);
      const listening = await waitForLine(proc, /aigw agent .* listening/);
      const syncedLine = await waitForLine(proc, /"msg":"policy synced with the master"/, SNAPSHOT_BOUND_MS);
      const synced = JSON.parse(syncedLine.text);
      const serving = await pollAccepted(pollHttp, agent.port, lastKey, SNAPSHOT_BOUND_MS);
      if (!serving) throw new Error(`${agent.name} never accepted the last seeded key`);
      const servingAt = performance.timeOrigin + serving.at;
      if (!(await pollAccepted(pollHttp, agent.port, firstKey, 1_000))) throw new Error(`${agent.name} does not accept the first seeded key`);
      const file = join(agent.dir, 'data', 'policy-snapshot.json');
      const fileDeadline = performance.now() + 10_000;
      while (!existsSync(file) && performance.now() < fileDeadline) await sleep(10);
      if (!existsSync(file)) throw new Error(`${file} was not written within 10 s`);
      const bytes = statSync(file).size;
      const stored = JSON.parse(readFileSync(file, 'utf8')).snapshot;
      const [{ connected_at: helloAt }] = (await db.query(`SELECT connected_at FROM agents WHERE name = $1`, [agent.name])).rows;
      const at = (epoch) => epoch - proc.spawnedAt;
      const syncedAt = Date.parse(synced.time);
      runs.push({
        run,
        via: synced.via,
        version: synced.version,
        tokens: stored.tokens.length,
        channels: stored.channels.length,
        snapshot_bytes: bytes,
        enrolled_ms: at(enrolled.at),
        listening_ms: at(listening.at),
        hello_ms: helloAt ? at(helloAt.getTime()) : null,
        synced_ms: at(syncedAt),
        serving_ms: at(servingAt),
        listening_to_synced_ms: syncedAt - listening.at,
        hello_to_synced_ms: helloAt ? syncedAt - helloAt.getTime() : null,
        synced_to_serving_ms: servingAt - syncedAt,
        serving_polls: serving.polls,
        /** How late the synced line reached this process after its pino time (stdout buffering). */
        synced_line_arrival_ms: syncedLine.at - syncedAt,
      });
      const r = runs.at(-1);
      console.log(
        `  run ${run}: via ${r.via}, ${r.tokens} tokens, ${r.channels} channels, ${fmtBytes(r.snapshot_bytes)}; from spawn: enrolled ${r.enrolled_ms.toFixed(0)} ms, listening ${r.listening_ms.toFixed(0)} ms, hello ${r.hello_ms?.toFixed(0)} ms, synced ${r.synced_ms.toFixed(0)} ms, serving ${r.serving_ms.toFixed(0)} ms`,
      );
      await stopGroup(proc);
    }

    // ── summary
    const median = (values) => percentile([...values].sort((a, b) => a - b), 50);
    const worst = (values) => Math.max(...values);
    const snapshot = {
      seeded_tokens: SEED_TOKENS,
      seeded_channels: SEED_CHANNELS,
      seed_sql_ms: seedMs,
      runs,
      median: Object.fromEntries(
        ['enrolled_ms', 'listening_ms', 'hello_ms', 'synced_ms', 'serving_ms', 'listening_to_synced_ms', 'hello_to_synced_ms', 'synced_to_serving_ms'].map((key) => [key, median(runs.map((r) => r[key]))]),
      ),
      max_spawn_to_serving_ms: worst(runs.map((r) => r.serving_ms)),
      snapshot_bytes: runs.at(-1).snapshot_bytes,
      aim_ms: SNAPSHOT_AIM_MS,
    };
    const meta = {
      date: new Date().toISOString(),
      commit: gitCommit(root),
      node: process.version,
      cpus: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? '?'}`,
      postgres: database.version,
      loadavg_before: os.loadavg(),
      command: 'npm run build && node_modules/.bin/node bench/sync.mjs',
    };
    const ms = (value) => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(value < 10 ? 2 : 0)} ms`);
    const m = snapshot.median;
    const lines = [
      '',
      `# Policy sync benchmark (${meta.date.slice(0, 10)}, commit ${meta.commit}, node ${meta.node}, ${meta.cpus}, Postgres ${meta.postgres})`,
      '',
      'One master and one agent, separate processes on 127.0.0.1, WebSocket sync, default heartbeat and change-log retention.',
      '',
      `1. Propagation of ${CHANGES.toLocaleString('en-US')} changes (POST /api/tokens one after another, after ${WARMUP} unmeasured; admin 201 → the agent accepts the new key):`,
      `   p50 ${ms(propagation.p50_ms)}, p90 ${ms(propagation.p90_ms)}, p99 ${ms(propagation.p99_ms)}, max ${ms(propagation.max_ms)} (mean ${ms(propagation.mean_ms)})`,
      `   polled back to back: one poll round trip ≈ ${propagation.poll_round_trip_ms.toFixed(3)} ms, the most the polling adds (${propagation.polls_per_change.toFixed(2)} polls per change;`,
      `   ${(propagation.accepted_on_first_poll * 100).toFixed(1)} % of the keys were accepted by the first poll after the 201: the agent mostly applies the change`,
      `   before the admin API's answer reaches the client, so these figures are mostly one poll round trip, an upper bound)`,
      `   POST /api/tokens sent → the agent accepts the key: p50 ${ms(propagation.request_to_accepted_p50_ms)}, p99 ${ms(propagation.request_to_accepted_p99_ms)}, max ${ms(propagation.request_to_accepted_max_ms)}`,
      `   (of which the admin API's own answer: p50 ${ms(propagation.admin_create_p50_ms)}, p99 ${ms(propagation.admin_create_p99_ms)})`,
      '',
      `2. A new agent's snapshot of ${runs[0].tokens.toLocaleString('en-US')} tokens and ${runs[0].channels.toLocaleString('en-US')} channels (sealed keys), ${fmtBytes(snapshot.snapshot_bytes)} on disk; ${SNAPSHOT_RUNS} fresh agents, median (max):`,
      `   spawn → enrolled           ${ms(m.enrolled_ms)}`,
      `   spawn → listening          ${ms(m.listening_ms)}`,
      `   spawn → hello at master    ${ms(m.hello_ms)}`,
      `   spawn → policy synced      ${ms(m.synced_ms)} (${ms(worst(runs.map((r) => r.synced_ms)))})   snapshot received and parsed (log line)`,
      `   spawn → serving the keys   ${ms(m.serving_ms)} (${ms(snapshot.max_spawn_to_serving_ms)})   aim < ${SNAPSHOT_AIM_MS} ms: ${snapshot.max_spawn_to_serving_ms < SNAPSHOT_AIM_MS ? 'met' : 'MISSED'}`,
      `   listening → policy synced  ${ms(m.listening_to_synced_ms)} (${ms(worst(runs.map((r) => r.listening_to_synced_ms)))})   the sync part`,
      `   hello → policy synced      ${ms(m.hello_to_synced_ms)} (${ms(worst(runs.map((r) => r.hello_to_synced_ms)))})   master builds, sends; agent receives, parses`,
      `   policy synced → serving    ${ms(m.synced_to_serving_ms)}   apply + one poll`,
      `   (seeding with SQL took ${ms(seedMs)}; snapshot via ${[...new Set(runs.map((r) => r.via))].join(', ')})`,
      '',
    ];
    console.log(lines.join('\n'));
    mkdirSync(dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify({ meta, propagation, snapshot }, null, 2)}\n`);
    console.log(`written to ${RESULTS_FILE.slice(root.length + 1)}`);
    // A run with the default sizes also updates its block of docs/benchmarks.md.
    if (!Object.keys(process.env).some((name) => name.startsWith('BENCH_SYNC_'))) {
      const markdown = [`Latest run (${meta.date.slice(0, 10)}, commit ${meta.commit}): \`${meta.command}\`, node ${meta.node}, ${meta.cpus}, Postgres ${meta.postgres}.`, '', '```', ...lines.slice(3), '```', ''].join('\n');
      replaceDocBlock(root, 'sync-bench', 'bench/sync.mjs', 'Sync (master → agents)', markdown);
      console.log('written to docs/benchmarks.md');
    }
  } finally {
    release();
    await cleanup();
  }
}

function fmtBytes(bytes) {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB (${bytes.toLocaleString('en-US')} bytes)` : `${(bytes / 1024).toFixed(1)} KiB`;
}

await main().catch((error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
