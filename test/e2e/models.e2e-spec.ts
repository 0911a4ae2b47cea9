import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';


describe('admin API: /api/models', () => {
  let master: TestMaster;
  let operator: string;
  let viewer: string;
  let user: string;

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const countByName = async (name: string): Promise<number> => {
    const list = await admin('GET', '/api/models', { query: { name } });
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
    it('creates a model (201) with prices in integer micros per 1M tokens', async () => {
      const created = await master.request('POST', '/api/models', {
        token: operator,
        body: { name: 'gpt-4o-mini', price: { input: 0.4, output: '1.6', cached_input: '0.1', cache_write: null }, description: 'small' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'gpt-4o-mini',
        price: { input_micros: 400_000, output_micros: 1_600_000, cached_input_micros: 100_000, cache_write_micros: null, image_micros: null, audio_second_micros: null, character_micros: null, search_unit_micros: null },
        description: 'small',
        routing: {},
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
      const fetched = await admin('GET', `/api/models/${created.body.id}`);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(created.body);
    });

    it('stores routing (retries, affinity, strategy); PATCH replaces it whole; bad routing → 400 naming the field', async () => {
      const routing = { max_attempts: 2, max_channels: 2, affinity: true, strategy: 'latency' };
      const created = await admin('POST', '/api/models', { body: { name: 'routed-model', routing } });
      expect(created.status).toBe(201);
      expect(created.body.routing).toEqual(routing);
      const patched = await admin('PATCH', `/api/models/${created.body.id}`, { body: { routing: { affinity: false } } });
      expect(patched.body.routing).toEqual({ affinity: false });
      expectInvalid(await admin('POST', '/api/models', { body: { name: 'bad-routing-1', routing: { strategy: 'fastest' } } }), 'routing.strategy');
      expectInvalid(await admin('POST', '/api/models', { body: { name: 'bad-routing-2', routing: { max_attempts: 0 } } }), 'routing.max_attempts');
      expectUnknownField(await admin('POST', '/api/models', { body: { name: 'bad-routing-3', routing: { retries: 2 } } }), 'routing.retries');
      expect((await admin('GET', '/api/models', { query: { name: 'bad-routing' } })).body.total).toBe(0);
    });

    it('applies defaults: zero input/output price, no cache prices, empty description', async () => {
      const created = await admin('POST', '/api/models', { body: { name: 'free-model' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'free-model',
        price: { input_micros: 0, output_micros: 0, cached_input_micros: null, cache_write_micros: null, image_micros: null, audio_second_micros: null, character_micros: null, search_unit_micros: null },
        description: '',
      });
      const partial = await admin('POST', '/api/models', { body: { name: 'input-only', price: { input: '3' } } });
      expect(partial.body.price).toEqual({ input_micros: 3_000_000, output_micros: 0, cached_input_micros: null, cache_write_micros: null, image_micros: null, audio_second_micros: null, character_micros: null, search_unit_micros: null });
    });

    it('stores the media unit prices (per image, audio second, 1M speech characters, search unit); PATCH null clears one', async () => {
      const created = await admin('POST', '/api/models', {
        body: { name: 'media-model', price: { image: '0.04', audio_second: '0.0001', character: '15', search_unit: '0.002' } },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.price).toEqual({
        input_micros: 0,
        output_micros: 0,
        cached_input_micros: null,
        cache_write_micros: null,
        image_micros: 40_000,
        audio_second_micros: 100,
        character_micros: 15_000_000,
        search_unit_micros: 2_000,
      });
      const patched = await admin('PATCH', `/api/models/${created.body.id}`, { body: { price: { image: null } } });
      expect(patched.body.price).toMatchObject({ image_micros: null, audio_second_micros: 100 });
      expectInvalid(await admin('POST', '/api/models', { body: { name: 'bad-image-price', price: { image: '-1' } } }), 'price.image');
    });

    it('converts prices exactly, with up to 6 decimals, from numbers and strings', async () => {
      const cases: [number | string, number][] = [
        ['0.000001', 1],
        [0.000001, 1],
        [2.5, 2_500_000],
        ['15', 15_000_000],
        ['0.123456', 123_456],
        [0.3, 300_000],
        ['1000.000001', 1_000_000_001],
        [0, 0],
      ];
      for (const [index, [input, micros]] of cases.entries()) {
        const created = await admin('POST', '/api/models', { body: { name: `exact-${index}`, price: { input, output: input, cache_write: input } } });
        expect(created.status, `${input}: ${JSON.stringify(created.body)}`).toBe(201);
        expect(created.body.price).toEqual({ input_micros: micros, output_micros: micros, cached_input_micros: null, cache_write_micros: micros, image_micros: null, audio_second_micros: null, character_micros: null, search_unit_micros: null });
        expect((await admin('GET', `/api/models/${created.body.id}`)).body.price.input_micros).toBe(micros);
      }
    });

    it('answers 404 not_found for unknown and malformed ids', async () => {
      expectError(await admin('GET', `/api/models/${MISSING_ID}`), 404, 'not_found');
      expectError(await admin('GET', '/api/models/gpt-4o-mini'), 404, 'not_found');
      expectError(await admin('PATCH', '/api/models/gpt-4o-mini', { body: { description: 'x' } }), 404, 'not_found');
      expectError(await admin('DELETE', '/api/models/gpt-4o-mini'), 404, 'not_found');
      expectError(await admin('PATCH', `/api/models/${MISSING_ID}`, { body: { description: 'x' } }), 404, 'not_found');
      expectError(await admin('DELETE', `/api/models/${MISSING_ID}`), 404, 'not_found');
    });
  });

  describe('list', () => {
    beforeAll(async () => {
      for (const name of ['page/d', 'page/b', 'page/e', 'page/a', 'page/c']) {
        expect((await admin('POST', '/api/models', { body: { name, price: { input: 1 } } })).status).toBe(201);
      }
    });

    it('pages with limit and offset, ordered by name, with the total of all matches', async () => {
      const first = await admin('GET', '/api/models', { query: { name: 'page/', limit: 2 } });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ data: expect.any(Array), total: 5, limit: 2, offset: 0 });
      expect(first.body.data.map((model: any) => model.name)).toEqual(['page/a', 'page/b']);
      const second = await admin('GET', '/api/models', { query: { name: 'page/', limit: 2, offset: 2 } });
      expect(second.body.data.map((model: any) => model.name)).toEqual(['page/c', 'page/d']);
      const third = await admin('GET', '/api/models', { query: { name: 'page/', limit: 2, offset: 4 } });
      expect(third.body.data.map((model: any) => model.name)).toEqual(['page/e']);
      expect(third.body).toMatchObject({ total: 5, limit: 2, offset: 4 });
      for (const model of first.body.data) {
        expect(Object.keys(model).sort()).toEqual(['created_at', 'description', 'id', 'name', 'price', 'routing', 'updated_at']);
        expect(model.price).toEqual({ input_micros: 1_000_000, output_micros: 0, cached_input_micros: null, cache_write_micros: null, image_micros: null, audio_second_micros: null, character_micros: null, search_unit_micros: null });
      }
    });

    it('filters by a case-insensitive name substring', async () => {
      const found = await admin('GET', '/api/models', { query: { name: 'PAGE/C' } });
      expect(found.body.data.map((model: any) => model.name)).toEqual(['page/c']);
      expect(await countByName('no-such-model')).toBe(0);
    });

    it('rejects invalid query parameters with 400', async () => {
      expectInvalid(await admin('GET', '/api/models', { query: { limit: 0 } }), 'limit');
      expectInvalid(await admin('GET', '/api/models', { query: { offset: -5 } }), 'offset');
      expectUnknownField(await admin('GET', '/api/models', { query: { price: 1 } }), 'price');
    });
  });

  describe('update', () => {
    it('PATCH changes only the given price parts; a later GET shows them', async () => {
      const created = await admin('POST', '/api/models', {
        body: { name: 'claude-sonnet', price: { input: '3', output: '15', cached_input: '0.3', cache_write: '3.75' } },
      });
      const updated = await master.request('PATCH', `/api/models/${created.body.id}`, {
        token: operator,
        body: { price: { output: '12.5', cached_input: null }, description: 'updated' },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toEqual({
        ...created.body,
        price: { input_micros: 3_000_000, output_micros: 12_500_000, cached_input_micros: null, cache_write_micros: 3_750_000, image_micros: null, audio_second_micros: null, character_micros: null, search_unit_micros: null },
        description: 'updated',
        updated_at: expect.stringMatching(ISO),
      });
      expect((await admin('GET', `/api/models/${created.body.id}`)).body).toEqual(updated.body);
      const renamed = await admin('PATCH', `/api/models/${created.body.id}`, { body: { name: 'claude-sonnet-4' } });
      expect(renamed.body.name).toBe('claude-sonnet-4');
      expect(renamed.body.price).toEqual(updated.body.price);
      expect(await countByName('claude-sonnet-4')).toBe(1);
    });

    it('rejects invalid updates with 400 and leaves the model unchanged', async () => {
      const created = await admin('POST', '/api/models', { body: { name: 'stable-model', price: { input: 1, output: 2 } } });
      const path = `/api/models/${created.body.id}`;
      expectInvalid(await admin('PATCH', path, { body: { price: { input: '0.0000001' } } }), 'price.input');
      expectInvalid(await admin('PATCH', path, { body: { price: { output: -1 } } }), 'price.output');
      expectInvalid(await admin('PATCH', path, { body: { price: { input: 'free' } } }), 'price.input');
      expectUnknownField(await admin('PATCH', path, { body: { price: { input_micros: 1 } } }), 'price.input_micros');
      expectInvalid(await admin('PATCH', path, { body: { name: ' spaced' } }), 'name');
      expectUnknownField(await admin('PATCH', path, { body: { input_micros: 1 } }), 'input_micros');
      expect((await admin('GET', path)).body).toEqual(created.body);
    });

    it('renaming onto an existing name → 409 conflict', async () => {
      const first = await admin('POST', '/api/models', { body: { name: 'rename-a' } });
      const second = await admin('POST', '/api/models', { body: { name: 'rename-b' } });
      expect(first.status).toBe(201);
      expectError(await admin('PATCH', `/api/models/${second.body.id}`, { body: { name: 'rename-a' } }), 409, 'conflict');
      expect((await admin('GET', `/api/models/${second.body.id}`)).body.name).toBe('rename-b');
    });
  });

  describe('delete', () => {
    it('DELETE answers 204; GET then 404 not_found', async () => {
      const created = await admin('POST', '/api/models', { body: { name: 'doomed-model' } });
      const removed = await master.request('DELETE', `/api/models/${created.body.id}`, { token: operator });
      expect(removed.status).toBe(204);
      expect(removed.body).toBeUndefined();
      expectError(await admin('GET', `/api/models/${created.body.id}`), 404, 'not_found');
      expectError(await admin('DELETE', `/api/models/${created.body.id}`), 404, 'not_found');
      expect(await countByName('doomed-model')).toBe(0);
    });
  });

  describe('bad input stores nothing', () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
      ['missing name', { price: { input: 1 } }, ['name']],
      ['name of the wrong type', { name: ['gpt'] }, ['name']],
      ['name with a space', { name: 'gpt 4' }, ['name']],
      ['price with 7 decimals (string)', { name: 'bad-precision', price: { input: '0.1234567' } }, ['price.input']],
      ['price with 7 decimals (number)', { name: 'bad-precision-2', price: { output: 0.0000001 } }, ['price.output']],
      ['negative price', { name: 'bad-negative', price: { input: '-0.5' } }, ['price.input']],
      ['price of the wrong type', { name: 'bad-price-type', price: { input: true } }, ['price.input']],
      ['price in words', { name: 'bad-price-words', price: { cached_input: 'cheap' } }, ['price.cached_input']],
      ['price too large', { name: 'bad-price-large', price: { cache_write: '99999999999' } }, ['price.cache_write']],
      ['price not an object', { name: 'bad-price-shape', price: '0.4' }, ['price']],
      ['description too long', { name: 'bad-description', description: 'd'.repeat(501) }, ['description']],
    ];

    it.each(cases)('%s → 400 naming the field', async (_label, body, fields) => {
      const before = (await admin('GET', '/api/models')).body.total;
      expectInvalid(await admin('POST', '/api/models', { body }), ...fields);
      expect((await admin('GET', '/api/models')).body.total).toBe(before);
      if (typeof body.name === 'string') expect(await countByName(body.name)).toBe(0);
    });

    it('a null input or output price (they are not nullable) → 400 naming it, not a 500; nothing stored', async () => {
      const before = (await admin('GET', '/api/models')).body.total;
      expectInvalid(await admin('POST', '/api/models', { body: { name: 'null-input', price: { input: null } } }), 'price.input');
      expectInvalid(await admin('POST', '/api/models', { body: { name: 'null-output', price: { output: null } } }), 'price.output');
      expect((await admin('GET', '/api/models')).body.total).toBe(before);
      expect(await countByName('null-')).toBe(0);
      const created = await admin('POST', '/api/models', { body: { name: 'priced', price: { input: '1', output: '2' } } });
      expectInvalid(await admin('PATCH', `/api/models/${created.body.id}`, { body: { price: { output: null } } }), 'price.output');
      expect((await admin('GET', `/api/models/${created.body.id}`)).body).toEqual(created.body);
    });

    it('unknown fields, top-level or inside price → 400 naming them; nothing stored', async () => {
      expectUnknownField(await admin('POST', '/api/models', { body: { name: 'sneaky', input_micros: 5 } }), 'input_micros');
      expectUnknownField(await admin('POST', '/api/models', { body: { name: 'sneaky', price: { input: 1, per: 'token' } } }), 'price.per');
      expect(await countByName('sneaky')).toBe(0);
    });

    it('a duplicate name → 409 conflict; the first model keeps its price', async () => {
      const first = await admin('POST', '/api/models', { body: { name: 'dupe-model', price: { input: 1 } } });
      expect(first.status).toBe(201);
      expectError(await admin('POST', '/api/models', { body: { name: 'dupe-model', price: { input: 0 } } }), 409, 'conflict');
      expect(await countByName('dupe-model')).toBe(1);
      expect((await admin('GET', `/api/models/${first.body.id}`)).body).toEqual(first.body);
    });
  });

  describe('roles and audit', () => {
    it('every role reads models; only operators (and admins) write', async () => {
      const created = await admin('POST', '/api/models', { body: { name: 'rbac-model' } });
      for (const token of [viewer, user]) {
        expect((await master.request('GET', '/api/models', { token })).status).toBe(200);
        expect((await master.request('GET', `/api/models/${created.body.id}`, { token })).body).toEqual(created.body);
        expectError(await master.request('POST', '/api/models', { token, body: { name: 'rbac-sneak' } }), 403, 'forbidden');
        expectError(await master.request('PATCH', `/api/models/${created.body.id}`, { token, body: { price: { input: 0 } } }), 403, 'forbidden');
        expectError(await master.request('DELETE', `/api/models/${created.body.id}`, { token }), 403, 'forbidden');
      }
      expect(await countByName('rbac-sneak')).toBe(0);
      expect((await admin('GET', `/api/models/${created.body.id}`)).body).toEqual(created.body);
    });

    it('audits model writes', async () => {
      const created = await admin('POST', '/api/models', { body: { name: 'audited-model', price: { input: '0.4' } } });
      await admin('PATCH', `/api/models/${created.body.id}`, { body: { description: 'x' } });
      const audit = await admin('GET', '/api/audit', { query: { entity: 'model', entity_id: created.body.id } });
      expect(audit.body.data.map((row: any) => row.action)).toEqual(['update', 'create']);
      expect(audit.body.data[1].changes).toEqual({ name: 'audited-model', price: { input: '0.4' } });
    });
  });
});
