/**
 * The master's agent endpoints, spoken to directly: enrollment, the sync
 * WebSocket (authentication at the upgrade, hello, snapshot and deltas,
 * protocol violations, frame size), usage ingest and quota leases. Remote
 * agents as processes are in test/process/agent-sync.spec.ts.
 */
import { SecretCipher } from '@aigw/config';
import { MasterMessage, SYNC_CLOSE, UsageRecord, usageRow } from '@aigw/contracts';
import { openChannel } from '@aigw/sync';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMaster, startTestMaster } from '../support/test-master';

const CHANNEL_KEY = 'sk-upstream-key-for-the-sync-hub-test';

interface Peer {
  socket: WebSocket;
  messages: MasterMessage[];
  next(type: MasterMessage['type'], timeoutMs?: number): Promise<MasterMessage>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
}

describe('sync hub: enrollment, the agent WebSocket, usage and leases', () => {
  let master: TestMaster;
  let userId: string;
  let tokenId: string;

  const admin = (method: string, path: string, body?: unknown) => master.request(method, path, { token: master.adminToken, body });

  const enrollmentToken = async (fields: Record<string, unknown> = {}) => {
    const created = await admin('POST', '/api/agents/enrollment-tokens', { name: `enroll-${randomUUID().slice(0, 8)}`, ...fields });
    expect(created.status).toBe(201);
    return created.body.token as string;
  };

  const enroll = (token: string, body: Record<string, unknown>) =>
    master.request('POST', '/api/agents/enroll', { headers: { authorization: `Bearer ${token}` }, body });

  const enrolled = async (name = `agent-${randomUUID().slice(0, 8)}`, region?: string) => {
    const result = await enroll(await enrollmentToken(), { name, ...(region ? { region } : {}) });
    expect(result.status).toBe(201);
    return result.body as { agent_id: string; credential: string; sync_key: string; region: string };
  };

  /** Opens a sync connection; resolves with the HTTP status when the upgrade is refused. */
  const connect = (credential: string | null): Promise<Peer | number> =>
    new Promise((resolve) => {
      const socket = new WebSocket(`${master.url.replace('http', 'ws')}/api/agents/sync`, {
        headers: credential ? { authorization: `Bearer ${credential}` } : {},
        maxPayload: 64 * 1024 * 1024,
      });
      const messages: MasterMessage[] = [];
      const waiters: Array<{ type: string; resolve(message: MasterMessage): void }> = [];
      let seen = 0;
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as MasterMessage;
        messages.push(message);
        for (const waiter of [...waiters]) {
          if (waiter.type === message.type) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(message);
          }
        }
      });
      const closed = new Promise<{ code: number; reason: string }>((done) => socket.on('close', (code, reason) => done({ code, reason: reason.toString() })));
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => undefined);
      socket.on('open', () =>
        resolve({
          socket,
          messages,
          closed,
          send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
          next: (type, timeoutMs = 5_000) => {
            const index = messages.findIndex((message, position) => position >= seen && message.type === type);
            if (index >= 0) {
              seen = index + 1;
              return Promise.resolve(messages[index]);
            }
            return new Promise((done, fail) => {
              const timer = setTimeout(() => fail(new Error(`no ${type} within ${timeoutMs} ms`)), timeoutMs);
              waiters.push({
                type,
                resolve: (message) => {
                  clearTimeout(timer);
                  seen = messages.length;
                  done(message);
                },
              });
            });
          },
        }),
      );
    });

  const open = async (credential: string): Promise<Peer> => {
    const peer = await connect(credential);
    if (typeof peer === 'number') throw new Error(`upgrade refused with ${peer}`);
    return peer;
  };

  const usageRecord = (agentId: string, cost = 1_000) => ({
    request_id: `${agentId}.${randomUUID()}`,
    agent_id: agentId,
    token_id: tokenId,
    user_id: userId,
    model: 'hub-model',
    prompt_tokens: 10,
    completion_tokens: 5,
    cost_micros: cost,
    latency_ms: 12,
    status: 200,
    created_at: new Date().toISOString(),
  });

  beforeAll(async () => {
    master = await startTestMaster({
      config: {
        bootstrap: {
          users: [{ username: 'hub-user', balance_usd: 1 }],
          channels: [
            { name: 'hub-everywhere', type: 'openai', base_url: 'http://127.0.0.1:9/v1', key: CHANNEL_KEY },
            { name: 'hub-eu', type: 'openai', base_url: 'http://127.0.0.1:9/v1', key: 'sk-eu-key', region: 'eu' },
          ],
          models: [{ name: 'hub-model', price: { input: 1, output: 2 } }],
          tokens: [{ name: 'hub-token', key: 'sk-aigw-hub-token-0123456789abcdefghij', user: 'hub-user', quota_usd: 0.01 }],
        },
      },
    });
    userId = (await admin('GET', '/api/users', undefined)).body.data.find((user: { username: string }) => user.username === 'hub-user').id;
    tokenId = (await admin('GET', '/api/tokens')).body.data.find((token: { name: string }) => token.name === 'hub-token').id;
  });

  afterAll(() => master?.close());

  describe('enrollment', () => {
    it('a single-use token enrolls exactly one of ten concurrent agents', async () => {
      const token = await enrollmentToken();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => enroll(token, { name: `racer-${randomUUID().slice(0, 6)}-${i}` })));
      expect(results.filter((result) => result.status === 201)).toHaveLength(1);
      expect(results.filter((result) => result.status === 401)).toHaveLength(9);
      const listed = (await admin('GET', '/api/agents/enrollment-tokens')).body.data as Array<{ uses: number; max_uses: number }>;
      expect(listed.some((entry) => entry.uses === 1 && entry.max_uses === 1)).toBe(true);
    });

    it('answers the credential and sync key once; keeps only hashes and sealed keys', async () => {
      const agent = await enrolled('agent-once');
      expect(agent.credential).toMatch(/^aigw-agent-/);
      expect(Buffer.from(agent.sync_key, 'base64')).toHaveLength(32);
      const row = (await master.master.database.dataSource.query('SELECT credential_hash, sync_key_ciphertext FROM agents WHERE id = $1', [agent.agent_id]))[0];
      expect(row.credential_hash).not.toContain(agent.credential);
      expect(row.sync_key_ciphertext).not.toContain(agent.sync_key);
      const listed = JSON.stringify((await admin('GET', `/api/agents/${agent.agent_id}`)).body);
      expect(listed).not.toContain(agent.credential);
      expect(listed).not.toContain(agent.sync_key);
    });

    it('refuses unknown, revoked, expired and used-up tokens (401), a taken name (409), a region the token is not for (400)', async () => {
      expect((await enroll('aigw-enroll-unknown', { name: 'nobody' })).status).toBe(401);
      expect((await master.request('POST', '/api/agents/enroll', { body: { name: 'nobody' } })).status).toBe(401);
      const revokedToken = await enrollmentToken();
      const id = (await admin('GET', '/api/agents/enrollment-tokens')).body.data[0].id;
      expect((await admin('DELETE', `/api/agents/enrollment-tokens/${id}`)).status).toBe(204);
      expect((await enroll(revokedToken, { name: 'revoked-token' })).status).toBe(401);
      const expired = await enrollmentToken();
      await master.master.database.dataSource.query(`UPDATE enrollment_tokens SET expires_at = now() - interval '1 second' WHERE uses = 0 AND revoked_at IS NULL`);
      expect((await enroll(expired, { name: 'expired-token' })).status).toBe(401);
      const twice = await enrollmentToken({ max_uses: 2 });
      expect((await enroll(twice, { name: 'taken-name' })).status).toBe(201);
      const taken = await enroll(twice, { name: 'taken-name' });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('conflict');
      const euOnly = await enrollmentToken({ region: 'eu' });
      const wrongRegion = await enroll(euOnly, { name: 'wrong-region', region: 'us' });
      expect(wrongRegion.status).toBe(400);
      const bound = await enroll(euOnly, { name: 'bound-region' });
      expect(bound.body.region).toBe('eu');
      const invalid = await enroll(await enrollmentToken(), { name: '../etc' });
      expect(invalid.status).toBe(400);
    });
  });

  describe('the sync WebSocket', () => {
    it('checks the credential at the upgrade: none or unknown → 401, revoked → 403', async () => {
      expect(await connect(null)).toBe(401);
      expect(await connect('aigw-agent-not-a-real-one')).toBe(401);
      const agent = await enrolled();
      const peer = await open(agent.credential);
      peer.send({ type: 'hello', protocol: 1, build: 'test', applied_version: 0 });
      await peer.next('snapshot');
      expect((await admin('DELETE', `/api/agents/${agent.agent_id}`)).status).toBe(204);
      expect((await peer.closed).code).toBe(SYNC_CLOSE.revoked);
      expect(await connect(agent.credential)).toBe(403);
    });

    it('hello → welcome and a snapshot of what the agent may serve, sealed with its key; a change → a delta', async () => {
      const agent = await enrolled(undefined, 'us');
      const cipher = new SecretCipher(Buffer.from(agent.sync_key, 'base64'));
      const peer = await open(agent.credential);
      peer.send({ type: 'hello', protocol: 1, build: 'test', applied_version: 0 });
      const welcome = await peer.next('welcome');
      expect(welcome).toMatchObject({ protocol: 2, agent_id: agent.agent_id, heartbeat_ms: expect.any(Number) });
      const { snapshot } = (await peer.next('snapshot')) as Extract<MasterMessage, { type: 'snapshot' }>;
      expect(snapshot.channels.map((channel) => channel.name)).toEqual(['hub-everywhere']);
      expect(JSON.stringify(snapshot)).not.toContain(CHANNEL_KEY);
      expect(openChannel(snapshot.channels[0], cipher).key).toBe(CHANNEL_KEY);
      expect(JSON.stringify(snapshot.tokens)).not.toContain('sk-aigw-hub-token');
      peer.send({ type: 'ack', version: snapshot.version });

      const created = await admin('POST', '/api/tokens', { name: 'delta-token', user_id: userId });
      const { delta } = (await peer.next('delta')) as Extract<MasterMessage, { type: 'delta' }>;
      expect(delta.from).toBe(snapshot.version);
      expect(delta.to).toBeGreaterThan(snapshot.version);
      expect(delta.upserts.tokens?.map((token) => token.id)).toEqual([created.body.id]);
      expect((await admin('DELETE', `/api/tokens/${created.body.id}`)).status).toBe(204);
      const removal = (await peer.next('delta')) as Extract<MasterMessage, { type: 'delta' }>;
      expect(removal.delta.deletes.tokens).toEqual([created.body.id]);
      peer.socket.close();
    });

    it('an agent at the head gets no snapshot on reconnect; one behind gets the deltas since its version', async () => {
      const agent = await enrolled();
      const first = await open(agent.credential);
      first.send({ type: 'hello', protocol: 1, build: 'test', applied_version: 0 });
      const { snapshot } = (await first.next('snapshot')) as Extract<MasterMessage, { type: 'snapshot' }>;
      first.socket.close();
      await first.closed;
      await admin('POST', '/api/models', { name: `while-away-${randomUUID().slice(0, 6)}` });
      const second = await open(agent.credential);
      second.send({ type: 'hello', protocol: 1, build: 'test', applied_version: snapshot.version });
      const { delta } = (await second.next('delta')) as Extract<MasterMessage, { type: 'delta' }>;
      expect(delta.from).toBe(snapshot.version);
      expect(delta.upserts.models).toHaveLength(1);
      expect(second.messages.some((message) => message.type === 'snapshot')).toBe(false);
      second.socket.close();
    });

    it('closes on protocol violations: a frame before hello, malformed JSON, a protocol too old, an oversized frame', async () => {
      const agent = await enrolled();
      const early = await open(agent.credential);
      early.send({ type: 'ack', version: 1 });
      expect((await early.closed).code).toBe(SYNC_CLOSE.violation);
      const garbled = await open(agent.credential);
      garbled.send('{not json');
      expect((await garbled.closed).code).toBe(SYNC_CLOSE.violation);
      const old = await open(agent.credential);
      old.send({ type: 'hello', protocol: 0, build: 'ancient', applied_version: 0 });
      expect(await old.next('error')).toMatchObject({ code: 'unsupported_protocol' });
      expect((await old.closed).code).toBe(SYNC_CLOSE.unsupported);
      const huge = await open(agent.credential);
      huge.send('x'.repeat(9 * 1024 * 1024));
      expect((await huge.closed).code).toBe(1009);
    });

    it('ignores message types it does not know (a newer agent) and keeps the session', async () => {
      const agent = await enrolled();
      const peer = await open(agent.credential);
      peer.send({ type: 'hello', protocol: 1, build: 'test', applied_version: 0, future_field: true });
      await peer.next('snapshot');
      peer.send({ type: 'telemetry-v9', payload: [1, 2, 3] });
      peer.send({ type: 'lease', id: 7, subject: `u:${userId}`, need: 0, want: 1 });
      expect(await peer.next('lease_grant')).toMatchObject({ id: 7 });
      peer.socket.close();
    });
  });

  describe('usage over the sync session', () => {
    it('settles the agent’s records once, refuses forged ones, and a batch sent twice charges nothing twice', async () => {
      const agent = await enrolled();
      const other = await enrolled();
      const peer = await open(agent.credential);
      peer.send({ type: 'hello', protocol: 1, build: 'test', applied_version: 0 });
      await peer.next('snapshot');
      const mine = [usageRecord(agent.agent_id), usageRecord(agent.agent_id)];
      const foreign = usageRecord(other.agent_id);
      const claimed = { ...usageRecord(agent.agent_id), request_id: `${other.agent_id}.${randomUUID()}` };
      const negative = { ...usageRecord(agent.agent_id), cost_micros: -5 };
      const before = Number((await master.master.database.dataSource.query('SELECT balance_micros FROM users WHERE id = $1', [userId]))[0].balance_micros);
      peer.send({ type: 'usage', first: 1, last: 5, records: [...mine, foreign, claimed, negative] });
      const ack = (await peer.next('usage_ack', 30_000)) as Extract<MasterMessage, { type: 'usage_ack' }>;
      expect(ack).toMatchObject({ last: 5, outcome: 'settled' });
      expect(ack.refused.map((entry) => entry.request_id).sort()).toEqual([foreign.request_id, claimed.request_id, negative.request_id].sort());
      peer.send({ type: 'usage', first: 1, last: 5, records: mine });
      expect(await peer.next('usage_ack', 30_000)).toMatchObject({ last: 5, outcome: 'settled', refused: [] });
      const rows = await master.master.database.dataSource.query('SELECT count(*)::int AS n FROM usage_logs WHERE request_id = ANY($1)', [
        [...mine, foreign, claimed, negative].map((record) => record.request_id),
      ]);
      expect(rows[0].n).toBe(2);
      const after = Number((await master.master.database.dataSource.query('SELECT balance_micros FROM users WHERE id = $1', [userId]))[0].balance_micros);
      expect(before - after).toBe(2_000);
      peer.socket.close();
    });

    it('a revoked agent may still hand in what it metered before the revocation (HTTP), nothing after', async () => {
      const agent = await enrolled();
      const before = usageRecord(agent.agent_id, 0);
      expect((await admin('DELETE', `/api/agents/${agent.agent_id}`)).status).toBe(204);
      const after = { ...usageRecord(agent.agent_id, 0), created_at: new Date(Date.now() + 60_000).toISOString() };
      const result = await master.request('POST', '/api/agents/usage', { headers: { authorization: `Bearer ${agent.credential}` }, body: { records: [before, after] } });
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ outcome: 'settled', accepted: 1, refused: [{ request_id: after.request_id, reason: 'metered after the agent was revoked' }] });
      // As rows (what a protocol-2 agent spools), without agent_id or region: stamped by the master.
      const row = { ...usageRecord(agent.agent_id, 0), agent_id: undefined, region: undefined };
      const asRows = await master.request('POST', '/api/agents/usage', { headers: { authorization: `Bearer ${agent.credential}` }, body: { records: [usageRow(row as unknown as UsageRecord)] } });
      expect(asRows.body).toMatchObject({ outcome: 'settled', accepted: 1, refused: [] });
      const stored = await master.master.database.dataSource.query('SELECT request_id, agent_id, region FROM usage_logs WHERE request_id = ANY($1) ORDER BY request_id', [[before.request_id, row.request_id]]);
      expect(stored).toEqual(
        [before, row].map((record) => ({ request_id: record.request_id, agent_id: agent.agent_id, region: agent.region })).sort((a, b) => a.request_id.localeCompare(b.request_id)),
      );
      expect((await master.request('POST', '/api/agents/usage', { headers: { authorization: 'Bearer aigw-agent-nope' }, body: { records: [] } })).status).toBe(401);
    });
  });

  describe('quota leases', () => {
    it('lends at most what is left of the quota, half at a time, and nothing twice to two agents', async () => {
      const first = await enrolled();
      const second = await enrolled();
      const peers = [await open(first.credential), await open(second.credential)];
      for (const peer of peers) {
        peer.send({ type: 'hello', protocol: 1, build: 'test', applied_version: 0 });
        await peer.next('snapshot');
      }
      const [token] = await master.master.database.dataSource.query('SELECT quota_micros, used_micros FROM api_tokens WHERE id = $1', [tokenId]);
      const left = Number(token.quota_micros) - Number(token.used_micros);
      const ask = async (peer: Peer, id: number, need: number, want: number) => {
        peer.send({ type: 'lease', id, subject: `t:${tokenId}`, need, want });
        const grant = (await peer.next('lease_grant')) as Extract<MasterMessage, { type: 'lease_grant' }>;
        expect(grant.id).toBe(id);
        return grant.granted;
      };
      const a = await ask(peers[0], 1, 1, left * 10);
      expect(a).toBe(Math.floor(left / 2));
      const b = await ask(peers[1], 1, 1, left * 10);
      expect(b).toBe(Math.floor((left - a) / 2));
      // More than is left: nothing (not a partial grant).
      expect(await ask(peers[1], 2, left, left)).toBe(0);
      let lent = a + b;
      for (let id = 3; id < 40; id += 1) lent += await ask(peers[id % 2], id, 1, left);
      expect(lent).toBeLessThanOrEqual(left);
      expect(lent).toBeGreaterThan(left - 40);
      for (const peer of peers) peer.socket.close();
    });
  });
});

describe('sync hub: masters on one database', () => {
  it("a master whose secret_key cannot open the agents' keys says so at start", async () => {
    const first = await startTestMaster({ config: { secret_key: 'a'.repeat(64) } });
    const token = await first.request('POST', '/api/agents/enrollment-tokens', { token: first.adminToken, body: { name: 'key-check' } });
    const enrolled = await first.request('POST', '/api/agents/enroll', { headers: { authorization: `Bearer ${token.body.token}` }, body: { name: 'key-check-agent' } });
    expect(enrolled.status).toBe(201);
    await first.stop();
    const same = await startTestMaster({ database: first.database, config: { secret_key: 'a'.repeat(64) } });
    expect(same.logs.some((line) => line.includes("does not open the agents' keys"))).toBe(false);
    await same.stop();
    const other = await startTestMaster({ database: first.database, config: { secret_key: 'b'.repeat(64) } });
    try {
      expect(other.logs.some((line) => line.includes("does not open the agents' keys"))).toBe(true);
    } finally {
      await other.close();
    }
  });
});
