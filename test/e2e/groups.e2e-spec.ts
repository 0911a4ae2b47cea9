import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';


describe('admin API: /api/groups', () => {
  let master: TestMaster;
  let operator: string;
  let viewer: string;
  let user: string;

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const countByName = async (name: string): Promise<number> => {
    const list = await admin('GET', '/api/groups', { query: { name } });
    expect(list.status).toBe(200);
    return list.body.total;
  };

  beforeAll(async () => {
    master = await startTestMaster();
    [operator, viewer, user] = (
      await Promise.all([
        createUserAndLogin(master, 'operator1', 'operator'),
        createUserAndLogin(master, 'viewer1', 'viewer'),
        createUserAndLogin(master, 'user1', 'user'),
      ])
    ).map((created) => created.token);
  });
  afterAll(() => master?.close());

  describe('create and get', () => {
    it('creates a group (201) with the full response shape and gets it back (200)', async () => {
      const created = await admin('POST', '/api/groups', { body: { name: 'gold', ratio: 1.5, description: 'Gold tier' } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'gold',
        ratio: 1.5,
        description: 'Gold tier',
        models: null,
        channels: null,
        limits: {},
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      const fetched = await admin('GET', `/api/groups/${created.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);
    });

    it('applies defaults: ratio 1, empty description', async () => {
      const created = await admin('POST', '/api/groups', { body: { name: 'plain' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'plain', ratio: 1, description: '' });
    });

    it('keeps a ratio with exactly 6 decimals exactly, and accepts the bounds 0 and 1000', async () => {
      const precise = await admin('POST', '/api/groups', { body: { name: 'precise', ratio: 0.123456 } });
      expect(precise.status).toBe(201);
      expect(precise.body.ratio).toBe(0.123456);
      expect((await admin('GET', `/api/groups/${precise.body.id}`)).body.ratio).toBe(0.123456);
      const free = await admin('POST', '/api/groups', { body: { name: 'free', ratio: 0 } });
      expect(free.status).toBe(201);
      expect(free.body.ratio).toBe(0);
      const max = await admin('POST', '/api/groups', { body: { name: 'max', ratio: 1000 } });
      expect(max.status).toBe(201);
      expect(max.body.ratio).toBe(1000);
    });

    it('answers 404 not_found for an unknown id and for a malformed id', async () => {
      expectError(await admin('GET', `/api/groups/${MISSING_ID}`), 404, 'not_found');
      expectError(await admin('GET', '/api/groups/not-a-uuid'), 404, 'not_found');
      expectError(await admin('GET', '/api/groups/123'), 404, 'not_found');
      expectError(await admin('PATCH', '/api/groups/not-a-uuid', { body: { description: 'x' } }), 404, 'not_found');
      expectError(await admin('DELETE', '/api/groups/not-a-uuid'), 404, 'not_found');
      expectError(await admin('PATCH', `/api/groups/${MISSING_ID}`, { body: { description: 'x' } }), 404, 'not_found');
      expectError(await admin('DELETE', `/api/groups/${MISSING_ID}`), 404, 'not_found');
    });

    it('echoes the request id of the error in the x-request-id header', async () => {
      const result = await admin('GET', `/api/groups/${MISSING_ID}`, { headers: { 'x-request-id': 'req-groups-1' } });
      expect(result.status).toBe(404);
      expect(result.body.request_id).toBe('req-groups-1');
      expect(result.headers.get('x-request-id')).toBe('req-groups-1');
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      for (const name of ['page-c', 'page-a', 'page-e', 'page-b', 'page-d']) {
        expect((await admin('POST', '/api/groups', { body: { name } })).status).toBe(201);
      }
      expect((await admin('POST', '/api/groups', { body: { name: 'abc_x' } })).status).toBe(201);
      expect((await admin('POST', '/api/groups', { body: { name: 'abcdx' } })).status).toBe(201);
    });

    it('pages with limit and offset, ordered by name, with the total of all matches', async () => {
      const first = await admin('GET', '/api/groups', { query: { name: 'page-', limit: 2, offset: 0 } });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ data: expect.any(Array), total: 5, limit: 2, offset: 0 });
      expect(first.body.data.map((group: any) => group.name)).toEqual(['page-a', 'page-b']);
      const second = await admin('GET', '/api/groups', { query: { name: 'page-', limit: 2, offset: 2 } });
      expect(second.body).toMatchObject({ total: 5, limit: 2, offset: 2 });
      expect(second.body.data.map((group: any) => group.name)).toEqual(['page-c', 'page-d']);
      const last = await admin('GET', '/api/groups', { query: { name: 'page-', limit: 2, offset: 4 } });
      expect(last.body.data.map((group: any) => group.name)).toEqual(['page-e']);
      const beyond = await admin('GET', '/api/groups', { query: { name: 'page-', limit: 2, offset: 10 } });
      expect(beyond.body).toEqual({ data: [], total: 5, limit: 2, offset: 10 });
    });

    it('defaults to limit 50, offset 0 and returns full rows', async () => {
      const all = await admin('GET', '/api/groups');
      expect(all.status).toBe(200);
      expect(all.body.limit).toBe(50);
      expect(all.body.offset).toBe(0);
      expect(all.body.total).toBe(all.body.data.length);
      const names = all.body.data.map((group: any) => group.name);
      expect(names).toEqual([...names].sort());
      for (const group of all.body.data) {
        expect(Object.keys(group).sort()).toEqual(['channels', 'created_at', 'description', 'id', 'limits', 'models', 'name', 'ratio', 'updated_at']);
      }
    });

    it('filters by a case-insensitive name substring', async () => {
      const upper = await admin('GET', '/api/groups', { query: { name: 'PAGE-B' } });
      expect(upper.body.total).toBe(1);
      expect(upper.body.data[0].name).toBe('page-b');
      expect(await countByName('nothing-like-this')).toBe(0);
    });

    it('treats LIKE wildcards in the name filter literally', async () => {
      const underscore = await admin('GET', '/api/groups', { query: { name: 'abc_' } });
      expect(underscore.body.data.map((group: any) => group.name)).toEqual(['abc_x']);
      expect(await countByName('%')).toBe(0);
    });

    it('rejects invalid paging and unknown query parameters with 400 naming the parameter', async () => {
      expectInvalid(await admin('GET', '/api/groups', { query: { limit: 0 } }), 'limit');
      expectInvalid(await admin('GET', '/api/groups', { query: { limit: 501 } }), 'limit');
      expectInvalid(await admin('GET', '/api/groups', { query: { limit: 'ten' } }), 'limit');
      expectInvalid(await admin('GET', '/api/groups', { query: { limit: 1.5 } }), 'limit');
      expectInvalid(await admin('GET', '/api/groups', { query: { offset: -1 } }), 'offset');
      expectUnknownField(await admin('GET', '/api/groups', { query: { sort: 'name' } }), 'sort');
      expectInvalid(await admin('GET', '/api/groups', { query: { name: 'x'.repeat(129) } }), 'name');
    });

    it('an offset beyond what the database can page → 400 naming offset, not a 500', async () => {
      expectInvalid(await admin('GET', '/api/groups', { query: { offset: '9223372036854775807' } }), 'offset');
      expectInvalid(await admin('GET', '/api/groups', { query: { offset: '1e20' } }), 'offset');
    });

    it('accepts the maximum limit of 500', async () => {
      const result = await admin('GET', '/api/groups', { query: { limit: 500 } });
      expect(result.status).toBe(200);
      expect(result.body.limit).toBe(500);
    });
  });

  describe('update', () => {
    it('changes the given fields only; a later GET shows them', async () => {
      const created = await admin('POST', '/api/groups', { body: { name: 'silver', ratio: 1.2, description: 'Silver tier' } });
      const updated = await admin('PATCH', `/api/groups/${created.body.id}`, { body: { ratio: 0.8, description: 'cheaper' } });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({
        ...created.body,
        ratio: 0.8,
        description: 'cheaper',
        updated_at: expect.stringMatching(ISO),
      });
      expect(Date.parse(updated.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.body.updated_at));
      const renamed = await admin('PATCH', `/api/groups/${created.body.id}`, { body: { name: 'silver-2' } });
      expect(renamed.status).toBe(200);
      const fetched = await admin('GET', `/api/groups/${created.body.id}`);
      expect(fetched.body).toMatchObject({ id: created.body.id, name: 'silver-2', ratio: 0.8, description: 'cheaper' });
      expect(await countByName('silver-2')).toBe(1);
    });

    it('accepts an empty PATCH and a rename to its own name', async () => {
      const created = await admin('POST', '/api/groups', { body: { name: 'same-name' } });
      expect((await admin('PATCH', `/api/groups/${created.body.id}`, { body: {} })).status).toBe(200);
      const same = await admin('PATCH', `/api/groups/${created.body.id}`, { body: { name: 'same-name' } });
      expect(same.status).toBe(200);
      expect(same.body.name).toBe('same-name');
    });

    it('rejects invalid updates with 400 and leaves the group unchanged', async () => {
      const created = await admin('POST', '/api/groups', { body: { name: 'bronze', ratio: 2 } });
      const path = `/api/groups/${created.body.id}`;
      expectInvalid(await admin('PATCH', path, { body: { ratio: 1001 } }), 'ratio');
      expectInvalid(await admin('PATCH', path, { body: { ratio: -0.5 } }), 'ratio');
      expectInvalid(await admin('PATCH', path, { body: { ratio: '3' } }), 'ratio');
      expectInvalid(await admin('PATCH', path, { body: { ratio: 1.0000001 } }), 'ratio');
      expectInvalid(await admin('PATCH', path, { body: { name: '' } }), 'name');
      expectInvalid(await admin('PATCH', path, { body: { name: 'has space' } }), 'name');
      expectUnknownField(await admin('PATCH', path, { body: { id: MISSING_ID } }), 'id');
      expectUnknownField(await admin('PATCH', path, { body: { ratio_ppm: 5 } }), 'ratio_ppm');
      const fetched = await admin('GET', path);
      expect(fetched.body).toEqual(created.body);
    });

    it('answers 409 conflict when renaming onto an existing name', async () => {
      const first = await admin('POST', '/api/groups', { body: { name: 'taken-1' } });
      const second = await admin('POST', '/api/groups', { body: { name: 'taken-2' } });
      expect(first.status).toBe(201);
      expectError(await admin('PATCH', `/api/groups/${second.body.id}`, { body: { name: 'taken-1' } }), 409, 'conflict');
      expect((await admin('GET', `/api/groups/${second.body.id}`)).body.name).toBe('taken-2');
    });
  });

  describe('delete', () => {
    it('deletes (204) with an empty body; GET then answers 404 not_found; members keep existing without a group', async () => {
      const group = await admin('POST', '/api/groups', { body: { name: 'doomed' } });
      const member = await admin('POST', '/api/users', { body: { username: 'doomed-member', group_id: group.body.id } });
      expect(member.status).toBe(201);
      expect(member.body.group_id).toBe(group.body.id);

      const removed = await admin('DELETE', `/api/groups/${group.body.id}`);
      expect(removed.status).toBe(204);
      expect(removed.body).toBeUndefined();
      expectError(await admin('GET', `/api/groups/${group.body.id}`), 404, 'not_found');
      expectError(await admin('DELETE', `/api/groups/${group.body.id}`), 404, 'not_found');
      expect(await countByName('doomed')).toBe(0);

      const after = await admin('GET', `/api/users/${member.body.id}`);
      expect(after.status).toBe(200);
      expect(after.body.group_id).toBeNull();
    });
  });

  describe('bad input stores nothing', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['missing name', { ratio: 1 }, 'name'],
      ['name of the wrong type', { name: 42 }, 'name'],
      ['empty name', { name: '' }, 'name'],
      ['name starting with a dash', { name: '-bad' }, 'name'],
      ['name too long', { name: `a${'b'.repeat(128)}` }, 'name'],
      ['ratio of the wrong type', { name: 'bad-ratio-type', ratio: '1.5' }, 'ratio'],
      ['ratio above 1000', { name: 'bad-ratio-high', ratio: 1000.5 }, 'ratio'],
      ['negative ratio', { name: 'bad-ratio-low', ratio: -1 }, 'ratio'],
      ['ratio with 7 decimals', { name: 'bad-ratio-precision', ratio: 0.1234567 }, 'ratio'],
      ['description of the wrong type', { name: 'bad-description', description: 7 }, 'description'],
      ['description too long', { name: 'bad-description-long', description: 'x'.repeat(501) }, 'description'],
    ];

    it.each(cases)('%s → 400 naming the field', async (_label, body, field) => {
      const before = (await admin('GET', '/api/groups')).body.total;
      expectInvalid(await admin('POST', '/api/groups', { body }), field);
      expect((await admin('GET', '/api/groups')).body.total).toBe(before);
      if (typeof body.name === 'string' && body.name.length > 0 && body.name.length <= 128) expect(await countByName(body.name)).toBe(0);
    });

    it('an unknown field → 400 { field, messages: ["unknown field"] }, nothing stored', async () => {
      expectUnknownField(await admin('POST', '/api/groups', { body: { name: 'sneaky', ratio_ppm: 1 } }), 'ratio_ppm');
      expectUnknownField(await admin('POST', '/api/groups', { body: { name: 'sneaky', id: MISSING_ID } }), 'id');
      expect(await countByName('sneaky')).toBe(0);
    });

    it('names every invalid field at once', async () => {
      expectInvalid(await admin('POST', '/api/groups', { body: { ratio: 'x', extra: true } }), 'name', 'ratio', 'extra');
    });

    it('a body that is not JSON → 400 validation_failed, nothing stored', async () => {
      const before = (await admin('GET', '/api/groups')).body.total;
      const result = await admin('POST', '/api/groups', { body: '{"name": "broken"', headers: { 'content-type': 'application/json' } });
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('validation_failed');
      expect((await admin('GET', '/api/groups')).body.total).toBe(before);
    });

    it('a NUL character in a text field or filter → 400 naming the field, not a 500; nothing stored', async () => {
      const before = (await admin('GET', '/api/groups')).body.total;
      expectInvalid(await admin('POST', '/api/groups', { body: { name: 'nul-description', description: 'a\u0000b' } }), 'description');
      expect((await admin('GET', '/api/groups')).body.total).toBe(before);
      expect(await countByName('nul-description')).toBe(0);
      expectInvalid(await admin('GET', '/api/groups', { query: { name: 'a\u0000' } }), 'name');
    });

    it('a duplicate name → 409 conflict and still one group of that name', async () => {
      expect((await admin('POST', '/api/groups', { body: { name: 'unique-one' } })).status).toBe(201);
      expectError(await admin('POST', '/api/groups', { body: { name: 'unique-one', ratio: 3 } }), 409, 'conflict');
      const list = await admin('GET', '/api/groups', { query: { name: 'unique-one' } });
      expect(list.body.total).toBe(1);
      expect(list.body.data[0].ratio).toBe(1);
    });
  });

  describe('roles', () => {
    it('lets operators and viewers read but only admins write', async () => {
      const created = await admin('POST', '/api/groups', { body: { name: 'rbac-group' } });
      for (const token of [operator, viewer]) {
        expect((await master.request('GET', '/api/groups', { token })).status).toBe(200);
        expect((await master.request('GET', `/api/groups/${created.body.id}`, { token })).status).toBe(200);
        expectError(await master.request('POST', '/api/groups', { token, body: { name: 'rbac-sneak' } }), 403, 'forbidden');
        expectError(await master.request('PATCH', `/api/groups/${created.body.id}`, { token, body: { ratio: 9 } }), 403, 'forbidden');
        expectError(await master.request('DELETE', `/api/groups/${created.body.id}`, { token }), 403, 'forbidden');
      }
      expectError(await master.request('GET', '/api/groups', { token: user }), 403, 'forbidden');
      expectError(await master.request('GET', '/api/groups'), 401, 'unauthenticated');
      expectError(await master.request('GET', '/api/groups', { token: 'not-a-jwt' }), 401, 'unauthenticated');
      expect(await countByName('rbac-sneak')).toBe(0);
      expect((await admin('GET', `/api/groups/${created.body.id}`)).body).toEqual(created.body);
    });
  });

  describe('audit', () => {
    it('records create, update and delete of a group', async () => {
      const created = await admin('POST', '/api/groups', { body: { name: 'audited', ratio: 2 } });
      await admin('PATCH', `/api/groups/${created.body.id}`, { body: { ratio: 3 } });
      await admin('DELETE', `/api/groups/${created.body.id}`);
      const audit = await admin('GET', '/api/audit', { query: { entity: 'group', entity_id: created.body.id } });
      expect(audit.status).toBe(200);
      expect(audit.body.total).toBe(3);
      expect(audit.body.data.map((row: any) => [row.action, row.actor_name, row.changes])).toEqual([
        ['delete', 'admin', { name: 'audited' }],
        ['update', 'admin', { ratio: 3 }],
        ['create', 'admin', { name: 'audited', ratio: 2 }],
      ]);
    });
  });
});
