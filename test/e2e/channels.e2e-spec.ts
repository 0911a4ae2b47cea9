import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';

const CHANNEL_FIELDS = [
  'base_url', 'created_at', 'headers', 'id', 'key_hint', 'model_mapping', 'models', 'name', 'priority', 'region', 'settings', 'status',
  'status_reason', 'type', 'updated_at', 'weight',
];
const UPSTREAM_KEY = 'sk-proj-UPSTREAM-secret-0123456789abcdefXYZ9';
const HEADER_SECRET = 'Bearer header-secret-value-7f3a9c';

describe('admin API: /api/channels', () => {
  let master: TestMaster;
  let operator: string;
  let viewer: string;
  let user: string;

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const countByName = async (name: string): Promise<number> => {
    const list = await admin('GET', '/api/channels', { query: { name } });
    expect(list.status).toBe(200);
    return list.body.total;
  };
  const minimal = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    type: 'openai',
    base_url: 'https://api.openai.com/v1',
    ...extra,
  });

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

  describe('create, get and secrets', () => {
    let created: HttpResult;
    beforeAll(async () => {
      created = await master.request('POST', '/api/channels', {
        token: operator,
        body: {
          name: 'openai-main',
          type: 'openai',
          base_url: 'https://api.openai.com/v1',
          key: UPSTREAM_KEY,
          models: ['gpt-4o', 'gpt-4o-mini'],
          model_mapping: { 'gpt-4o': 'gpt-4o-2024-08-06' },
          headers: { Authorization: HEADER_SECRET, 'OpenAI-Organization': 'org-123' },
          priority: 10,
          weight: 5,
          region: 'eu',
          status: 'enabled',
        },
      });
    });

    it('creates a channel (201) with the full shape; the key is never echoed, only a masked key_hint', () => {
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'openai-main',
        type: 'openai',
        base_url: 'https://api.openai.com/v1',
        key_hint: `${UPSTREAM_KEY.slice(0, 6)}…${UPSTREAM_KEY.slice(-4)}`,
        models: ['gpt-4o', 'gpt-4o-mini'],
        model_mapping: { 'gpt-4o': 'gpt-4o-2024-08-06' },
        headers: ['Authorization', 'OpenAI-Organization'],
        priority: 10,
        weight: 5,
        region: 'eu',
        status: 'enabled',
        status_reason: null,
        settings: {},
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      const text = JSON.stringify(created.body);
      expect(text).not.toContain(UPSTREAM_KEY);
      expect(text).not.toContain('UPSTREAM-secret');
      expect(text).not.toContain(HEADER_SECRET);
      expect(text).not.toContain('org-123');
    });

    it('GET and list answer the same shape, without the key or header values', async () => {
      for (const token of [master.adminToken, operator, viewer]) {
        const fetched = await master.request('GET', `/api/channels/${created.body.id}`, { token });
        expect(fetched.status).toBe(200);
        expect(fetched.body).toEqual(created.body);
        const list = await master.request('GET', '/api/channels', { token, query: { name: 'openai-main' } });
        expect(list.body.data).toEqual([created.body]);
        for (const text of [JSON.stringify(fetched.body), JSON.stringify(list.body)]) {
          expect(text).not.toContain(UPSTREAM_KEY);
          expect(text).not.toContain(HEADER_SECRET);
        }
      }
    });

    it('the audit log records the channel without its key or header values', async () => {
      const audit = await admin('GET', '/api/audit', { query: { entity: 'channel', entity_id: created.body.id } });
      expect(audit.status).toBe(200);
      expect(audit.body.total).toBe(1);
      expect(audit.body.data[0]).toMatchObject({ action: 'create', actor_name: 'operator1', changes: { name: 'openai-main', key: '[redacted]' } });
      const text = JSON.stringify(audit.body);
      expect(text).not.toContain(UPSTREAM_KEY);
      expect(text).not.toContain('UPSTREAM-secret');
      expect(text).not.toContain(HEADER_SECRET);
    });

    it('applies defaults for a keyless channel', async () => {
      const keyless = await admin('POST', '/api/channels', { body: minimal('local-llm', { type: 'openai-compatible', base_url: 'http://localhost:11434/v1' }) });
      expect(keyless.status).toBe(201);
      expect(keyless.body).toMatchObject({
        key_hint: null,
        models: [],
        model_mapping: {},
        headers: [],
        priority: 0,
        weight: 1,
        region: null,
        status: 'enabled',
        status_reason: null,
        base_url: 'http://localhost:11434/v1',
      });
      expect(Object.keys(keyless.body).sort()).toEqual(CHANNEL_FIELDS);
    });

    it('masks a short key to its first 3 characters', async () => {
      const short = await admin('POST', '/api/channels', { body: minimal('short-key', { key: 'abcdef123' }) });
      expect(short.status).toBe(201);
      expect(short.body.key_hint).toBe('abc…');
      expect(JSON.stringify(short.body)).not.toContain('abcdef123');
    });

    it('answers 404 not_found for unknown and malformed ids', async () => {
      expectError(await admin('GET', `/api/channels/${MISSING_ID}`), 404, 'not_found');
      expectError(await admin('GET', '/api/channels/openai-main'), 404, 'not_found');
      expectError(await admin('PATCH', '/api/channels/openai-main', { body: { weight: 2 } }), 404, 'not_found');
      expectError(await admin('DELETE', '/api/channels/openai-main'), 404, 'not_found');
      expectError(await admin('PATCH', `/api/channels/${MISSING_ID}`, { body: { weight: 2 } }), 404, 'not_found');
      expectError(await admin('DELETE', `/api/channels/${MISSING_ID}`), 404, 'not_found');
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      const entries: Record<string, unknown>[] = [
        minimal('list-a', { priority: 5, models: ['gpt-4o'] }),
        minimal('list-b', { priority: 5, models: ['gpt-4o', 'o3'], status: 'disabled' }),
        minimal('list-c', { priority: 9, type: 'anthropic', base_url: 'https://api.anthropic.com', models: ['claude-sonnet'] }),
        minimal('list-d', { priority: -3, type: 'gemini', base_url: 'https://generativelanguage.googleapis.com', models: ['gemini-pro', 'o3'] }),
        minimal('list-e', { priority: 0, type: 'anthropic', base_url: 'https://api.anthropic.com', status: 'disabled' }),
      ];
      for (const body of entries) expect((await admin('POST', '/api/channels', { body })).status).toBe(201);
    });

    it('pages with limit and offset, by priority (desc) then name, with the total of all matches', async () => {
      const first = await admin('GET', '/api/channels', { query: { name: 'list-', limit: 2 } });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ data: expect.any(Array), total: 5, limit: 2, offset: 0 });
      expect(first.body.data.map((channel: any) => channel.name)).toEqual(['list-c', 'list-a']);
      const second = await admin('GET', '/api/channels', { query: { name: 'list-', limit: 2, offset: 2 } });
      expect(second.body.data.map((channel: any) => channel.name)).toEqual(['list-b', 'list-e']);
      const third = await admin('GET', '/api/channels', { query: { name: 'list-', limit: 2, offset: 4 } });
      expect(third.body.data.map((channel: any) => channel.name)).toEqual(['list-d']);
      expect(third.body).toMatchObject({ total: 5, limit: 2, offset: 4 });
    });

    it('filters by name, type, status and model (alone and combined)', async () => {
      const byType = await admin('GET', '/api/channels', { query: { name: 'list-', type: 'anthropic' } });
      expect(byType.body.data.map((channel: any) => channel.name)).toEqual(['list-c', 'list-e']);
      const disabled = await admin('GET', '/api/channels', { query: { name: 'list-', status: 'disabled' } });
      expect(disabled.body.data.map((channel: any) => channel.name)).toEqual(['list-b', 'list-e']);
      const o3 = await admin('GET', '/api/channels', { query: { model: 'o3' } });
      expect(o3.body.data.map((channel: any) => channel.name)).toEqual(['list-b', 'list-d']);
      expect(o3.body.total).toBe(2);
      const combined = await admin('GET', '/api/channels', { query: { model: 'gpt-4o', status: 'enabled', type: 'openai', name: 'list' } });
      expect(combined.body.data.map((channel: any) => channel.name)).toEqual(['list-a']);
      expect((await admin('GET', '/api/channels', { query: { status: 'auto_disabled' } })).body.total).toBe(0);
      expect((await admin('GET', '/api/channels', { query: { model: 'gpt' } })).body.total).toBe(0);
      expect(await countByName('LIST-D')).toBe(1);
    });

    it('rejects invalid filters with 400 naming them', async () => {
      expectInvalid(await admin('GET', '/api/channels', { query: { type: 'no-such-provider' } }), 'type');
      expectInvalid(await admin('GET', '/api/channels', { query: { status: 'broken' } }), 'status');
      expectInvalid(await admin('GET', '/api/channels', { query: { limit: -1 } }), 'limit');
      expectUnknownField(await admin('GET', '/api/channels', { query: { key: 'x' } }), 'key');
    });
  });

  describe('routing settings', () => {
    it('stores limits, timeouts and breaker settings; PATCH replaces them whole; GET shows them', async () => {
      const settings = { max_concurrency: 4, rpm: 600, timeouts: { connect_ms: 2000, first_byte_ms: 5000, idle_ms: 30000, total_ms: 120000 }, breaker: { enabled: true, window: 10, failure_threshold: 5, consecutive_failures: 3, cooldown_seconds: 10 } };
      const created = await admin('POST', '/api/channels', { body: { name: 'tuned', type: 'openai', base_url: 'https://api.openai.com/v1', settings } });
      expect(created.status).toBe(201);
      expect(created.body.settings).toEqual(settings);
      const patched = await admin('PATCH', `/api/channels/${created.body.id}`, { body: { settings: { rpm: null, breaker: { enabled: false } } } });
      expect(patched.status).toBe(200);
      expect(patched.body.settings).toEqual({ rpm: null, breaker: { enabled: false } });
      expect((await admin('GET', `/api/channels/${created.body.id}`)).body.settings).toEqual({ rpm: null, breaker: { enabled: false } });
    });

    it('refuses unknown and out-of-range settings with 400 naming them; nothing stored', async () => {
      const base = { type: 'openai', base_url: 'https://api.openai.com/v1' };
      expectUnknownField(await admin('POST', '/api/channels', { body: { ...base, name: 'bad-settings-1', settings: { timeouts: { first_byte: 5 } } } }), 'settings.timeouts.first_byte');
      expectInvalid(await admin('POST', '/api/channels', { body: { ...base, name: 'bad-settings-2', settings: { max_concurrency: -1 } } }), 'settings.max_concurrency');
      expectInvalid(await admin('POST', '/api/channels', { body: { ...base, name: 'bad-settings-3', settings: { breaker: { cooldown_seconds: 0 } } } }), 'settings.breaker.cooldown_seconds');
      expectInvalid(await admin('POST', '/api/channels', { body: { ...base, name: 'bad-settings-4', settings: 'fast' } }), 'settings');
      expect((await admin('GET', '/api/channels', { query: { name: 'bad-settings' } })).body.total).toBe(0);
    });
  });

  describe('update', () => {
    it('PATCH changes the given fields; a later GET shows them; a new key changes only the hint', async () => {
      const created = await admin('POST', '/api/channels', {
        body: minimal('mutable', { key: 'sk-first-key-aaaaaaaaaaaa1111', models: ['gpt-4o'], region: 'us', headers: { 'X-A': '1' } }),
      });
      const newKey = 'sk-second-key-bbbbbbbbbbbb2222';
      const updated = await master.request('PATCH', `/api/channels/${created.body.id}`, {
        token: operator,
        body: {
          key: newKey,
          type: 'azure',
          base_url: 'https://example.openai.azure.com/openai',
          models: ['gpt-4o', 'gpt-4.1'],
          model_mapping: { 'gpt-4.1': 'my-deployment' },
          headers: { 'api-version': '2024-06-01' },
          priority: -7,
          weight: 0,
          region: null,
          status: 'disabled',
        },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({
        ...created.body,
        key_hint: 'sk-sec…2222',
        type: 'azure',
        base_url: 'https://example.openai.azure.com/openai',
        models: ['gpt-4o', 'gpt-4.1'],
        model_mapping: { 'gpt-4.1': 'my-deployment' },
        headers: ['api-version'],
        priority: -7,
        weight: 0,
        region: null,
        status: 'disabled',
        updated_at: expect.stringMatching(ISO),
      });
      expect(JSON.stringify(updated.body)).not.toContain(newKey);
      const fetched = await admin('GET', `/api/channels/${created.body.id}`);
      expect(fetched.body).toEqual(updated.body);

      const renamed = await admin('PATCH', `/api/channels/${created.body.id}`, { body: { name: 'mutable-2', key: null } });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'mutable-2', key_hint: null, type: 'azure', priority: -7 });
      expect((await admin('GET', `/api/channels/${created.body.id}`)).body).toEqual(renamed.body);
    });

    it('rejects invalid updates with 400 and leaves the channel unchanged', async () => {
      const created = await admin('POST', '/api/channels', { body: minimal('steady', { key: 'sk-steady-key-cccccccccc3333' }) });
      const path = `/api/channels/${created.body.id}`;
      expectInvalid(await admin('PATCH', path, { body: { priority: 'high' } }), 'priority');
      expectInvalid(await admin('PATCH', path, { body: { priority: 1001 } }), 'priority');
      expectInvalid(await admin('PATCH', path, { body: { weight: 10001 } }), 'weight');
      expectInvalid(await admin('PATCH', path, { body: { key: '' } }), 'key');
      expectInvalid(await admin('PATCH', path, { body: { base_url: 'not a url' } }), 'base_url');
      expectInvalid(await admin('PATCH', path, { body: { status: 'auto_disabled' } }), 'status');
      expectInvalid(await admin('PATCH', path, { body: { headers: { 'X-Bad': 5 } } }), 'headers');
      expectUnknownField(await admin('PATCH', path, { body: { status_reason: 'manual' } }), 'status_reason');
      expectUnknownField(await admin('PATCH', path, { body: { key_hint: 'sk-fake…0000' } }), 'key_hint');
      expect((await admin('GET', path)).body).toEqual(created.body);
    });

    it('renaming onto an existing name → 409 conflict', async () => {
      const first = await admin('POST', '/api/channels', { body: minimal('rename-a') });
      const second = await admin('POST', '/api/channels', { body: minimal('rename-b') });
      expect(first.status).toBe(201);
      expectError(await admin('PATCH', `/api/channels/${second.body.id}`, { body: { name: 'rename-a' } }), 409, 'conflict');
      expect((await admin('GET', `/api/channels/${second.body.id}`)).body.name).toBe('rename-b');
    });

    it('the audit log of an update redacts the new key and does not hold header values', async () => {
      const created = await admin('POST', '/api/channels', { body: minimal('audited-update') });
      const secret = 'sk-rotated-key-ddddddddddddd4444';
      await admin('PATCH', `/api/channels/${created.body.id}`, { body: { key: secret, headers: { 'x-api-key': 'header-key-zzz-999' } } });
      const audit = await admin('GET', '/api/audit', { query: { entity: 'channel', entity_id: created.body.id } });
      expect(audit.body.data[0]).toMatchObject({ action: 'update', changes: { key: '[redacted]' } });
      expect(JSON.stringify(audit.body)).not.toContain(secret);
      expect(JSON.stringify(audit.body)).not.toContain('header-key-zzz-999');
    });
  });

  describe('delete', () => {
    it('DELETE answers 204; GET then 404 not_found; its routes go with it', async () => {
      const created = await admin('POST', '/api/channels', { body: minimal('doomed', { key: 'sk-doomed-key-eeeeeeeeee5555' }) });
      const route = await admin('POST', '/api/routes', { body: { model: 'gpt-4o', channel_id: created.body.id } });
      expect(route.status).toBe(201);
      const removed = await master.request('DELETE', `/api/channels/${created.body.id}`, { token: operator });
      expect(removed.status).toBe(204);
      expect(removed.body).toBeUndefined();
      expectError(await admin('GET', `/api/channels/${created.body.id}`), 404, 'not_found');
      expectError(await admin('DELETE', `/api/channels/${created.body.id}`), 404, 'not_found');
      expect(await countByName('doomed')).toBe(0);
      expectError(await admin('GET', `/api/routes/${route.body.id}`), 404, 'not_found');
    });
  });

  describe('bad input stores nothing', () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['missing name', { type: 'openai', base_url: 'https://api.openai.com/v1' }, ['name']],
      ['missing type', { name: 'no-type', base_url: 'https://api.openai.com/v1' }, ['type']],
      ['missing base_url for a type without a default', { name: 'no-url', type: 'vllm' }, ['base_url']],
      ['unknown type', minimal('bad-type', { type: 'no-such-provider' }), ['type']],
      ['name of the wrong type', minimal('x', { name: 42 }), ['name']],
      ['base_url that is no URL', minimal('bad-url', { base_url: 'api.openai.com' }), ['base_url']],
      ['base_url with another protocol', minimal('bad-url-2', { base_url: 'ftp://files.example.com' }), ['base_url']],
      ['empty key', minimal('bad-key', { key: '' }), ['key']],
      ['key of the wrong type', minimal('bad-key-2', { key: 12345 }), ['key']],
      ['models not an array', minimal('bad-models', { models: 'gpt-4o' }), ['models']],
      ['model_mapping with a non-string', minimal('bad-mapping', { model_mapping: { a: 1 } }), ['model_mapping']],
      ['headers as an array', minimal('bad-headers', { headers: ['X-A: 1'] }), ['headers']],
      ['priority above 1000', minimal('bad-priority', { priority: 1001 }), ['priority']],
      ['priority below -1000', minimal('bad-priority-2', { priority: -1001 }), ['priority']],
      ['fractional priority', minimal('bad-priority-3', { priority: 1.5 }), ['priority']],
      ['negative weight', minimal('bad-weight', { weight: -1 }), ['weight']],
      ['weight as a string', minimal('bad-weight-2', { weight: '3' }), ['weight']],
      ['region too long', minimal('bad-region', { region: 'r'.repeat(65) }), ['region']],
      ['status auto_disabled', minimal('bad-status', { status: 'auto_disabled' }), ['status']],
    ];

    it.each(cases)('%s → 400 naming the field', async (_label, body, fields) => {
      const before = (await admin('GET', '/api/channels')).body.total;
      expectInvalid(await admin('POST', '/api/channels', { body }), ...fields);
      expect((await admin('GET', '/api/channels')).body.total).toBe(before);
      if (typeof body.name === 'string') expect(await countByName(body.name)).toBe(0);
    });

    it('unknown fields → 400 naming them; nothing stored', async () => {
      expectUnknownField(await admin('POST', '/api/channels', { body: minimal('sneaky', { key_ciphertext: 'x' }) }), 'key_ciphertext');
      expectUnknownField(await admin('POST', '/api/channels', { body: minimal('sneaky', { status_reason: 'x' }) }), 'status_reason');
      expect(await countByName('sneaky')).toBe(0);
    });

    it('a duplicate name → 409 conflict; the first channel is untouched', async () => {
      const first = await admin('POST', '/api/channels', { body: minimal('dupe', { key: 'sk-dupe-one-ffffffffff6666' }) });
      expect(first.status).toBe(201);
      expectError(await admin('POST', '/api/channels', { body: minimal('dupe', { key: 'sk-dupe-two-gggggggggg7777', type: 'anthropic' }) }), 409, 'conflict');
      expect(await countByName('dupe')).toBe(1);
      expect((await admin('GET', `/api/channels/${first.body.id}`)).body).toEqual(first.body);
    });
  });

  describe('roles', () => {
    it('operators write; viewers read only; users have no access', async () => {
      const created = await admin('POST', '/api/channels', { body: minimal('rbac-channel') });
      expect((await master.request('GET', `/api/channels/${created.body.id}`, { token: viewer })).status).toBe(200);
      expectError(await master.request('POST', '/api/channels', { token: viewer, body: minimal('rbac-by-viewer') }), 403, 'forbidden');
      expectError(await master.request('PATCH', `/api/channels/${created.body.id}`, { token: viewer, body: { weight: 9 } }), 403, 'forbidden');
      expectError(await master.request('DELETE', `/api/channels/${created.body.id}`, { token: viewer }), 403, 'forbidden');
      expectError(await master.request('GET', '/api/channels', { token: user }), 403, 'forbidden');
      expectError(await master.request('GET', `/api/channels/${created.body.id}`, { token: user }), 403, 'forbidden');
      expectError(await master.request('POST', '/api/channels', { token: user, body: minimal('rbac-by-user') }), 403, 'forbidden');
      expect(await countByName('rbac-by')).toBe(0);
      expect((await admin('GET', `/api/channels/${created.body.id}`)).body).toEqual(created.body);
    });
  });
});
