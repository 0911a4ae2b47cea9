import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';

const ROUTE_FIELDS = ['channel_id', 'created_at', 'enabled', 'id', 'model', 'priority', 'updated_at', 'upstream_model', 'weight'];

describe('admin API: /api/routes', () => {
  let master: TestMaster;
  let operator: string;
  let viewer: string;
  let user: string;
  let channelA: string;
  let channelB: string;

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const routesFor = async (query: Record<string, string | number>): Promise<any> => {
    const list = await admin('GET', '/api/routes', { query: { limit: 500, ...query } });
    expect(list.status).toBe(200);
    return list.body;
  };
  const createChannel = async (name: string): Promise<string> => {
    const created = await admin('POST', '/api/channels', { body: { name, type: 'openai', base_url: 'https://api.openai.com/v1' } });
    expect(created.status).toBe(201);
    return created.body.id;
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
    channelA = await createChannel('channel-a');
    channelB = await createChannel('channel-b');
  });
  afterAll(() => master?.close());

  describe('create and get', () => {
    it('creates a route (201) with the full shape and gets it back', async () => {
      const created = await master.request('POST', '/api/routes', {
        token: operator,
        body: { model: 'gpt-4o', channel_id: channelA, upstream_model: 'gpt-4o-2024-08-06', priority: 10, weight: 3, enabled: false },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        model: 'gpt-4o',
        channel_id: channelA,
        upstream_model: 'gpt-4o-2024-08-06',
        priority: 10,
        weight: 3,
        enabled: false,
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      const fetched = await admin('GET', `/api/routes/${created.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);
    });

    it('applies defaults: no upstream model, priority 0, weight 1, enabled', async () => {
      const created = await admin('POST', '/api/routes', { body: { model: 'gpt-4o', channel_id: channelB } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ model: 'gpt-4o', channel_id: channelB, upstream_model: null, priority: 0, weight: 1, enabled: true });
      expect(Object.keys(created.body).sort()).toEqual(ROUTE_FIELDS);
    });

    it('answers 404 not_found for unknown and malformed ids', async () => {
      expectError(await admin('GET', `/api/routes/${MISSING_ID}`), 404, 'not_found');
      expectError(await admin('GET', '/api/routes/gpt-4o'), 404, 'not_found');
      expectError(await admin('PATCH', '/api/routes/gpt-4o', { body: { weight: 2 } }), 404, 'not_found');
      expectError(await admin('DELETE', '/api/routes/gpt-4o'), 404, 'not_found');
      expectError(await admin('PATCH', `/api/routes/${MISSING_ID}`, { body: { weight: 2 } }), 404, 'not_found');
      expectError(await admin('DELETE', `/api/routes/${MISSING_ID}`), 404, 'not_found');
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      const entries: [string, string, number][] = [
        ['list-m1', channelA, 1],
        ['list-m1', channelB, 7],
        ['list-m2', channelA, 0],
        ['list-m3', channelA, 5],
        ['list-m3', channelB, -2],
      ];
      for (const [model, channel_id, priority] of entries) {
        expect((await admin('POST', '/api/routes', { body: { model, channel_id, priority } })).status).toBe(201);
      }
    });

    it('pages with limit and offset, by model then priority (desc), with the total of all matches', async () => {
      const all = await routesFor({});
      const listed = all.data.filter((route: any) => route.model.startsWith('list-'));
      expect(listed.map((route: any) => [route.model, route.priority])).toEqual([
        ['list-m1', 7],
        ['list-m1', 1],
        ['list-m2', 0],
        ['list-m3', 5],
        ['list-m3', -2],
      ]);
      const total = all.total;
      expect(total).toBe(all.data.length);
      const first = await admin('GET', '/api/routes', { query: { limit: 2 } });
      expect(first.body).toEqual({ data: all.data.slice(0, 2), total, limit: 2, offset: 0 });
      const second = await admin('GET', '/api/routes', { query: { limit: 2, offset: 2 } });
      expect(second.body).toEqual({ data: all.data.slice(2, 4), total, limit: 2, offset: 2 });
      const beyond = await admin('GET', '/api/routes', { query: { limit: 2, offset: total } });
      expect(beyond.body).toEqual({ data: [], total, limit: 2, offset: total });
    });

    it('filters by exact model and by channel_id (alone and combined)', async () => {
      const m1 = await routesFor({ model: 'list-m1' });
      expect(m1.total).toBe(2);
      expect(m1.data.map((route: any) => route.channel_id)).toEqual([channelB, channelA]);
      expect((await routesFor({ model: 'list-m' })).total).toBe(0);
      const onB = await routesFor({ channel_id: channelB });
      for (const route of onB.data) expect(route.channel_id).toBe(channelB);
      expect(onB.data.map((route: any) => route.model)).toEqual(expect.arrayContaining(['list-m1', 'list-m3']));
      const both = await routesFor({ model: 'list-m3', channel_id: channelB });
      expect(both.data.map((route: any) => [route.model, route.priority])).toEqual([['list-m3', -2]]);
      expect((await routesFor({ channel_id: MISSING_ID })).total).toBe(0);
    });

    it('rejects invalid filters with 400 naming them', async () => {
      expectInvalid(await admin('GET', '/api/routes', { query: { channel_id: 'channel-a' } }), 'channel_id');
      expectInvalid(await admin('GET', '/api/routes', { query: { limit: 1000 } }), 'limit');
      expectUnknownField(await admin('GET', '/api/routes', { query: { enabled: 'true' } }), 'enabled');
    });
  });

  describe('update', () => {
    it('PATCH changes the given fields; a later GET shows them', async () => {
      const created = await admin('POST', '/api/routes', { body: { model: 'upd-model', channel_id: channelA, upstream_model: 'x-1' } });
      const updated = await master.request('PATCH', `/api/routes/${created.body.id}`, {
        token: operator,
        body: { upstream_model: null, priority: -1000, weight: 10000, enabled: false },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({
        ...created.body,
        upstream_model: null,
        priority: -1000,
        weight: 10000,
        enabled: false,
        updated_at: expect.stringMatching(ISO),
      });
      expect((await admin('GET', `/api/routes/${created.body.id}`)).body).toEqual(updated.body);
      const again = await admin('PATCH', `/api/routes/${created.body.id}`, { body: { upstream_model: 'x-2', enabled: true } });
      expect(again.body).toMatchObject({ upstream_model: 'x-2', enabled: true, priority: -1000 });
    });

    it('model and channel are fixed: PATCH with them → 400 unknown field; invalid values → 400; nothing changes', async () => {
      const created = await admin('POST', '/api/routes', { body: { model: 'fixed-model', channel_id: channelA } });
      const path = `/api/routes/${created.body.id}`;
      expectUnknownField(await admin('PATCH', path, { body: { model: 'other' } }), 'model');
      expectUnknownField(await admin('PATCH', path, { body: { channel_id: channelB } }), 'channel_id');
      expectInvalid(await admin('PATCH', path, { body: { priority: 1001 } }), 'priority');
      expectInvalid(await admin('PATCH', path, { body: { weight: -1 } }), 'weight');
      expectInvalid(await admin('PATCH', path, { body: { enabled: 'no' } }), 'enabled');
      expectInvalid(await admin('PATCH', path, { body: { upstream_model: '' } }), 'upstream_model');
      expect((await admin('GET', path)).body).toEqual(created.body);
    });
  });

  describe('delete', () => {
    it('DELETE answers 204; GET then 404 not_found', async () => {
      const created = await admin('POST', '/api/routes', { body: { model: 'doomed-route', channel_id: channelA } });
      const removed = await master.request('DELETE', `/api/routes/${created.body.id}`, { token: operator });
      expect(removed.status).toBe(204);
      expect(removed.body).toBeUndefined();
      expectError(await admin('GET', `/api/routes/${created.body.id}`), 404, 'not_found');
      expectError(await admin('DELETE', `/api/routes/${created.body.id}`), 404, 'not_found');
      expect((await routesFor({ model: 'doomed-route' })).total).toBe(0);
      // the channel is untouched
      expect((await admin('GET', `/api/channels/${channelA}`)).status).toBe(200);
    });

    it("deleting a channel removes its routes and only its routes", async () => {
      const channel = await createChannel('short-lived-channel');
      const onIt = await admin('POST', '/api/routes', { body: { model: 'cascade-model', channel_id: channel } });
      const elsewhere = await admin('POST', '/api/routes', { body: { model: 'cascade-model', channel_id: channelA } });
      expect((await admin('DELETE', `/api/channels/${channel}`)).status).toBe(204);
      expectError(await admin('GET', `/api/routes/${onIt.body.id}`), 404, 'not_found');
      expect((await admin('GET', `/api/routes/${elsewhere.body.id}`)).body).toEqual(elsewhere.body);
      expect((await routesFor({ model: 'cascade-model' })).total).toBe(1);
    });
  });

  describe('bad input stores nothing', () => {
    const cases = (): [string, Record<string, unknown>, string[]][] => [
      ['missing model', { channel_id: channelA }, ['model']],
      ['missing channel_id', { model: 'bad-no-channel' }, ['channel_id']],
      ['malformed channel_id', { model: 'bad-channel', channel_id: 'channel-a' }, ['channel_id']],
      ['channel_id of no channel', { model: 'bad-ghost', channel_id: MISSING_ID }, ['channel_id']],
      ['model of the wrong type', { model: 4, channel_id: channelA }, ['model']],
      ['model with a space', { model: 'gpt 4o', channel_id: channelA }, ['model']],
      ['empty upstream_model', { model: 'bad-upstream', channel_id: channelA, upstream_model: '' }, ['upstream_model']],
      ['priority above 1000', { model: 'bad-priority', channel_id: channelA, priority: 1001 }, ['priority']],
      ['fractional weight', { model: 'bad-weight', channel_id: channelA, weight: 0.5 }, ['weight']],
      ['weight above 10000', { model: 'bad-weight-2', channel_id: channelA, weight: 10001 }, ['weight']],
      ['enabled as a string', { model: 'bad-enabled', channel_id: channelA, enabled: 'true' }, ['enabled']],
    ];

    it('each bad body → 400 naming the field, and nothing is stored', async () => {
      for (const [label, body, fields] of cases()) {
        const before = (await routesFor({})).total;
        const result = await admin('POST', '/api/routes', { body });
        expect(result.status, label).toBe(400);
        expectInvalid(result, ...fields);
        expect((await routesFor({})).total, label).toBe(before);
        if (typeof body.model === 'string') expect((await routesFor({ model: body.model })).total, label).toBe(0);
      }
    });

    it('an unknown field → 400 naming it; nothing stored', async () => {
      expectUnknownField(await admin('POST', '/api/routes', { body: { model: 'sneaky', channel_id: channelA, id: MISSING_ID } }), 'id');
      expectUnknownField(await admin('POST', '/api/routes', { body: { model: 'sneaky', channel_id: channelA, channel: 'channel-a' } }), 'channel');
      expect((await routesFor({ model: 'sneaky' })).total).toBe(0);
    });

    it('a duplicate (model, channel) → 409 conflict; the same model on another channel is fine', async () => {
      const first = await admin('POST', '/api/routes', { body: { model: 'dupe-route', channel_id: channelA, priority: 3 } });
      expect(first.status).toBe(201);
      expectError(await admin('POST', '/api/routes', { body: { model: 'dupe-route', channel_id: channelA, priority: 9 } }), 409, 'conflict');
      expect((await routesFor({ model: 'dupe-route' })).total).toBe(1);
      expect((await admin('GET', `/api/routes/${first.body.id}`)).body.priority).toBe(3);
      expect((await admin('POST', '/api/routes', { body: { model: 'dupe-route', channel_id: channelB } })).status).toBe(201);
      expect((await routesFor({ model: 'dupe-route' })).total).toBe(2);
    });
  });

  describe('roles and audit', () => {
    it('operators write; viewers read only; users have no access', async () => {
      const created = await admin('POST', '/api/routes', { body: { model: 'rbac-route', channel_id: channelA } });
      expect((await master.request('GET', `/api/routes/${created.body.id}`, { token: viewer })).status).toBe(200);
      expect((await master.request('GET', '/api/routes', { token: viewer })).status).toBe(200);
      expectError(await master.request('POST', '/api/routes', { token: viewer, body: { model: 'rbac-sneak', channel_id: channelA } }), 403, 'forbidden');
      expectError(await master.request('PATCH', `/api/routes/${created.body.id}`, { token: viewer, body: { weight: 5 } }), 403, 'forbidden');
      expectError(await master.request('DELETE', `/api/routes/${created.body.id}`, { token: viewer }), 403, 'forbidden');
      expectError(await master.request('GET', '/api/routes', { token: user }), 403, 'forbidden');
      expectError(await master.request('POST', '/api/routes', { token: user, body: { model: 'rbac-sneak', channel_id: channelA } }), 403, 'forbidden');
      expect((await routesFor({ model: 'rbac-sneak' })).total).toBe(0);
      expect((await admin('GET', `/api/routes/${created.body.id}`)).body).toEqual(created.body);
    });

    it('audits route writes', async () => {
      const created = await admin('POST', '/api/routes', { body: { model: 'audited-route', channel_id: channelA } });
      await admin('PATCH', `/api/routes/${created.body.id}`, { body: { weight: 2 } });
      await admin('DELETE', `/api/routes/${created.body.id}`);
      const audit = await admin('GET', '/api/audit', { query: { entity: 'route', entity_id: created.body.id } });
      expect(audit.body.data.map((row: any) => [row.action, row.changes])).toEqual([
        ['delete', { model: 'audited-route', channel_id: channelA }],
        ['update', { weight: 2 }],
        ['create', { model: 'audited-route', channel_id: channelA }],
      ]);
    });
  });
});
