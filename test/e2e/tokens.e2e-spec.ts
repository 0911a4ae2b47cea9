import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';

const TOKEN_FIELDS = [
  'channels', 'created_at', 'debug', 'expires_at', 'id', 'ip_allowlist', 'key_hint', 'last_used_at', 'limits', 'models', 'name', 'quota_micros', 'status',
  'used_micros', 'user_id',
];

function expectAdminOnly(result: HttpResult, ...fields: string[]): void {
  expectInvalid(result, ...fields);
  for (const detail of result.body.error.details) expect(detail.messages).toEqual(['only an admin may set this field']);
}

describe('admin API: /api/tokens', () => {
  let master: TestMaster;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let viewer: { id: string; token: string };
  let operator: { id: string; token: string };

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const as = <T = any>(who: { token: string }, method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: who.token, ...options });
  /** Every token of a user whose name contains `name`, as the admin sees them. */
  const tokensOf = async (userId: string, name?: string): Promise<any[]> => {
    const list = await admin('GET', '/api/tokens', { query: { user_id: userId, limit: 500, ...(name ? { name } : {}) } });
    expect(list.status).toBe(200);
    return list.body.data;
  };

  beforeAll(async () => {
    master = await startTestMaster();
    [alice, bob, viewer, operator] = await Promise.all([
      createUserAndLogin(master, 'alice', 'user'),
      createUserAndLogin(master, 'bob', 'user'),
      createUserAndLogin(master, 'viewer1', 'viewer'),
      createUserAndLogin(master, 'operator1', 'operator'),
    ]);
  });
  afterAll(() => master?.close());

  describe('create, get, secrets', () => {
    it('creates a token (201): the key is shown once, starts with sk-aigw-, and only its hint is kept', async () => {
      const created = await as(alice, 'POST', '/api/tokens', {
        body: { name: 'laptop', models: ['gpt-4o', 'claude-sonnet'], ip_allowlist: ['10.0.0.1', '2001:db8::1'], expires_at: '2031-01-01' },
      });
      expect(created.status).toBe(201);
      const key: string = created.body.key;
      expect(key).toMatch(/^sk-aigw-[A-Za-z0-9_-]{43}$/);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'laptop',
        key,
        key_hint: `${key.slice(0, 12)}…${key.slice(-4)}`,
        user_id: alice.id,
        status: 'active',
        quota_micros: null,
        used_micros: 0,
        models: ['gpt-4o', 'claude-sonnet'],
        ip_allowlist: ['10.0.0.1', '2001:db8::1'],
        channels: null,
        debug: false,
        limits: {},
        expires_at: '2031-01-01T00:00:00.000Z',
        last_used_at: null,
        created_at: expect.stringMatching(ISO),
      });
      expect(created.body.key_hint).not.toContain(key.slice(12, -4));

      const { key: _key, ...withoutKey } = created.body;
      const fetched = await as(alice, 'GET', `/api/tokens/${created.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(withoutKey);
      expect(JSON.stringify(fetched.body)).not.toContain(key);

      for (const reader of [alice, viewer, { token: master.adminToken }]) {
        const list = await as(reader, 'GET', '/api/tokens', { query: { limit: 500 } });
        expect(list.status).toBe(200);
        expect(JSON.stringify(list.body)).not.toContain(key);
        const row = list.body.data.find((token: any) => token.id === created.body.id);
        expect(row).toEqual(withoutKey);
        for (const token of list.body.data) expect(Object.keys(token).sort()).toEqual(TOKEN_FIELDS);
      }
      expect(JSON.stringify((await admin('GET', `/api/tokens/${created.body.id}`)).body)).not.toContain(key);
    });

    it('gives every token a different key', async () => {
      const one = await as(alice, 'POST', '/api/tokens', { body: { name: 'unique-1' } });
      const two = await as(alice, 'POST', '/api/tokens', { body: { name: 'unique-2' } });
      expect(one.body.key).not.toBe(two.body.key);
      expect(one.body.key_hint).not.toBe(two.body.key_hint);
    });

    it('accepts a full ISO-8601 expiry and applies defaults (no quota, all models, any IP, no expiry)', async () => {
      const timed = await as(alice, 'POST', '/api/tokens', { body: { name: 'timed', expires_at: '2031-06-15T12:30:00+02:00' } });
      expect(timed.status).toBe(201);
      expect(timed.body.expires_at).toBe('2031-06-15T10:30:00.000Z');
      const plain = await as(alice, 'POST', '/api/tokens', { body: { name: 'plain' } });
      expect(plain.body).toMatchObject({ quota_micros: null, used_micros: 0, models: null, ip_allowlist: null, expires_at: null, status: 'active' });
    });

    it('lets an admin create a token for a user with a quota in integer micros', async () => {
      const created = await admin('POST', '/api/tokens', { body: { name: 'granted', user_id: alice.id, quota_usd: '5.5' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ user_id: alice.id, quota_micros: 5_500_000, used_micros: 0 });
      expect(created.body.key).toMatch(/^sk-aigw-/);
      const numeric = await admin('POST', '/api/tokens', { body: { name: 'granted-num', user_id: alice.id, quota_usd: 0.4 } });
      expect(numeric.body.quota_micros).toBe(400_000);
      const zero = await admin('POST', '/api/tokens', { body: { name: 'granted-zero', user_id: alice.id, quota_usd: 0 } });
      expect(zero.body.quota_micros).toBe(0);
      // alice sees them as her own
      const mine = await as(alice, 'GET', `/api/tokens/${created.body.id}`);
      expect(mine.status).toBe(200);
      expect(mine.body.quota_micros).toBe(5_500_000);
      expect(mine.body.key).toBeUndefined();
    });

    it('an admin cannot create a token for a user that does not exist; quota precision is checked', async () => {
      expectInvalid(await admin('POST', '/api/tokens', { body: { name: 'orphan', user_id: MISSING_ID } }), 'user_id');
      expectInvalid(await admin('POST', '/api/tokens', { body: { name: 'orphan', user_id: 'bob' } }), 'user_id');
      expectInvalid(await admin('POST', '/api/tokens', { body: { name: 'orphan', user_id: alice.id, quota_usd: '1.1234567' } }), 'quota_usd');
      expectInvalid(await admin('POST', '/api/tokens', { body: { name: 'orphan', user_id: alice.id, quota_usd: '-1' } }), 'quota_usd');
      expect((await admin('GET', '/api/tokens', { query: { name: 'orphan' } })).body.total).toBe(0);
    });

    it('answers 404 not_found for unknown and malformed ids', async () => {
      expectError(await as(alice, 'GET', `/api/tokens/${MISSING_ID}`), 404, 'not_found');
      expectError(await as(alice, 'GET', '/api/tokens/laptop'), 404, 'not_found');
      expectError(await as(alice, 'PATCH', '/api/tokens/laptop', { body: { name: 'x' } }), 404, 'not_found');
      expectError(await as(alice, 'DELETE', '/api/tokens/laptop'), 404, 'not_found');
      expectError(await as(alice, 'PATCH', `/api/tokens/${MISSING_ID}`, { body: { name: 'x' } }), 404, 'not_found');
      expectError(await as(alice, 'DELETE', `/api/tokens/${MISSING_ID}`), 404, 'not_found');
      expectError(await admin('GET', '/api/tokens/1'), 404, 'not_found');
    });
  });

  describe('list', () => {
    let carol: { id: string; token: string };
    beforeAll(async () => {
      carol = await createUserAndLogin(master, 'carol', 'user');
      for (const name of ['ci-1', 'ci-2', 'ci-3', 'ci-4', 'deploy']) {
        expect((await as(carol, 'POST', '/api/tokens', { body: { name } })).status).toBe(201);
      }
      const deploy = (await tokensOf(carol.id, 'deploy'))[0];
      expect((await as(carol, 'PATCH', `/api/tokens/${deploy.id}`, { body: { status: 'disabled' } })).status).toBe(200);
    });

    it('pages with limit and offset, newest first, with the total of all matches', async () => {
      const first = await as(carol, 'GET', '/api/tokens', { query: { limit: 2 } });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ data: expect.any(Array), total: 5, limit: 2, offset: 0 });
      const second = await as(carol, 'GET', '/api/tokens', { query: { limit: 2, offset: 2 } });
      const third = await as(carol, 'GET', '/api/tokens', { query: { limit: 2, offset: 4 } });
      expect(second.body).toMatchObject({ total: 5, limit: 2, offset: 2 });
      expect(third.body.data.length).toBe(1);
      const ids = [...first.body.data, ...second.body.data, ...third.body.data].map((token: any) => token.id);
      expect(new Set(ids).size).toBe(5);
      const all = await as(carol, 'GET', '/api/tokens');
      expect(all.body.data.map((token: any) => token.id)).toEqual(ids);
      const created = all.body.data.map((token: any) => Date.parse(token.created_at));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      expect((await as(carol, 'GET', '/api/tokens', { query: { offset: 9 } })).body).toEqual({ data: [], total: 5, limit: 50, offset: 9 });
    });

    it('filters by name substring, status and (for admins and viewers) user_id', async () => {
      const byName = await as(carol, 'GET', '/api/tokens', { query: { name: 'CI-' } });
      expect(byName.body.total).toBe(4);
      expect(byName.body.data.map((token: any) => token.name).sort()).toEqual(['ci-1', 'ci-2', 'ci-3', 'ci-4']);
      const disabled = await as(carol, 'GET', '/api/tokens', { query: { status: 'disabled' } });
      expect(disabled.body.data.map((token: any) => token.name)).toEqual(['deploy']);
      const active = await as(carol, 'GET', '/api/tokens', { query: { status: 'active', name: 'ci-3' } });
      expect(active.body.data.map((token: any) => token.name)).toEqual(['ci-3']);
      for (const reader of [viewer, { token: master.adminToken }]) {
        const byUser = await as(reader, 'GET', '/api/tokens', { query: { user_id: carol.id } });
        expect(byUser.body.total).toBe(5);
        for (const token of byUser.body.data) expect(token.user_id).toBe(carol.id);
        const combined = await as(reader, 'GET', '/api/tokens', { query: { user_id: carol.id, status: 'disabled' } });
        expect(combined.body.data.map((token: any) => token.name)).toEqual(['deploy']);
      }
      const everyone = await as(viewer, 'GET', '/api/tokens', { query: { limit: 500 } });
      const owners = new Set(everyone.body.data.map((token: any) => token.user_id));
      expect(owners.has(alice.id) && owners.has(carol.id)).toBe(true);
    });

    it('rejects invalid filters with 400 naming them', async () => {
      expectInvalid(await as(carol, 'GET', '/api/tokens', { query: { status: 'revoked' } }), 'status');
      expectInvalid(await as(carol, 'GET', '/api/tokens', { query: { user_id: 'bob' } }), 'user_id');
      expectInvalid(await as(carol, 'GET', '/api/tokens', { query: { limit: 501 } }), 'limit');
      expectUnknownField(await as(carol, 'GET', '/api/tokens', { query: { key: 'sk-aigw-x' } }), 'key');
    });
  });

  describe('update and delete', () => {
    it('PATCH changes the given fields; a later GET shows them', async () => {
      const created = await as(alice, 'POST', '/api/tokens', { body: { name: 'phone', models: ['gpt-4o'], expires_at: '2031-01-01' } });
      const updated = await as(alice, 'PATCH', `/api/tokens/${created.body.id}`, {
        body: { name: 'phone-2', status: 'disabled', models: null, ip_allowlist: ['192.168.1.0'], expires_at: null },
      });
      expect(updated.status).toBe(200);
      const { key: _key, ...withoutKey } = created.body;
      expect(updated.body).toEqual({ ...withoutKey, name: 'phone-2', status: 'disabled', models: null, ip_allowlist: ['192.168.1.0'], expires_at: null });
      expect(updated.body.key).toBeUndefined();
      const fetched = await as(alice, 'GET', `/api/tokens/${created.body.id}`);
      expect(fetched.body).toEqual(updated.body);
      const again = await as(alice, 'PATCH', `/api/tokens/${created.body.id}`, { body: { models: ['a', 'b'], status: 'active', expires_at: '2032-02-02' } });
      expect(again.body).toMatchObject({ models: ['a', 'b'], status: 'active', expires_at: '2032-02-02T00:00:00.000Z' });
    });

    it('an admin may set and clear a quota', async () => {
      const created = await as(alice, 'POST', '/api/tokens', { body: { name: 'budgeted' } });
      const set = await admin('PATCH', `/api/tokens/${created.body.id}`, { body: { quota_usd: '12.345678' } });
      expect(set.status).toBe(200);
      expect(set.body.quota_micros).toBe(12_345_678);
      expect((await as(alice, 'GET', `/api/tokens/${created.body.id}`)).body.quota_micros).toBe(12_345_678);
      const cleared = await admin('PATCH', `/api/tokens/${created.body.id}`, { body: { quota_usd: null } });
      expect(cleared.body.quota_micros).toBeNull();
    });

    it('rejects invalid updates with 400 and leaves the token unchanged', async () => {
      const created = await as(alice, 'POST', '/api/tokens', { body: { name: 'tablet' } });
      const { key: _key, ...withoutKey } = created.body;
      const path = `/api/tokens/${created.body.id}`;
      expectInvalid(await as(alice, 'PATCH', path, { body: { status: 'revoked' } }), 'status');
      expectInvalid(await as(alice, 'PATCH', path, { body: { name: '' } }), 'name');
      expectInvalid(await as(alice, 'PATCH', path, { body: { models: 'gpt-4o' } }), 'models');
      expectInvalid(await as(alice, 'PATCH', path, { body: { ip_allowlist: ['999.1.1.1'] } }), 'ip_allowlist');
      expectInvalid(await as(alice, 'PATCH', path, { body: { expires_at: 'next week' } }), 'expires_at');
      expectUnknownField(await as(alice, 'PATCH', path, { body: { used_micros: 0 } }), 'used_micros');
      expectUnknownField(await as(alice, 'PATCH', path, { body: { key: 'sk-aigw-chosen-by-me' } }), 'key');
      expect((await as(alice, 'GET', path)).body).toEqual(withoutKey);
    });

    it('PATCH enforces the create limits: a models entry over 128 characters → 400; the token is unchanged', async () => {
      const created = await as(alice, 'POST', '/api/tokens', { body: { name: 'long-models', models: ['gpt-4o'] } });
      const { key: _key, ...withoutKey } = created.body;
      expectInvalid(await as(alice, 'PATCH', `/api/tokens/${created.body.id}`, { body: { models: ['m'.repeat(129)] } }), 'models');
      expect((await as(alice, 'GET', `/api/tokens/${created.body.id}`)).body).toEqual(withoutKey);
    });

    it('renaming onto another of your token names → 409', async () => {
      const one = await as(alice, 'POST', '/api/tokens', { body: { name: 'rename-a' } });
      const two = await as(alice, 'POST', '/api/tokens', { body: { name: 'rename-b' } });
      expect(one.status).toBe(201);
      expectError(await as(alice, 'PATCH', `/api/tokens/${two.body.id}`, { body: { name: 'rename-a' } }), 409, 'conflict');
      expect((await as(alice, 'GET', `/api/tokens/${two.body.id}`)).body.name).toBe('rename-b');
    });

    it('DELETE answers 204; GET then 404 not_found; the token leaves the list', async () => {
      const created = await as(alice, 'POST', '/api/tokens', { body: { name: 'short-lived' } });
      const removed = await as(alice, 'DELETE', `/api/tokens/${created.body.id}`);
      expect(removed.status).toBe(204);
      expect(removed.body).toBeUndefined();
      expectError(await as(alice, 'GET', `/api/tokens/${created.body.id}`), 404, 'not_found');
      expectError(await admin('GET', `/api/tokens/${created.body.id}`), 404, 'not_found');
      expectError(await as(alice, 'DELETE', `/api/tokens/${created.body.id}`), 404, 'not_found');
      expect(await tokensOf(alice.id, 'short-lived')).toEqual([]);
    });
  });

  describe('bad input stores nothing', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['missing name', { models: ['gpt-4o'] }, 'name'],
      ['name of the wrong type', { name: 7 }, 'name'],
      ['name with a space', { name: 'my token' }, 'name'],
      ['models not an array', { name: 'bad-models', models: 'gpt-4o' }, 'models'],
      ['models with a non-string', { name: 'bad-models-2', models: ['gpt-4o', 5] }, 'models'],
      ['models entry too long', { name: 'bad-models-3', models: ['m'.repeat(129)] }, 'models'],
      ['ip_allowlist with a non-IP', { name: 'bad-ip', ip_allowlist: ['localhost'] }, 'ip_allowlist'],
      ['expires_at that is no date', { name: 'bad-expiry', expires_at: 'tomorrow' }, 'expires_at'],
      ['expires_at of the wrong type', { name: 'bad-expiry-2', expires_at: 1893456000 }, 'expires_at'],
      ['expires_at on an impossible day', { name: 'bad-expiry-3', expires_at: '2031-13-45' }, 'expires_at'],
      ['expires_at on February 30th', { name: 'bad-expiry-4', expires_at: '2031-02-30' }, 'expires_at'],
    ];

    it.each(cases)('%s → 400 naming the field', async (_label, body, field) => {
      const before = (await tokensOf(alice.id)).length;
      expectInvalid(await as(alice, 'POST', '/api/tokens', { body }), field);
      expect((await tokensOf(alice.id)).length).toBe(before);
      if (typeof body.name === 'string') expect(await tokensOf(alice.id, body.name)).toEqual([]);
    });

    it('unknown fields → 400 naming them; nothing stored', async () => {
      expectUnknownField(await as(alice, 'POST', '/api/tokens', { body: { name: 'chosen-key', key: 'sk-aigw-mine' } }), 'key');
      expectUnknownField(await as(alice, 'POST', '/api/tokens', { body: { name: 'chosen-key', status: 'active' } }), 'status');
      expectUnknownField(await as(alice, 'POST', '/api/tokens', { body: { name: 'chosen-key', used_micros: -100 } }), 'used_micros');
      expectUnknownField(await as(alice, 'POST', '/api/tokens', { body: { name: 'chosen-key', quota_micros: 1 } }), 'quota_micros');
      expect(await tokensOf(alice.id, 'chosen-key')).toEqual([]);
    });

    it('a duplicate name for the same user → 409; the same name for another user is fine', async () => {
      expect((await as(alice, 'POST', '/api/tokens', { body: { name: 'shared-name' } })).status).toBe(201);
      expectError(await as(alice, 'POST', '/api/tokens', { body: { name: 'shared-name' } }), 409, 'conflict');
      expect(await tokensOf(alice.id, 'shared-name')).toHaveLength(1);
      expect((await as(bob, 'POST', '/api/tokens', { body: { name: 'shared-name' } })).status).toBe(201);
      expect(await tokensOf(bob.id, 'shared-name')).toHaveLength(1);
    });
  });

  describe('mass assignment', () => {
    it('a user creating a token with quota_usd → 400 naming quota_usd; nothing stored', async () => {
      const before = (await tokensOf(alice.id)).length;
      expectAdminOnly(await as(alice, 'POST', '/api/tokens', { body: { name: 'free-money', quota_usd: '1000000' } }), 'quota_usd');
      expectAdminOnly(await as(alice, 'POST', '/api/tokens', { body: { name: 'free-money', quota_usd: 0 } }), 'quota_usd');
      expect(await tokensOf(alice.id, 'free-money')).toEqual([]);
      expect((await tokensOf(alice.id)).length).toBe(before);
    });

    it('a user creating a token with user_id (another user or even themself) → 400 naming user_id; nothing stored', async () => {
      const bobBefore = (await tokensOf(bob.id)).length;
      expectAdminOnly(await as(alice, 'POST', '/api/tokens', { body: { name: 'for-bob', user_id: bob.id } }), 'user_id');
      expectAdminOnly(await as(alice, 'POST', '/api/tokens', { body: { name: 'for-me', user_id: alice.id } }), 'user_id');
      expectAdminOnly(await as(alice, 'POST', '/api/tokens', { body: { name: 'for-bob', user_id: bob.id, quota_usd: '5' } }), 'user_id', 'quota_usd');
      expect(await tokensOf(bob.id, 'for-bob')).toEqual([]);
      expect(await tokensOf(alice.id, 'for-')).toEqual([]);
      expect((await tokensOf(bob.id)).length).toBe(bobBefore);
    });

    it('a user patching their own token with quota_usd, debug or channels → 400; nothing changes', async () => {
      const granted = await admin('POST', '/api/tokens', { body: { name: 'capped', user_id: alice.id, quota_usd: '1' } });
      const path = `/api/tokens/${granted.body.id}`;
      expectAdminOnly(await as(alice, 'PATCH', path, { body: { quota_usd: '1000' } }), 'quota_usd');
      expectAdminOnly(await as(alice, 'PATCH', path, { body: { debug: true, channels: [], limits: { rpm: 1000 } } }), 'channels', 'debug', 'limits');
      expectAdminOnly(await as(alice, 'PATCH', path, { body: { quota_usd: null } }), 'quota_usd');
      expectAdminOnly(await as(alice, 'PATCH', path, { body: { quota_usd: '1000', name: 'capped-2' } }), 'quota_usd');
      expectUnknownField(await as(alice, 'PATCH', path, { body: { user_id: bob.id } }), 'user_id');
      expectUnknownField(await as(alice, 'PATCH', path, { body: { quota_micros: 1e12 } }), 'quota_micros');
      const after = await as(alice, 'GET', path);
      expect(after.body).toMatchObject({ name: 'capped', quota_micros: 1_000_000, user_id: alice.id, debug: false, channels: null });
    });
  });

  describe('cross-user isolation', () => {
    let bobToken: any;
    beforeAll(async () => {
      bobToken = (await as(bob, 'POST', '/api/tokens', { body: { name: 'bob-private', models: ['gpt-4o'] } })).body;
    });

    it("user A cannot GET, PATCH or DELETE user B's token (404) and B's token is still there unchanged", async () => {
      const { key: _key, ...bobView } = bobToken;
      expectError(await as(alice, 'GET', `/api/tokens/${bobToken.id}`), 404, 'not_found');
      expectError(await as(alice, 'PATCH', `/api/tokens/${bobToken.id}`, { body: { status: 'disabled', name: 'stolen' } }), 404, 'not_found');
      expectError(await as(alice, 'DELETE', `/api/tokens/${bobToken.id}`), 404, 'not_found');
      const still = await as(bob, 'GET', `/api/tokens/${bobToken.id}`);
      expect(still.status).toBe(200);
      expect(still.body).toEqual(bobView);
    });

    it("the 404 for another user's token looks exactly like the 404 for a missing one", async () => {
      const foreign = await as(alice, 'GET', `/api/tokens/${bobToken.id}`);
      const missing = await as(alice, 'GET', `/api/tokens/${MISSING_ID}`);
      expect(foreign.body.error).toEqual(missing.body.error);
    });

    it("A's list shows only A's tokens, even with ?user_id=<B>", async () => {
      const own = await as(alice, 'GET', '/api/tokens', { query: { limit: 500 } });
      expect(own.body.total).toBe((await tokensOf(alice.id)).length);
      for (const token of own.body.data) expect(token.user_id).toBe(alice.id);
      const probing = await as(alice, 'GET', '/api/tokens', { query: { user_id: bob.id, limit: 500 } });
      expect(probing.status).toBe(200);
      expect(probing.body.total).toBe(own.body.total);
      for (const token of probing.body.data) expect(token.user_id).toBe(alice.id);
      expect(probing.body.data.map((token: any) => token.id)).not.toContain(bobToken.id);
      const byName = await as(alice, 'GET', '/api/tokens', { query: { name: 'bob-private' } });
      expect(byName.body).toEqual({ data: [], total: 0, limit: 50, offset: 0 });
    });

    it("B's list does not show A's tokens", async () => {
      const list = await as(bob, 'GET', '/api/tokens', { query: { user_id: alice.id } });
      for (const token of list.body.data) expect(token.user_id).toBe(bob.id);
      expect(list.body.data.map((token: any) => token.id)).toContain(bobToken.id);
    });
  });

  describe('roles and audit', () => {
    it('viewers read every token but cannot write; operators may not use tokens at all', async () => {
      const anyToken = (await tokensOf(alice.id))[0];
      expect((await as(viewer, 'GET', `/api/tokens/${anyToken.id}`)).status).toBe(200);
      expectError(await as(viewer, 'POST', '/api/tokens', { body: { name: 'viewer-token' } }), 403, 'forbidden');
      expectError(await as(viewer, 'PATCH', `/api/tokens/${anyToken.id}`, { body: { status: 'disabled' } }), 403, 'forbidden');
      expectError(await as(viewer, 'DELETE', `/api/tokens/${anyToken.id}`), 403, 'forbidden');
      expectError(await as(operator, 'POST', '/api/tokens', { body: { name: 'operator-token' } }), 403, 'forbidden');
      expectError(await master.request('GET', '/api/tokens'), 401, 'unauthenticated');
      expect((await admin('GET', '/api/tokens', { query: { name: '-token' } })).body.total).toBe(0);
      expect((await admin('GET', `/api/tokens/${anyToken.id}`)).body.status).toBe(anyToken.status);
    });

    it('audits token creation without the key', async () => {
      const created = await as(alice, 'POST', '/api/tokens', { body: { name: 'audited', models: ['gpt-4o'] } });
      const audit = await admin('GET', '/api/audit', { query: { entity: 'token', entity_id: created.body.id } });
      expect(audit.body.total).toBe(1);
      expect(audit.body.data[0]).toMatchObject({
        action: 'create',
        actor_id: alice.id,
        actor_name: 'alice',
        changes: { name: 'audited', models: ['gpt-4o'], user_id: alice.id },
      });
      const everything = await admin('GET', '/api/audit', { query: { limit: 500 } });
      expect(JSON.stringify(everything.body)).not.toContain(created.body.key);
      expect(JSON.stringify(everything.body)).not.toContain(created.body.key.slice(8));
    });
  });
});
