import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, TEST_ADMIN_PASSWORD, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';

const USER_FIELDS = ['balance_micros', 'balance_usd', 'created_at', 'group_id', 'id', 'limits', 'role', 'status', 'updated_at', 'username'];

describe('admin API: /api/users, balance adjustments and /api/me', () => {
  let master: TestMaster;
  let adminId: string;
  let groupId: string;
  let otherGroupId: string;
  let viewer: { id: string; token: string };
  let operator: { id: string; token: string };

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const countByUsername = async (username: string): Promise<number> => {
    const list = await admin('GET', '/api/users', { query: { username } });
    expect(list.status).toBe(200);
    return list.body.total;
  };
  const balanceOf = async (id: string): Promise<number> => {
    const user = await admin('GET', `/api/users/${id}`);
    expect(user.status).toBe(200);
    return user.body.balance_micros;
  };

  beforeAll(async () => {
    master = await startTestMaster();
    adminId = (await admin('GET', '/api/me')).body.id;
    groupId = (await admin('POST', '/api/groups', { body: { name: 'team-a' } })).body.id;
    otherGroupId = (await admin('POST', '/api/groups', { body: { name: 'team-b' } })).body.id;
    [viewer, operator] = await Promise.all([
      createUserAndLogin(master, 'viewer1', 'viewer'),
      createUserAndLogin(master, 'operator1', 'operator'),
    ]);
  });
  afterAll(() => master?.close());

  describe('create and get', () => {
    it('creates a user (201) with the full shape; the balance is integer micros; no password is echoed', async () => {
      const created = await admin('POST', '/api/users', {
        body: { username: 'alice', password: 'alice-secret-pw', role: 'user', group_id: groupId, balance_usd: '100', status: 'active' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        username: 'alice',
        role: 'user',
        status: 'active',
        group_id: groupId,
        balance_micros: 100_000_000,
        balance_usd: '100.000000',
        limits: {},
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      expect(JSON.stringify(created.body)).not.toContain('alice-secret-pw');
      const fetched = await admin('GET', `/api/users/${created.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);
      expect(await master.login('alice', 'alice-secret-pw')).toEqual(expect.any(String));
    });

    it('applies defaults: role user, status active, no group, zero balance', async () => {
      const created = await admin('POST', '/api/users', { body: { username: 'bob' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ username: 'bob', role: 'user', status: 'active', group_id: null, balance_micros: 0, balance_usd: '0.000000' });
      expect(Object.keys(created.body).sort()).toEqual(USER_FIELDS);
    });

    it('converts balances exactly: numbers, decimal strings, 6 decimals', async () => {
      const cases: [string | number, number, string][] = [
        [12.5, 12_500_000, '12.500000'],
        ['0.000001', 1, '0.000001'],
        ['0.1', 100_000, '0.100000'],
        ['123456.789012', 123_456_789_012, '123456.789012'],
        [0, 0, '0.000000'],
      ];
      for (const [index, [input, micros, usd]] of cases.entries()) {
        const created = await admin('POST', '/api/users', { body: { username: `money-${index}`, balance_usd: input } });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        expect(created.body.balance_micros).toBe(micros);
        expect(created.body.balance_usd).toBe(usd);
        expect(Number.isInteger(created.body.balance_micros)).toBe(true);
      }
    });

    it('answers 404 not_found for an unknown or malformed id', async () => {
      expectError(await admin('GET', `/api/users/${MISSING_ID}`), 404, 'not_found');
      expectError(await admin('GET', '/api/users/alice'), 404, 'not_found');
      expectError(await admin('PATCH', '/api/users/alice', { body: { status: 'active' } }), 404, 'not_found');
      expectError(await admin('DELETE', '/api/users/alice'), 404, 'not_found');
      expectError(await admin('PATCH', `/api/users/${MISSING_ID}`, { body: { status: 'active' } }), 404, 'not_found');
      expectError(await admin('DELETE', `/api/users/${MISSING_ID}`), 404, 'not_found');
    });
  });

  describe('list', () => {
    let pageIds: Record<string, string>;
    beforeAll(async () => {
      pageIds = {};
      const entries: [string, string, string | undefined][] = [
        ['list-d', 'user', groupId],
        ['list-b', 'viewer', otherGroupId],
        ['list-a', 'user', groupId],
        ['list-c', 'operator', undefined],
        ['list-e', 'user', otherGroupId],
      ];
      for (const [username, role, group] of entries) {
        const created = await admin('POST', '/api/users', { body: { username, role, ...(group ? { group_id: group } : {}) } });
        expect(created.status).toBe(201);
        pageIds[username] = created.body.id;
      }
    });

    it('pages with limit and offset, ordered by username, with the total of all matches', async () => {
      const first = await admin('GET', '/api/users', { query: { username: 'list-', limit: 2 } });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ data: expect.any(Array), total: 5, limit: 2, offset: 0 });
      expect(first.body.data.map((row: any) => row.username)).toEqual(['list-a', 'list-b']);
      const second = await admin('GET', '/api/users', { query: { username: 'list-', limit: 2, offset: 2 } });
      expect(second.body.data.map((row: any) => row.username)).toEqual(['list-c', 'list-d']);
      expect(second.body).toMatchObject({ total: 5, limit: 2, offset: 2 });
      const last = await admin('GET', '/api/users', { query: { username: 'list-', limit: 2, offset: 4 } });
      expect(last.body.data.map((row: any) => row.username)).toEqual(['list-e']);
      for (const row of first.body.data) expect(Object.keys(row).sort()).toEqual(USER_FIELDS);
    });

    it('filters by username substring, role and group_id (alone and combined)', async () => {
      const byName = await admin('GET', '/api/users', { query: { username: 'LIST-C' } });
      expect(byName.body.data.map((row: any) => row.id)).toEqual([pageIds['list-c']]);
      const viewers = await admin('GET', '/api/users', { query: { username: 'list-', role: 'viewer' } });
      expect(viewers.body.data.map((row: any) => row.username)).toEqual(['list-b']);
      const inGroup = await admin('GET', '/api/users', { query: { username: 'list-', group_id: groupId } });
      expect(inGroup.body.data.map((row: any) => row.username)).toEqual(['list-a', 'list-d']);
      const combined = await admin('GET', '/api/users', { query: { username: 'list-', group_id: otherGroupId, role: 'user' } });
      expect(combined.body).toMatchObject({ total: 1 });
      expect(combined.body.data.map((row: any) => row.username)).toEqual(['list-e']);
      const admins = await admin('GET', '/api/users', { query: { role: 'admin' } });
      expect(admins.body.data.map((row: any) => row.username)).toEqual(['admin']);
      expect((await admin('GET', '/api/users', { query: { group_id: MISSING_ID } })).body).toEqual({ data: [], total: 0, limit: 50, offset: 0 });
    });

    it('rejects invalid filters with 400 naming them', async () => {
      expectInvalid(await admin('GET', '/api/users', { query: { role: 'superuser' } }), 'role');
      expectInvalid(await admin('GET', '/api/users', { query: { group_id: 'team-a' } }), 'group_id');
      expectInvalid(await admin('GET', '/api/users', { query: { limit: 0 } }), 'limit');
      expectInvalid(await admin('GET', '/api/users', { query: { offset: 'x' } }), 'offset');
      expectUnknownField(await admin('GET', '/api/users', { query: { balance_micros: 1 } }), 'balance_micros');
    });
  });

  describe('update', () => {
    it('changes role, status, group and password; a later GET shows them; the balance is untouched', async () => {
      const created = await admin('POST', '/api/users', {
        body: { username: 'carol', password: 'carol-password-1', balance_usd: '5', group_id: groupId },
      });
      const updated = await admin('PATCH', `/api/users/${created.body.id}`, {
        body: { role: 'operator', group_id: otherGroupId, password: 'carol-password-2' },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({ ...created.body, role: 'operator', group_id: otherGroupId, updated_at: expect.stringMatching(ISO) });
      expect(JSON.stringify(updated.body)).not.toContain('carol-password-2');
      const fetched = await admin('GET', `/api/users/${created.body.id}`);
      expect(fetched.body).toMatchObject({ role: 'operator', group_id: otherGroupId, balance_micros: 5_000_000, balance_usd: '5.000000' });
      const token = await master.login('carol', 'carol-password-2');
      expect((await master.request('GET', '/api/me', { token })).body.role).toBe('operator');

      const ungrouped = await admin('PATCH', `/api/users/${created.body.id}`, { body: { group_id: null, status: 'disabled' } });
      expect(ungrouped.status).toBe(200);
      expect((await admin('GET', `/api/users/${created.body.id}`)).body).toMatchObject({ group_id: null, status: 'disabled' });
      // A disabled user's JWT stops working at once.
      expectError(await master.request('GET', '/api/me', { token }), 401, 'unauthenticated');
    });

    it('a role change takes effect on the next request of that user', async () => {
      const promoted = await createUserAndLogin(master, 'dave', 'user');
      expectError(await master.request('GET', '/api/users', { token: promoted.token }), 403, 'forbidden');
      expect((await admin('PATCH', `/api/users/${promoted.id}`, { body: { role: 'viewer' } })).status).toBe(200);
      expect((await master.request('GET', '/api/users', { token: promoted.token })).status).toBe(200);
    });

    it('refuses balance and other non-updatable fields in PATCH (400) and leaves the user unchanged', async () => {
      const created = await admin('POST', '/api/users', { body: { username: 'erin', balance_usd: '1' } });
      const path = `/api/users/${created.body.id}`;
      expectUnknownField(await admin('PATCH', path, { body: { balance_usd: '1000' } }), 'balance_usd');
      expectUnknownField(await admin('PATCH', path, { body: { balance_micros: 1_000_000_000 } }), 'balance_micros');
      expectUnknownField(await admin('PATCH', path, { body: { username: 'erin-2' } }), 'username');
      expectInvalid(await admin('PATCH', path, { body: { role: 'root' } }), 'role');
      expectInvalid(await admin('PATCH', path, { body: { status: 'banned' } }), 'status');
      expectInvalid(await admin('PATCH', path, { body: { password: 'short' } }), 'password');
      expectInvalid(await admin('PATCH', path, { body: { group_id: 'nope' } }), 'group_id');
      expectInvalid(await admin('PATCH', path, { body: { group_id: MISSING_ID } }), 'group_id');
      expect((await admin('GET', path)).body).toEqual(created.body);
    });

    it('an admin cannot demote or disable themself (400) and stays admin', async () => {
      expectInvalid(await admin('PATCH', `/api/users/${adminId}`, { body: { role: 'user' } }), 'role');
      expectInvalid(await admin('PATCH', `/api/users/${adminId}`, { body: { status: 'disabled' } }), 'status');
      expectInvalid(await admin('DELETE', `/api/users/${adminId}`), 'id');
      expect((await admin('GET', '/api/me')).body).toMatchObject({ id: adminId, role: 'admin', status: 'active' });
    });
  });

  describe('delete', () => {
    it('deletes (204); GET answers 404; the user can no longer log in and their tokens are gone', async () => {
      const doomed = await createUserAndLogin(master, 'frank', 'user');
      const token = await master.request('POST', '/api/tokens', { token: doomed.token, body: { name: 'frank-key' } });
      expect(token.status).toBe(201);
      const removed = await admin('DELETE', `/api/users/${doomed.id}`);
      expect(removed.status).toBe(204);
      expect(removed.body).toBeUndefined();
      expectError(await admin('GET', `/api/users/${doomed.id}`), 404, 'not_found');
      expectError(await admin('DELETE', `/api/users/${doomed.id}`), 404, 'not_found');
      expect(await countByUsername('frank')).toBe(0);
      expectError(await master.request('GET', '/api/me', { token: doomed.token }), 401, 'unauthenticated');
      expectError(await admin('GET', `/api/tokens/${token.body.id}`), 404, 'not_found');
      const login = await master.request('POST', '/api/auth/login', { body: { username: 'frank', password: 'frank-password' } });
      expectError(login, 401, 'unauthenticated');
    });
  });

  describe('bad input stores nothing', () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['missing username', { password: 'long-enough-pw' }, ['username']],
      ['username of the wrong type', { username: 12345 }, ['username']],
      ['username too short', { username: 'g' }, ['username']],
      ['username with a space', { username: 'bad name' }, ['username']],
      ['password too short', { username: 'bad-pw', password: 'short' }, ['password']],
      ['password of the wrong type', { username: 'bad-pw-type', password: 12345678 }, ['password']],
      ['unknown role', { username: 'bad-role', role: 'superuser' }, ['role']],
      ['malformed group_id', { username: 'bad-group', group_id: 'team-a' }, ['group_id']],
      ['group_id of no group', { username: 'ghost-group', group_id: MISSING_ID }, ['group_id']],
      ['balance with 7 decimals', { username: 'bad-balance', balance_usd: '1.1234567' }, ['balance_usd']],
      ['balance number with 7 decimals', { username: 'bad-balance-n', balance_usd: 0.1234567 }, ['balance_usd']],
      ['negative balance', { username: 'bad-balance-neg', balance_usd: '-5' }, ['balance_usd']],
      ['balance of the wrong type', { username: 'bad-balance-type', balance_usd: true }, ['balance_usd']],
      ['balance that is not a number', { username: 'bad-balance-text', balance_usd: 'lots' }, ['balance_usd']],
      ['unknown status', { username: 'bad-status', status: 'banned' }, ['status']],
    ];

    it.each(cases)('%s → 400 naming the field', async (_label, body, fields) => {
      const before = (await admin('GET', '/api/users')).body.total;
      expectInvalid(await admin('POST', '/api/users', { body }), ...fields);
      expect((await admin('GET', '/api/users')).body.total).toBe(before);
      if (typeof body.username === 'string') expect(await countByUsername(body.username)).toBe(0);
    });

    it('an unknown field → 400 naming it, nothing stored', async () => {
      expectUnknownField(await admin('POST', '/api/users', { body: { username: 'mallory', is_admin: true } }), 'is_admin');
      expectUnknownField(await admin('POST', '/api/users', { body: { username: 'mallory', balance_micros: 5 } }), 'balance_micros');
      expectUnknownField(await admin('POST', '/api/users', { body: { username: 'mallory', password_hash: 'x' } }), 'password_hash');
      expect(await countByUsername('mallory')).toBe(0);
    });

    it('a duplicate username → 409 conflict; the first user is untouched', async () => {
      const first = await admin('POST', '/api/users', { body: { username: 'grace', balance_usd: '1' } });
      expect(first.status).toBe(201);
      expectError(await admin('POST', '/api/users', { body: { username: 'grace', role: 'admin', balance_usd: '99' } }), 409, 'conflict');
      expectError(await admin('POST', '/api/users', { body: { username: 'admin', password: 'new-admin-pass' } }), 409, 'conflict');
      expect(await countByUsername('grace')).toBe(1);
      expect((await admin('GET', `/api/users/${first.body.id}`)).body).toEqual(first.body);
      expect(await master.login('admin', TEST_ADMIN_PASSWORD)).toEqual(expect.any(String));
    });
  });

  describe('balance adjustments', () => {
    let userId: string;
    beforeAll(async () => {
      userId = (await admin('POST', '/api/users', { body: { username: 'heidi', balance_usd: '100' } })).body.id;
    });

    it('credits and debits balance_micros exactly', async () => {
      const path = `/api/users/${userId}/balance-adjustments`;
      const credit = await admin('POST', path, { body: { amount_usd: '25', note: 'top-up' } });
      expect(credit.status).toBe(201);
      expect(credit.body).toMatchObject({ id: userId, username: 'heidi', balance_micros: 125_000_000, balance_usd: '125.000000' });
      expect(Object.keys(credit.body).sort()).toEqual(USER_FIELDS);
      const debit = await admin('POST', path, { body: { amount_usd: '-1.5', note: 'refund' } });
      expect(debit.status).toBe(201);
      expect(debit.body.balance_micros).toBe(123_500_000);
      const tiny = await admin('POST', path, { body: { amount_usd: '0.000001', note: 'one micro' } });
      expect(tiny.body.balance_micros).toBe(123_500_001);
      expect(tiny.body.balance_usd).toBe('123.500001');
      const back = await admin('POST', path, { body: { amount_usd: '-0.000001', note: 'one micro back' } });
      expect(back.body.balance_micros).toBe(123_500_000);
      expect(await balanceOf(userId)).toBe(123_500_000);
    });

    it('applies concurrent adjustments atomically (none is lost)', async () => {
      const before = await balanceOf(userId);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          admin('POST', `/api/users/${userId}/balance-adjustments`, { body: { amount_usd: '0.125', note: `parallel ${index}` } }),
        ),
      );
      for (const result of results) expect(result.status).toBe(201);
      expect(await balanceOf(userId)).toBe(before + 8 * 125_000);
    });

    it('rejects bad adjustments with 400 and leaves the balance unchanged', async () => {
      const path = `/api/users/${userId}/balance-adjustments`;
      const before = await balanceOf(userId);
      expectInvalid(await admin('POST', path, { body: { amount_usd: '1.1234567', note: 'too precise' } }), 'amount_usd');
      expectInvalid(await admin('POST', path, { body: { amount_usd: 5, note: 'a number, not a string' } }), 'amount_usd');
      expectInvalid(await admin('POST', path, { body: { amount_usd: 'ten', note: 'words' } }), 'amount_usd');
      expectInvalid(await admin('POST', path, { body: { amount_usd: '1e3', note: 'exponent' } }), 'amount_usd');
      expectInvalid(await admin('POST', path, { body: { amount_usd: '10000000000', note: 'too large' } }), 'amount_usd');
      expectInvalid(await admin('POST', path, { body: { note: 'no amount' } }), 'amount_usd');
      expectInvalid(await admin('POST', path, { body: { amount_usd: '1' } }), 'note');
      expectInvalid(await admin('POST', path, { body: { amount_usd: '1', note: '' } }), 'note');
      expectUnknownField(await admin('POST', path, { body: { amount_usd: '1', note: 'x', balance_micros: 0 } }), 'balance_micros');
      expect(await balanceOf(userId)).toBe(before);
    });

    it('answers 404 for an unknown or malformed user and 403 for non-admins', async () => {
      expectError(await admin('POST', `/api/users/${MISSING_ID}/balance-adjustments`, { body: { amount_usd: '1', note: 'x' } }), 404, 'not_found');
      expectError(await admin('POST', '/api/users/heidi/balance-adjustments', { body: { amount_usd: '1', note: 'x' } }), 404, 'not_found');
      const before = await balanceOf(userId);
      for (const token of [viewer.token, operator.token]) {
        expectError(
          await master.request('POST', `/api/users/${userId}/balance-adjustments`, { token, body: { amount_usd: '1', note: 'x' } }),
          403,
          'forbidden',
        );
      }
      expect(await balanceOf(userId)).toBe(before);
    });

    it('records each adjustment in the audit log in micros', async () => {
      const audit = await admin('GET', '/api/audit', { query: { entity: 'user', entity_id: userId, limit: 500 } });
      const adjustments = audit.body.data.filter((row: any) => row.action === 'adjust-balance');
      expect(adjustments.length).toBe(12);
      expect(adjustments.at(-1)).toMatchObject({ actor_id: adminId, actor_name: 'admin', changes: { amount_micros: 25_000_000, note: 'top-up' } });
    });
  });

  describe('a user cannot raise their own role or balance', () => {
    let self: { id: string; token: string };
    beforeAll(async () => {
      self = await createUserAndLogin(master, 'ivan', 'user', { balance_usd: '1' });
    });

    it('GET /api/me answers the caller', async () => {
      const me = await master.request('GET', '/api/me', { token: self.token });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        id: self.id,
        username: 'ivan',
        role: 'user',
        status: 'active',
        group_id: null,
        balance_micros: 1_000_000,
        balance_usd: '1.000000',
        limits: {},
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
    });

    it('PATCH /api/users/:id is admin-only: 403 for the user on themself, nothing changes', async () => {
      const before = (await admin('GET', `/api/users/${self.id}`)).body;
      expectError(await master.request('PATCH', `/api/users/${self.id}`, { token: self.token, body: { role: 'admin' } }), 403, 'forbidden');
      expectError(
        await master.request('POST', `/api/users/${self.id}/balance-adjustments`, { token: self.token, body: { amount_usd: '1000', note: 'me' } }),
        403,
        'forbidden',
      );
      expectError(await master.request('GET', `/api/users/${self.id}`, { token: self.token }), 403, 'forbidden');
      expectError(await master.request('GET', '/api/users', { token: self.token }), 403, 'forbidden');
      expectError(await master.request('POST', '/api/users', { token: self.token, body: { username: 'ivan-2', role: 'admin' } }), 403, 'forbidden');
      expectError(await master.request('DELETE', `/api/users/${adminId}`, { token: self.token }), 403, 'forbidden');
      // viewers and operators cannot write users either
      for (const token of [viewer.token, operator.token]) {
        expectError(await master.request('PATCH', `/api/users/${self.id}`, { token, body: { role: 'admin' } }), 403, 'forbidden');
      }
      expect((await admin('GET', `/api/users/${self.id}`)).body).toEqual(before);
      expect(await countByUsername('ivan-2')).toBe(0);
    });

    it('/api/me has no write of role or balance', async () => {
      for (const method of ['PATCH', 'PUT', 'POST']) {
        const result = await master.request(method, '/api/me', { token: self.token, body: { role: 'admin', balance_usd: '1000' } });
        expect(result.status).toBe(404);
      }
      expect((await master.request('GET', '/api/me', { token: self.token })).body).toMatchObject({ role: 'user', balance_micros: 1_000_000 });
    });

    it('PUT /api/me/password rejects extra fields like role with 400, and changes nothing', async () => {
      const extra = await master.request('PUT', '/api/me/password', {
        token: self.token,
        body: { current_password: 'ivan-password', new_password: 'ivan-new-password', role: 'admin' },
      });
      expectUnknownField(extra, 'role');
      const balance = await master.request('PUT', '/api/me/password', {
        token: self.token,
        body: { current_password: 'ivan-password', new_password: 'ivan-new-password', balance_usd: '1000' },
      });
      expectUnknownField(balance, 'balance_usd');
      expect((await master.request('GET', '/api/me', { token: self.token })).body).toMatchObject({ role: 'user', balance_micros: 1_000_000 });
      // the password did not change either
      expect(await master.login('ivan', 'ivan-password')).toEqual(expect.any(String));
    });

    it('PUT /api/me/password validates its two fields', async () => {
      expectInvalid(
        await master.request('PUT', '/api/me/password', { token: self.token, body: { current_password: 'ivan-password', new_password: 'short' } }),
        'new_password',
      );
      expectInvalid(await master.request('PUT', '/api/me/password', { token: self.token, body: { new_password: 'long-enough-1' } }), 'current_password');
      expectInvalid(
        await master.request('PUT', '/api/me/password', { token: self.token, body: { current_password: 'wrong-password', new_password: 'long-enough-1' } }),
        'current_password',
      );
      expect(await master.login('ivan', 'ivan-password')).toEqual(expect.any(String));
    });

    it('PUT /api/me/password changes the password (204); the old one stops working', async () => {
      const changed = await master.request('PUT', '/api/me/password', {
        token: self.token,
        body: { current_password: 'ivan-password', new_password: 'ivan-new-password' },
      });
      expect(changed.status).toBe(204);
      expect(changed.body).toBeUndefined();
      expect(await master.login('ivan', 'ivan-new-password')).toEqual(expect.any(String));
      const old = await master.request('POST', '/api/auth/login', { body: { username: 'ivan', password: 'ivan-password' } });
      expectError(old, 401, 'unauthenticated');
      const audit = await admin('GET', '/api/audit', { query: { entity: 'user', entity_id: self.id } });
      const row = audit.body.data.find((entry: any) => entry.action === 'change-password');
      expect(row).toMatchObject({ actor_id: self.id, actor_name: 'ivan', changes: {} });
      expect(JSON.stringify(audit.body)).not.toContain('ivan-new-password');
    });
  });

  describe('roles and audit', () => {
    it('viewers read users; operators and users may not', async () => {
      const list = await master.request('GET', '/api/users', { token: viewer.token });
      expect(list.status).toBe(200);
      expect(list.body.total).toBeGreaterThan(0);
      expect((await master.request('GET', `/api/users/${adminId}`, { token: viewer.token })).status).toBe(200);
      expectError(await master.request('POST', '/api/users', { token: viewer.token, body: { username: 'by-viewer' } }), 403, 'forbidden');
      expectError(await master.request('POST', '/api/users', { token: operator.token, body: { username: 'by-operator' } }), 403, 'forbidden');
      expect(await countByUsername('by-')).toBe(0);
    });

    it('audits user creation with the password redacted', async () => {
      const created = await admin('POST', '/api/users', { body: { username: 'judy', password: 'judy-very-secret', balance_usd: '3' } });
      const audit = await admin('GET', '/api/audit', { query: { entity: 'user', entity_id: created.body.id } });
      expect(audit.body.total).toBe(1);
      expect(audit.body.data[0]).toMatchObject({
        action: 'create',
        actor_id: adminId,
        actor_name: 'admin',
        changes: { username: 'judy', password: '[redacted]', balance_usd: '3' },
      });
      expect(JSON.stringify(audit.body)).not.toContain('judy-very-secret');
    });
  });

  // Last in the file: on failure it leaves a balance the API can no longer read.
  describe('balance range', () => {
    it('an adjustment past the largest exact balance → 400 naming amount_usd, the balance unchanged, users still listable', async () => {
      const rich = await admin('POST', '/api/users', { body: { username: 'zz-rich', balance_usd: '9007199254.740991' } });
      expect(rich.status).toBe(201);
      expect(rich.body.balance_micros).toBe(Number.MAX_SAFE_INTEGER);
      const result = await admin('POST', `/api/users/${rich.body.id}/balance-adjustments`, { body: { amount_usd: '1', note: 'overflow' } });
      expectInvalid(result, 'amount_usd');
      const after = await admin('GET', `/api/users/${rich.body.id}`);
      expect(after.status).toBe(200);
      expect(after.body.balance_micros).toBe(Number.MAX_SAFE_INTEGER);
      expect((await admin('GET', '/api/users')).status).toBe(200);
    });
  });
});
