/**
 * The master/agent split, end to end with real processes: a built master on
 * Postgres + Redis and two built agents (`dist/apps/agent/src/main.js`),
 * each enrolled with an enrollment token, syncing over WebSocket through a
 * proxy that records every byte. Only the upstream LLM is a fake.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeProvider, startFakeProvider } from '../fake-provider';
import { RunningProcess, freePort, startProcess } from '../support/child-process';
import { TEST_REDIS_URL } from '../support/environment';
import { RecordingProxy, startRecordingProxy } from '../support/recording-proxy';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const ROOT = resolve(__dirname, '../..');
const NODE = join(ROOT, 'node_modules/.bin/node');
const MASTER_MAIN = join(ROOT, 'dist/apps/master/src/main.js');
const AGENT_MAIN = join(ROOT, 'dist/apps/agent/src/main.js');
const KEY = 'sk-aigw-agent-sync-0123456789abcdefghij';
const ADMIN_PASSWORD = 'agent-sync-admin-password';
const EU_KEY = 'sk-eu-only-upstream-key-never-leaves-eu';
const BOUND_MS = 30_000;
const RETENTION = 1_500;
/** Masters sharing one database share these (the channel-key and agent-key encryption key, the JWT secret). */
const SECRET_KEY = 'a'.repeat(64);
const JWT_SECRET = 'jwt-secret-shared-by-the-masters-0123456789';

