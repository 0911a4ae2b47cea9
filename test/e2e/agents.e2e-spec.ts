import { AgentEntity } from '@aigw/persistence';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';

const AGENT_FIELDS = ['applied_policy_version', 'connected_at', 'created_at', 'id', 'lag', 'last_seen_at', 'name', 'online', 'region', 'revoked_at', 'stats', 'status', 'version'];
const ENROLLMENT_FIELDS = ['created_at', 'expires_at', 'id', 'max_uses', 'name', 'region', 'revoked_at', 'token_hint', 'uses'];

describe('admin API: /api/agents and /api/agents/enrollment-tokens', () => {
  let master: TestMaster;
  let operator: { id: string; token: string };
  let viewer: { id: string; token: string };
  let user: { id: string; token: string };
  const agents: Record<string, AgentEntity> = {};

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const as = <T = any>(who: { token: string }, method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: who.token, ...options });

  /** Agents enroll through the sync hub, not the admin API: they are inserted as the hub would. */
  const insertAgent = async (name: string, fields: Partial<AgentEntity> = {}): Promise<AgentEntity> => {
    const repository = master.master.database.dataSource.getRepository(AgentEntity);
    return repository.save(
      repository.create({
        name,
        region: 'default',
        credentialHash: createHash('sha256').update(randomBytes(32)).digest('hex'),
        status: 'active',
        version: null,
        appliedPolicyVersion: 0,
        lastSeenAt: null,
        ...fields,
      }),
    );
  };

  beforeAll(async () => {
    master = await startTestMaster();
    [operator, viewer, user] = await Promise.all([
      createUserAndLogin(master, 'operator1', 'operator'),
      createUserAndLogin(master, 'viewer1', 'viewer'),
      createUserAndLogin(master, 'user1', 'user'),
    ]);
    agents.c = await insertAgent('agent-c', { region: 'eu' });
    agents.a = await insertAgent('agent-a', {
      region: 'eu',
      version: '1.4.2',
      appliedPolicyVersion: 42,
      lastSeenAt: new Date('2026-01-02T03:04:05.678Z'),
    });
    agents.e = await insertAgent('agent-e', { region: 'us' });
    agents.b = await insertAgent('agent-b', { region: 'us' });
    agents.d = await insertAgent('agent-d', { region: 'ap' });
  });
  afterAll(() => master?.close());

  describe('agents', () => {
    it('gets an agent (200) with the full shape and no credential', async () => {
      const fetched = await as(viewer, 'GET', `/api/agents/${agents.a.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual({
        id: agents.a.id,
        name: 'agent-a',
        region: 'eu',
        status: 'active',
        version: '1.4.2',
        applied_policy_version: 42,
        // Its last heartbeat is long past: offline, so no lag is reported.
        online: false,
        lag: null,
        last_seen_at: '2026-01-02T03:04:05.678Z',
        connected_at: null,
        revoked_at: null,
        stats: {},
        created_at: expect.stringMatching(ISO),
      });
      expect(JSON.stringify(fetched.body)).not.toContain(agents.a.credentialHash);
      const never = await as(operator, 'GET', `/api/agents/${agents.c.id}`);
      expect(never.body).toMatchObject({ version: null, last_seen_at: null, applied_policy_version: 0 });
    });

    it('lists agents by name with pagination and the total', async () => {
      const first = await as(operator, 'GET', '/api/agents', { query: { limit: 2 } });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ data: expect.any(Array), total: 5, limit: 2, offset: 0 });
      expect(first.body.data.map((agent: any) => agent.name)).toEqual(['agent-a', 'agent-b']);
      const second = await as(operator, 'GET', '/api/agents', { query: { limit: 2, offset: 2 } });
      expect(second.body.data.map((agent: any) => agent.name)).toEqual(['agent-c', 'agent-d']);
      const third = await as(operator, 'GET', '/api/agents', { query: { limit: 2, offset: 4 } });
      expect(third.body.data.map((agent: any) => agent.name)).toEqual(['agent-e']);
      expect((await as(viewer, 'GET', '/api/agents', { query: { offset: 5 } })).body).toEqual({ data: [], total: 5, limit: 50, offset: 5 });
      for (const agent of first.body.data) expect(Object.keys(agent).sort()).toEqual(AGENT_FIELDS);
    });

    it('filters agents by exact region', async () => {
      const eu = await as(viewer, 'GET', '/api/agents', { query: { region: 'eu' } });
      expect(eu.body.total).toBe(2);
      expect(eu.body.data.map((agent: any) => agent.name)).toEqual(['agent-a', 'agent-c']);
      const us = await as(viewer, 'GET', '/api/agents', { query: { region: 'us', limit: 1 } });
      expect(us.body).toMatchObject({ total: 2, limit: 1 });
      expect(us.body.data.map((agent: any) => agent.name)).toEqual(['agent-b']);
      expect((await as(viewer, 'GET', '/api/agents', { query: { region: 'e' } })).body.total).toBe(0);
    });

    it('rejects invalid list queries with 400', async () => {
      expectInvalid(await as(viewer, 'GET', '/api/agents', { query: { region: 'r'.repeat(65) } }), 'region');
      expectInvalid(await as(viewer, 'GET', '/api/agents', { query: { limit: 0 } }), 'limit');
      expectUnknownField(await as(viewer, 'GET', '/api/agents', { query: { status: 'active' } }), 'status');
    });

    it('answers 404 not_found for unknown and malformed ids', async () => {
      expectError(await as(viewer, 'GET', `/api/agents/${MISSING_ID}`), 404, 'not_found');
      expectError(await as(viewer, 'GET', '/api/agents/agent-a'), 404, 'not_found');
      expectError(await as(operator, 'DELETE', `/api/agents/${MISSING_ID}`), 404, 'not_found');
      expectError(await as(operator, 'DELETE', '/api/agents/agent-a'), 404, 'not_found');
    });

    it('revokes an agent (204): it stays listed with status revoked; the revocation is audited', async () => {
      expectError(await as(viewer, 'DELETE', `/api/agents/${agents.e.id}`), 403, 'forbidden');
      expect((await as(viewer, 'GET', `/api/agents/${agents.e.id}`)).body.status).toBe('active');

      const revoked = await as(operator, 'DELETE', `/api/agents/${agents.e.id}`);
      expect(revoked.status).toBe(204);
      expect(revoked.body).toBeUndefined();
      const fetched = await as(viewer, 'GET', `/api/agents/${agents.e.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toMatchObject({ id: agents.e.id, name: 'agent-e', status: 'revoked' });
      expect((await as(viewer, 'GET', '/api/agents')).body.total).toBe(5);
      // the others are untouched
      expect((await as(viewer, 'GET', `/api/agents/${agents.b.id}`)).body.status).toBe('active');

      const audit = await admin('GET', '/api/audit', { query: { entity: 'agent', entity_id: agents.e.id } });
      expect(audit.body.total).toBe(1);
      expect(audit.body.data[0]).toMatchObject({ action: 'revoke', actor_id: operator.id, actor_name: 'operator1', changes: { name: 'agent-e' } });
    });

    it('users may not see agents', async () => {
      expectError(await as(user, 'GET', '/api/agents'), 403, 'forbidden');
      expectError(await as(user, 'GET', `/api/agents/${agents.a.id}`), 403, 'forbidden');
      expectError(await as(user, 'DELETE', `/api/agents/${agents.a.id}`), 403, 'forbidden');
      expect((await as(viewer, 'GET', `/api/agents/${agents.a.id}`)).body.status).toBe('active');
    });
  });

  describe('enrollment tokens', () => {
    const listAll = async (): Promise<any> => {
      const list = await as(operator, 'GET', '/api/agents/enrollment-tokens', { query: { limit: 500 } });
      expect(list.status).toBe(200);
      return list.body;
    };

    it('creates a token (201): the secret is answered once with the aigw-enroll- prefix; only a hint is kept', async () => {
      const before = Date.now();
      const created = await as(operator, 'POST', '/api/agents/enrollment-tokens', {
        body: { name: 'eu-fleet', region: 'eu', max_uses: 5, expires_in_seconds: 3600 },
      });
      const after = Date.now();
      expect(created.status).toBe(201);
      const secret: string = created.body.token;
      expect(secret).toMatch(/^aigw-enroll-[A-Za-z0-9_-]{43}$/);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'eu-fleet',
        token: secret,
        token_hint: `${secret.slice(0, 6)}…${secret.slice(-4)}`,
        region: 'eu',
        max_uses: 5,
        uses: 0,
        expires_at: expect.stringMatching(ISO),
        revoked_at: null,
        created_at: expect.stringMatching(ISO),
      });
      const expires = Date.parse(created.body.expires_at);
      expect(expires).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
      expect(expires).toBeLessThanOrEqual(after + 3600_000 + 1000);

      const list = await listAll();
      const { token: _secret, ...withoutSecret } = created.body;
      expect(list.data.find((row: any) => row.id === created.body.id)).toEqual(withoutSecret);
      expect(JSON.stringify(list)).not.toContain(secret);
      expect(JSON.stringify(list)).not.toContain(secret.slice(12, -4));
    });

    it('applies defaults: one use, 24 h expiry, no region', async () => {
      const before = Date.now();
      const created = await admin('POST', '/api/agents/enrollment-tokens', { body: { name: 'single' } });
      const after = Date.now();
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'single', region: null, max_uses: 1, uses: 0, revoked_at: null });
      const expires = Date.parse(created.body.expires_at);
      expect(expires).toBeGreaterThanOrEqual(before + 86_400_000 - 1000);
      expect(expires).toBeLessThanOrEqual(after + 86_400_000 + 1000);
      const other = await admin('POST', '/api/agents/enrollment-tokens', { body: { name: 'single' } });
      expect(other.status).toBe(201);
      expect(other.body.token).not.toBe(created.body.token);
    });

    it('max_uses null means unlimited uses (as the API documents), not a single use', async () => {
      const created = await as(operator, 'POST', '/api/agents/enrollment-tokens', { body: { name: 'unlimited', max_uses: null } });
      expect(created.status).toBe(201);
      expect(created.body.max_uses).toBeNull();
      const listed = (await listAll()).data.find((row: any) => row.id === created.body.id);
      expect(listed.max_uses).toBeNull();
    });

    it('lists newest first with pagination and the total', async () => {
      const all = await listAll();
      expect(all.total).toBe(all.data.length);
      expect(all.total).toBeGreaterThanOrEqual(3);
      const created = all.data.map((row: any) => Date.parse(row.created_at));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      for (const row of all.data) {
        expect(Object.keys(row).sort()).toEqual(ENROLLMENT_FIELDS);
        expect(row.token).toBeUndefined();
      }
      const first = await as(operator, 'GET', '/api/agents/enrollment-tokens', { query: { limit: 1 } });
      expect(first.body).toEqual({ data: all.data.slice(0, 1), total: all.total, limit: 1, offset: 0 });
      const second = await as(operator, 'GET', '/api/agents/enrollment-tokens', { query: { limit: 2, offset: 1 } });
      expect(second.body).toEqual({ data: all.data.slice(1, 3), total: all.total, limit: 2, offset: 1 });
      expectInvalid(await as(operator, 'GET', '/api/agents/enrollment-tokens', { query: { limit: 501 } }), 'limit');
      expectUnknownField(await as(operator, 'GET', '/api/agents/enrollment-tokens', { query: { name: 'x' } }), 'name');
    });

    it('revokes a token (204): revoked_at is set; revoking again or an unknown id → 404', async () => {
      const created = await as(operator, 'POST', '/api/agents/enrollment-tokens', { body: { name: 'to-revoke' } });
      const before = Date.now();
      const revoked = await as(operator, 'DELETE', `/api/agents/enrollment-tokens/${created.body.id}`);
      expect(revoked.status).toBe(204);
      expect(revoked.body).toBeUndefined();
      const row = (await listAll()).data.find((entry: any) => entry.id === created.body.id);
      expect(row.revoked_at).toMatch(ISO);
      expect(Date.parse(row.revoked_at)).toBeGreaterThanOrEqual(before - 1000);
      expectError(await as(operator, 'DELETE', `/api/agents/enrollment-tokens/${created.body.id}`), 404, 'not_found');
      expectError(await as(operator, 'DELETE', `/api/agents/enrollment-tokens/${MISSING_ID}`), 404, 'not_found');
      expectError(await as(operator, 'DELETE', '/api/agents/enrollment-tokens/to-revoke'), 404, 'not_found');
      // the revoked_at of the first revocation stands
      expect((await listAll()).data.find((entry: any) => entry.id === created.body.id).revoked_at).toBe(row.revoked_at);
    });

    describe('bad input stores nothing', () => {
      const cases: [string, Record<string, unknown>, string[]][] = [
        ['missing name', { region: 'eu' }, ['name']],
        ['name of the wrong type', { name: 5 }, ['name']],
        ['name with a space', { name: 'eu fleet' }, ['name']],
        ['region of the wrong type', { name: 'bad-region', region: 1 }, ['region']],
        ['region too long', { name: 'bad-region-2', region: 'r'.repeat(65) }, ['region']],
        ['max_uses of 0', { name: 'bad-uses', max_uses: 0 }, ['max_uses']],
        ['max_uses above 100000', { name: 'bad-uses-2', max_uses: 100_001 }, ['max_uses']],
        ['fractional max_uses', { name: 'bad-uses-3', max_uses: 1.5 }, ['max_uses']],
        ['max_uses as a string', { name: 'bad-uses-4', max_uses: '5' }, ['max_uses']],
        ['expiry under a minute', { name: 'bad-expiry', expires_in_seconds: 59 }, ['expires_in_seconds']],
        ['expiry over a year', { name: 'bad-expiry-2', expires_in_seconds: 365 * 86400 + 1 }, ['expires_in_seconds']],
      ];

      it.each(cases)('%s → 400 naming the field', async (_label, body, fields) => {
        const before = (await listAll()).total;
        expectInvalid(await as(operator, 'POST', '/api/agents/enrollment-tokens', { body }), ...fields);
        expect((await listAll()).total).toBe(before);
      });

      it('unknown fields → 400 naming them; nothing stored', async () => {
        const before = (await listAll()).total;
        expectUnknownField(await as(operator, 'POST', '/api/agents/enrollment-tokens', { body: { name: 'sneaky', token: 'aigw-enroll-mine' } }), 'token');
        expectUnknownField(await as(operator, 'POST', '/api/agents/enrollment-tokens', { body: { name: 'sneaky', uses: -5 } }), 'uses');
        expectUnknownField(await as(operator, 'POST', '/api/agents/enrollment-tokens', { body: { name: 'sneaky', multi_use: true } }), 'multi_use');
        const after = await listAll();
        expect(after.total).toBe(before);
        expect(after.data.filter((row: any) => row.name === 'sneaky')).toEqual([]);
      });
    });

    it('only operators and admins manage enrollment tokens', async () => {
      const before = (await listAll()).total;
      for (const who of [viewer, user]) {
        expectError(await as(who, 'GET', '/api/agents/enrollment-tokens'), 403, 'forbidden');
        expectError(await as(who, 'POST', '/api/agents/enrollment-tokens', { body: { name: 'not-allowed' } }), 403, 'forbidden');
      }
      const target = (await listAll()).data.find((row: any) => row.revoked_at === null);
      expectError(await as(viewer, 'DELETE', `/api/agents/enrollment-tokens/${target.id}`), 403, 'forbidden');
      const after = await listAll();
      expect(after.total).toBe(before);
      expect(after.data.find((row: any) => row.id === target.id).revoked_at).toBeNull();
    });

    it('audits creation and revocation without the secret', async () => {
      const created = await as(operator, 'POST', '/api/agents/enrollment-tokens', { body: { name: 'audited', region: 'us' } });
      await as(operator, 'DELETE', `/api/agents/enrollment-tokens/${created.body.id}`);
      const audit = await admin('GET', '/api/audit', { query: { entity: 'enrollment-token', entity_id: created.body.id } });
      expect(audit.body.data.map((row: any) => [row.action, row.actor_name])).toEqual([
        ['revoke', 'operator1'],
        ['create', 'operator1'],
      ]);
      expect(audit.body.data[1].changes).toEqual({ name: 'audited', region: 'us' });
      const everything = await admin('GET', '/api/audit', { query: { limit: 500 } });
      expect(JSON.stringify(everything.body)).not.toContain(created.body.token);
    });
  });
});