async function until(what: string, check: () => Promise<boolean> | boolean, boundMs = BOUND_MS, everyMs = 50): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${boundMs} ms: ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('master and agents as separate processes', () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let proxy: RecordingProxy;
  let db: pg.Client;
  let masterPort: number;
  let master: RunningProcess;
  let jwt: string;
  let secondMaster: RunningProcess | undefined;
  const agentPorts: Record<string, number> = {};
  const agentDirs: Record<string, string> = {};
  const agents: Record<string, RunningProcess> = {};
  /** Request ids (x-request-id) of every successful request the agents served. */
  const served: string[] = [];
  const createdKeys: string[] = [];

  const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, AIGW_LOG_LEVEL: 'info' });

  const startMaster = async (port = masterPort, dataDir = 'master-data'): Promise<RunningProcess> => {
    const started = startProcess(NODE, [MASTER_MAIN], {
      cwd: database.dataDir,
      env: {
        ...baseEnv(),
        AIGW_SECRET_KEY: SECRET_KEY,
        AIGW_JWT_SECRET: JWT_SECRET,
        PORT: String(port),
        HOST: '127.0.0.1',
        AIGW_CONFIG: join(database.dataDir, 'config.yaml'),
        DATABASE_URL: database.url!,
        REDIS_URL: TEST_REDIS_URL,
        AIGW_REDIS_PREFIX: `aigw-agent-sync-${process.pid}`,
        AIGW_ADMIN_PASSWORD: ADMIN_PASSWORD,
        AIGW_DATA_DIR: join(database.dataDir, dataDir),
        AIGW_SYNC_HEARTBEAT_MS: '500',
        AIGW_CHANGE_LOG_RETENTION: String(RETENTION),
        AIGW_LOG_LEVEL: 'warn',
      },
    });
    await started.waitForLine(/aigw master listening/);
    if (port === masterPort) master = started;
    return started;
  };

  const startAgent = async (name: string, enrollmentToken?: string, masterUrl?: string) => {
    agentDirs[name] ??= mkdtempSync(join(tmpdir(), `aigw-agent-${name}-`));
    agentPorts[name] ??= await freePort();
    agents[name] = startProcess(NODE, [AGENT_MAIN], {
      cwd: agentDirs[name],
      env: {
        ...baseEnv(),
        PORT: String(agentPorts[name]),
        HOST: '127.0.0.1',
        AIGW_MASTER_URL: masterUrl ?? proxy.url,
        ...(enrollmentToken ? { AIGW_ENROLLMENT_TOKEN: enrollmentToken } : {}),
        AIGW_AGENT_NAME: name,
        AIGW_REGION: 'us',
        AIGW_DATA_DIR: join(agentDirs[name], 'data'),
      },
    });
    await agents[name].waitForLine(/aigw agent .* listening/);
  };

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${masterPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${jwt}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  const chat = async (agent: string, key = KEY) => {
    const response = await fetch(`http://127.0.0.1:${agentPorts[agent]}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sync-model', max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] }),
    });
    await response.arrayBuffer();
    if (response.status === 200) served.push(response.headers.get('x-request-id')!);
    return response.status;
  };

  /** 200 or 401 for a key on an agent, cheaply (the model list). */
  const accepts = async (agent: string, key: string) =>
    (await fetch(`http://127.0.0.1:${agentPorts[agent]}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status === 200;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    fake = await startFakeProvider();
    masterPort = await freePort();
    writeFileSync(
      join(database.dataDir, 'config.yaml'),
      JSON.stringify({
        bootstrap: {
          users: [{ username: 'sync-user', balance_usd: 100 }],
          channels: [
            { name: 'sync-openai', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai },
            { name: 'eu-only', type: 'openai', base_url: `${fake.url}/v1`, key: EU_KEY, region: 'eu' },
          ],
          models: [{ name: 'sync-model', price: { input: 1, output: 2 } }],
          routes: [{ model: 'sync-model', channel: 'sync-openai', upstream_model: 'gpt-4o-mini' }],
          tokens: [{ name: 'sync', key: KEY, user: 'sync-user' }],
        },
      }),
    );
    await startMaster();
    proxy = await startRecordingProxy(masterPort);
    db = new pg.Client({ connectionString: database.url! });
    await db.connect();
    const login = await fetch(`http://127.0.0.1:${masterPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    jwt = ((await login.json()) as { access_token: string }).access_token;
  }, 120_000);

  afterAll(async () => {
    for (const agent of Object.values(agents)) await agent.terminate();
    await secondMaster?.terminate();
    await master?.terminate();
    await proxy?.close();
    await db?.end();
    await fake?.close();
    await database?.drop();
  });

  it('two agents enroll with one token and serve the master policy', async () => {
    const enrollment = await admin('POST', '/api/agents/enrollment-tokens', { name: 'two-agents', max_uses: 2 });
    expect(enrollment.status).toBe(201);
    await Promise.all([startAgent('agent-a', enrollment.body.token), startAgent('agent-b', enrollment.body.token)]);
    for (const name of ['agent-a', 'agent-b']) {
      await until(`${name} serves`, async () => (await chat(name)) === 200);
      const identity = join(agentDirs[name], 'data', 'agent.json');
      expect(statSync(identity).mode & 0o777).toBe(0o600);
    }
    // The token had two uses: a third agent is refused.
    const third = await fetch(`http://127.0.0.1:${masterPort}/api/agents/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${enrollment.body.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'agent-c' }),
    });
    expect(third.status).toBe(401);
    const listed = await admin('GET', '/api/agents');
    expect(listed.body.data.map((agent: { name: string }) => agent.name)).toEqual(['agent-a', 'agent-b']);
    await until('both agents report heartbeats', async () => {
      const list = (await admin('GET', '/api/agents')).body.data as Array<{ online: boolean; region: string; version: string; lag: number }>;
      return list.every((agent) => agent.online && agent.region === 'us' && agent.version && agent.lag === 0);
    });
  }, 120_000);

  it('an admin change reaches both agents (propagation p99 < 250 ms); a revoked token is refused by both', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 40; i += 1) {
      const created = await admin('POST', '/api/tokens', { name: `propagate-${i}`, user_id: (await db.query(`SELECT id FROM users WHERE username = 'sync-user'`)).rows[0].id });
      expect(created.status).toBe(201);
      const committed = performance.now();
      createdKeys.push(created.body.key);
      await until('both agents accept the new token', async () => (await accepts('agent-a', created.body.key)) && (await accepts('agent-b', created.body.key)), 5_000, 2);
      latencies.push(performance.now() - committed);
      if (i === 0) {
        const revoked = await admin('PATCH', `/api/tokens/${created.body.id}`, { status: 'disabled' });
        expect(revoked.status).toBe(200);
        await until('both agents refuse the disabled token', async () => !(await accepts('agent-a', created.body.key)) && !(await accepts('agent-b', created.body.key)), 5_000, 2);
      }
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    process.stdout.write(`propagation over ${latencies.length} changes: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms\n`);
    expect(p99).toBeLessThan(250);
  }, 120_000);

  it('two agents sharing a token with a small quota spend no more than the quota between them (leases)', async () => {
    const channel = (await admin('GET', '/api/channels')).body.data.find((row: { name: string }) => row.name === 'sync-openai');
    expect((await admin('POST', '/api/models', { name: 'lease-model', price: { input: 100, output: 200 } })).status).toBe(201);
    expect((await admin('POST', '/api/routes', { model: 'lease-model', channel_id: channel.id, upstream_model: 'gpt-4o-mini' })).status).toBe(201);
    const userId = (await db.query(`SELECT id FROM users WHERE username = 'sync-user'`)).rows[0].id;
    const QUOTA = 50_000; // $0.05: a handful of requests at these prices
    const token = await admin('POST', '/api/tokens', { name: 'shared-small', user_id: userId, quota_usd: 0.05 });
    expect(token.status).toBe(201);
    await until('both agents know the token', async () => (await accepts('agent-a', token.body.key)) && (await accepts('agent-b', token.body.key)));
    const statuses: Record<string, number[]> = { 'agent-a': [], 'agent-b': [] };
    const ids: string[] = [];
    const one = async (agent: string) => {
      const response = await fetch(`http://127.0.0.1:${agentPorts[agent]}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.body.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'lease-model', max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] }),
      });
      const body = (await response.json()) as { error?: { code?: string } };
      statuses[agent].push(response.status);
      if (response.status === 200) ids.push(response.headers.get('x-request-id')!);
      else expect({ status: response.status, code: body.error?.code }).toEqual({ status: 402, code: 'insufficient_quota' });
    };
    // Both agents at once, four requests in flight on each, until each has been refused a few times.
    const refusedTwice = (agent: string) => statuses[agent].filter((status) => status === 402).length >= 3;
    for (let round = 0; round < 60 && !(refusedTwice('agent-a') && refusedTwice('agent-b')); round += 1) {
      await Promise.all(['agent-a', 'agent-b'].flatMap((agent) => Array.from({ length: 4 }, () => one(agent))));
    }
    expect(statuses['agent-a'].filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses['agent-b'].filter((status) => status === 200).length).toBeGreaterThan(0);
    await until('the shared token usage settled', async () => Number((await db.query('SELECT count(*)::int AS n FROM usage_logs WHERE request_id = ANY($1)', [ids])).rows[0].n) === ids.length);
    const [spent] = (await db.query('SELECT used_micros::bigint AS used, (SELECT sum(cost_micros) FROM usage_logs WHERE token_id = $1)::bigint AS logged FROM api_tokens WHERE id = $1', [token.body.id])).rows;
    process.stdout.write(`shared quota ${QUOTA} micro-USD: spent ${spent.used} by ${ids.length} requests over two agents\n`);
    // Leases never lend more than is left: connected agents overspend by nothing (docs/sync-protocol.md).
    expect(Number(spent.used)).toBe(Number(spent.logged));
    expect(Number(spent.used)).toBeLessThanOrEqual(QUOTA);
    expect(Number(spent.used)).toBeGreaterThan(QUOTA / 2);
    served.push(...ids);
  }, 120_000);

  it('with the master down the agents keep serving and spool usage; an agent restarted meanwhile serves from its snapshot', async () => {
    process.kill(-master.child.pid!, 'SIGKILL');
    await master.exited;
    for (const name of ['agent-a', 'agent-b']) for (let i = 0; i < 10; i += 1) expect(await chat(name)).toBe(200);
    await agents['agent-a'].terminate();
    await startAgent('agent-a');
    expect(agents['agent-a'].stdout.some((line) => line.includes('serving the policy snapshot on disk'))).toBe(true);
    for (let i = 0; i < 10; i += 1) expect(await chat('agent-a')).toBe(200);
    expect(await accepts('agent-a', createdKeys[5])).toBe(true);
  }, 120_000);

  it('the master comes back and the spooled usage settles exactly once, to the micro-unit', async () => {
    await startMaster();
    const settled = async () => Number((await db.query('SELECT count(*)::int AS n FROM usage_logs WHERE request_id = ANY($1)', [served])).rows[0].n);
    await until('every served request settled', async () => (await settled()) === served.length).catch(async (error) => {
      process.stdout.write(`DEBUG settled ${await settled()} of ${served.length}\n`);
      for (const [name, agent] of Object.entries(agents)) process.stdout.write(`DEBUG ${name}:\n${agent.stdout.filter((l) => /usage|refus|error|warn/i.test(l)).slice(-20).join('\n')}\n${agent.stderr.slice(-20).join('\n')}\n`);
      process.stdout.write(`DEBUG master:\n${master.stdout.slice(-20).join('\n')}\n${master.stderr.slice(-30).join('\n')}\n`);
      throw error;
    });
    expect(served.every((id) => /^[0-9a-f-]{36}\.[0-9a-f-]{36}$/.test(id))).toBe(true);
    const [row] = (
      await db.query(
        `SELECT u.balance_micros::text AS balance,
           (SELECT sum(amount_micros)::text FROM balance_ledger WHERE user_id = u.id) AS ledger,
           (SELECT count(*)::int FROM balance_ledger WHERE request_id = ANY($2)) AS entries,
           (SELECT sum(cost_micros)::text FROM usage_logs WHERE user_id = u.id) AS spent
         FROM users u WHERE u.username = $1`,
        ['sync-user', served],
      )
    ).rows;
    expect(row.entries).toBe(served.length);
    expect(row.ledger).toBe(row.balance);
    expect(100_000_000n - BigInt(row.spent)).toBe(BigInt(row.balance));
    // Nothing is charged twice when the agents deliver again.
    const agentsByRequest = await db.query('SELECT agent_id, region, count(*)::int AS n FROM usage_logs WHERE request_id = ANY($1) GROUP BY agent_id, region', [served]);
    expect(agentsByRequest.rows.length).toBe(2);
    // Each row names the agent that served it, stamped by the master from the sync session (agents send neither), and the agent's region.
    for (const row of agentsByRequest.rows) expect(served.filter((id) => id.startsWith(`${row.agent_id}.`)).length).toBe(row.n);
    expect(agentsByRequest.rows.map((row) => row.region)).toEqual(['us', 'us']);
    await until('the agents spools are empty', async () => {
      const list = (await admin('GET', '/api/agents')).body.data as Array<{ online: boolean; stats: { spool_records?: number } }>;
      return list.every((agent) => agent.online && agent.stats.spool_records === 0);
    });
  }, 120_000);

  it('an agent that missed 1,000 changes catches up by deltas; one that missed more than the retained log gets a snapshot', async () => {
    const userId = (await db.query(`SELECT id FROM users WHERE username = 'sync-user'`)).rows[0].id;
    const missChanges = async (count: number) => {
      await db.query(
        `INSERT INTO api_tokens (name, key_hash, key_hint, user_id)
         SELECT 'bulk-' || g || '-' || $2, md5(random()::text) || md5(random()::text), 'sk-…bulk', $1 FROM generate_series(1, $3) g`,
        [userId, randomUUID().slice(0, 8), count],
      );
    };
    await agents['agent-a'].terminate();
    await missChanges(1_000);
    await startAgent('agent-a');
    await until('agent-a caught up', () => agents['agent-a'].stdout.some((line) => line.includes('policy synced with the master')));
    expect(agents['agent-a'].stdout.find((line) => line.includes('policy synced with the master'))).toContain('"via":"delta"');
    await agents['agent-a'].terminate();
    await missChanges(RETENTION + 500);
    // The master prunes the log past the retention as the burst arrives.
    await until('the change log is pruned', async () => Number((await db.query('SELECT count(*)::int AS n FROM policy_changes')).rows[0].n) <= RETENTION + 200);
    await startAgent('agent-a');
    await until('agent-a caught up again', () => agents['agent-a'].stdout.some((line) => line.includes('policy synced with the master')));
    expect(agents['agent-a'].stdout.find((line) => line.includes('policy synced with the master'))).toContain('"via":"snapshot"');
    expect(await chat('agent-a')).toBe(200);
  }, 120_000);

  it('no plaintext channel key, token key or password hash in any agent data directory or in the sync traffic', async () => {
    const hashes = (await db.query('SELECT password_hash FROM users WHERE password_hash IS NOT NULL')).rows.map((row) => row.password_hash as string);
    expect(hashes.length).toBeGreaterThan(0);
    const secrets = [EU_KEY, fake.keys.openai, KEY, ...createdKeys, ...hashes];
    const haystacks: Array<[string, Buffer]> = [
      ['sync traffic to agents', proxy.downstream()],
      ['sync traffic from agents', proxy.upstream()],
      ...['agent-a', 'agent-b'].flatMap((name) => filesUnder(join(agentDirs[name], 'data')).map((path): [string, Buffer] => [path, readFileSync(path)])),
    ];
    expect(haystacks.some(([name]) => name.endsWith('policy-snapshot.json'))).toBe(true);
    for (const [name, bytes] of haystacks) {
      for (const secret of secrets) expect(bytes.includes(secret), `${name} holds a secret`).toBe(false);
    }
    // The eu-only channel is not even named to agents of region us.
    expect(readFileSync(join(agentDirs['agent-a'], 'data', 'policy-snapshot.json'), 'utf8')).not.toContain('eu-only');
  });

  it('a revoked agent is disconnected at once, stops serving, and cannot reconnect', async () => {
    const list = (await admin('GET', '/api/agents')).body.data as Array<{ id: string; name: string }>;
    const agentB = list.find((agent) => agent.name === 'agent-b')!;
    expect(await chat('agent-b')).toBe(200);
    expect((await admin('DELETE', `/api/agents/${agentB.id}`)).status).toBe(204);
    await until('agent-b stops serving', async () => (await chat('agent-b')) === 503);
    const identity = JSON.parse(readFileSync(join(agentDirs['agent-b'], 'data', 'agent.json'), 'utf8')) as { credential: string };
    const refused = await new Promise<number>((done) => {
      const socket = new WebSocket(`ws://127.0.0.1:${masterPort}/api/agents/sync`, { headers: { authorization: `Bearer ${identity.credential}` } });
      socket.on('unexpected-response', (_request, response) => done(response.statusCode ?? 0));
      socket.on('open', () => done(101));
      socket.on('error', () => undefined);
    });
    expect(refused).toBe(403);
    // An agent credential never opens the admin API.
    expect((await fetch(`http://127.0.0.1:${masterPort}/api/agents`, { headers: { authorization: `Bearer ${identity.credential}` } })).status).toBe(401);
    // What agent-b served before the revocation was delivered and settled.
    const settled = Number((await db.query('SELECT count(*)::int AS n FROM usage_logs WHERE request_id = ANY($1)', [served])).rows[0].n);
    await until('agent-b usage from before the revocation settles', async () =>
      Number((await db.query('SELECT count(*)::int AS n FROM usage_logs WHERE request_id = ANY($1)', [served])).rows[0].n) === served.length,
    ).catch(async (error) => {
      const missing = (await db.query('SELECT request_id FROM usage_logs WHERE request_id = ANY($1)', [served])).rows.map((r) => r.request_id);
      process.stdout.write(`DEBUG missing ${served.filter((id) => !missing.includes(id)).join(',')}\n`);
      process.stdout.write(`DEBUG agent-b:\n${agents['agent-b'].stdout.filter((l) => !/"level":30,.*"(incoming request|request completed)"/.test(l)).slice(-30).join('\n')}\n${agents['agent-b'].stderr.slice(-20).join('\n')}\n`);
      process.stdout.write(`DEBUG master:\n${master.stdout.slice(-20).join('\n')}\n`);
      throw error;
    });
    expect(settled).toBeLessThanOrEqual(served.length);
    expect(existsSync(join(agentDirs['agent-b'], 'data', 'agent.json'))).toBe(true);
  }, 60_000);
  it('a second master on the same database: changes and revocations made on one reach agents connected to the other', async () => {
    const secondPort = await freePort();
    secondMaster = await startMaster(secondPort, 'master-2-data');
    const enrollment = await admin('POST', '/api/agents/enrollment-tokens', { name: 'second-master' });
    await startAgent('agent-c', enrollment.body.token, `http://127.0.0.1:${secondPort}`);
    await until('agent-c serves', async () => (await chat('agent-c')) === 200);
    const userId = (await db.query(`SELECT id FROM users WHERE username = 'sync-user'`)).rows[0].id;
    // Written through the first master; agent-c hears of it from the second (Postgres NOTIFY).
    const latencies: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const created = await admin('POST', '/api/tokens', { name: `across-masters-${i}`, user_id: userId });
      const committed = performance.now();
      await until('agent-c accepts a token created on the other master', () => accepts('agent-c', created.body.key), 5_000, 2);
      latencies.push(performance.now() - committed);
    }
    process.stdout.write(`propagation across masters over ${latencies.length} changes: p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms\n`);
    expect(percentile(latencies, 99)).toBeLessThan(250);
    const agentC = ((await admin('GET', '/api/agents')).body.data as Array<{ id: string; name: string }>).find((agent) => agent.name === 'agent-c')!;
    expect((await admin('DELETE', `/api/agents/${agentC.id}`)).status).toBe(204);
    await until('agent-c, connected to the other master, stops serving', async () => (await chat('agent-c')) === 503);
  }, 120_000);
});

