import { UsageRecord } from '@aigw/contracts';
import { JobQueue } from '@aigw/metering';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';
import { ISO, MISSING_ID, UUID, expectError, expectInvalid, expectUnknownField } from '../support/api-assertions';


type Who = { id: string; token: string };

describe('admin API: /api/usage, /api/usage/daily, /api/audit', () => {
  let master: TestMaster;
  let queue: JobQueue;
  let adminId: string;
  let alice: Who;
  let bob: Who;
  let viewer: Who;
  let operator: Who;
  let aliceToken: { id: string; key: string };
  let bobToken: { id: string; key: string };
  let channelX: string;
  let channelY: string;
  /** Secrets sent in admin writes: none may appear in /api/audit. */
  const secrets: string[] = [];

  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });
  const as = <T = any>(who: { token: string }, method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: who.token, ...options });
  const settle = async (record: UsageRecord): Promise<void> => {
    await (await queue.enqueue('settle-usage', record)).finished();
  };
  const rollup = async (day: string): Promise<void> => {
    await (await queue.enqueue('rollup-daily', { day })).finished();
  };
  const ids = (page: any): string[] => page.data.map((row: any) => row.request_id);

  const records = (): UsageRecord[] => [
    {
      request_id: 'req-a1',
      token_id: aliceToken.id,
      user_id: alice.id,
      channel_id: channelX,
      region: 'eu',
      model: 'gpt-4o',
      upstream_model: 'gpt-4o-2024-08-06',
      endpoint: 'chat',
      prompt_tokens: 100,
      completion_tokens: 50,
      cost_micros: 1500,
      channel_cost_micros: 900,
      latency_ms: 420,
      first_token_ms: 120,
      status: 200,
      stream: true,
      attempts: [{ channel_id: channelX, status: 200, latency_ms: 410 }],
      created_at: '2026-03-01T10:00:00.000Z',
    },
    {
      request_id: 'req-a2',
      token_id: aliceToken.id,
      user_id: alice.id,
      channel_id: channelY,
      model: 'gpt-4o-mini',
      prompt_tokens: 10,
      completion_tokens: 5,
      cached_tokens: 4,
      cost_micros: 250,
      latency_ms: 90,
      status: 200,
      created_at: '2026-03-01T12:00:00.000Z',
    },
    {
      request_id: 'req-a3',
      token_id: aliceToken.id,
      user_id: alice.id,
      channel_id: channelX,
      model: 'gpt-4o',
      prompt_tokens: 20,
      completion_tokens: 0,
      cost_micros: 0,
      latency_ms: 30,
      status: 502,
      error_class: 'upstream_5xx',
      created_at: '2026-03-02T09:00:00.000Z',
    },
    {
      request_id: 'req-b1',
      token_id: bobToken.id,
      user_id: bob.id,
      channel_id: channelX,
      model: 'gpt-4o',
      prompt_tokens: 70,
      completion_tokens: 7,
      cost_micros: 700,
      latency_ms: 200,
      status: 200,
      created_at: '2026-03-01T11:00:00.000Z',
    },
    {
      request_id: 'req-b2',
      token_id: bobToken.id,
      user_id: bob.id,
      channel_id: channelY,
      model: 'claude-sonnet',
      prompt_tokens: 30,
      completion_tokens: 3,
      cost_micros: 300,
      latency_ms: 150,
      status: 200,
      created_at: '2026-03-02T08:00:00.000Z',
    },
  ];

  beforeAll(async () => {
    master = await startTestMaster();
    queue = master.master.app.get(JobQueue);
    adminId = (await admin('GET', '/api/me')).body.id;
    [alice, bob, viewer, operator] = await Promise.all([
      createUserAndLogin(master, 'alice', 'user', { balance_usd: '100' }),
      createUserAndLogin(master, 'bob', 'user', { balance_usd: '50' }),
      createUserAndLogin(master, 'viewer1', 'viewer'),
      createUserAndLogin(master, 'operator1', 'operator'),
    ]);
    secrets.push('alice-password', 'bob-password', 'viewer1-password', 'operator1-password');
    const makeToken = async (who: Who, name: string) => {
      const created = await as(who, 'POST', '/api/tokens', { body: { name } });
      expect(created.status).toBe(201);
      secrets.push(created.body.key);
      return { id: created.body.id as string, key: created.body.key as string };
    };
    aliceToken = await makeToken(alice, 'alice-key');
    bobToken = await makeToken(bob, 'bob-key');
    const makeChannel = async (name: string, key: string, header: string) => {
      const created = await as(operator, 'POST', '/api/channels', {
        body: { name, type: 'openai', base_url: 'https://api.openai.com/v1', key, headers: { 'X-Upstream-Auth': header } },
      });
      expect(created.status).toBe(201);
      secrets.push(key, header);
      return created.body.id as string;
    };
    channelX = await makeChannel('channel-x', 'sk-upstream-x-0123456789abcdef', 'header-secret-x-111');
    channelY = await makeChannel('channel-y', 'sk-upstream-y-0123456789abcdef', 'header-secret-y-222');

    for (const record of records()) await settle(record);
    // At-least-once delivery: a second delivery of the same request is not stored or charged again.
    await settle(records()[0]);
    await rollup('2026-03-01');
    await rollup('2026-03-02');
  });
  afterAll(() => master?.close());

  describe('GET /api/usage', () => {
    it('answers every row to staff, newest first, with the full row shape', async () => {
      for (const reader of [{ token: master.adminToken }, viewer, operator]) {
        const all = await as(reader, 'GET', '/api/usage');
        expect(all.status).toBe(200);
        expect(all.body).toMatchObject({ total: 5, limit: 50, offset: 0 });
        expect(ids(all.body)).toEqual(['req-a3', 'req-b2', 'req-a2', 'req-b1', 'req-a1']);
      }
      const oldest = (await admin('GET', '/api/usage')).body.data[4];
      expect(oldest).toEqual({
        id: expect.any(String),
        request_id: 'req-a1',
        client_request_id: null,
        token_id: aliceToken.id,
        user_id: alice.id,
        group_id: null,
        channel_id: channelX,
        agent_id: null,
        region: 'eu',
        model: 'gpt-4o',
        upstream_model: 'gpt-4o-2024-08-06',
        endpoint: 'chat',
        prompt_tokens: 100,
        completion_tokens: 50,
        cached_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        images: 0,
        audio_ms: 0,
        characters: 0,
        search_units: 0,
        estimated: false,
        cost_micros: 1500,
        channel_cost_micros: 900,
        latency_ms: 420,
        first_token_ms: 120,
        status: 200,
        stream: true,
        error_class: null,
        attempts: [{ channel_id: channelX, status: 200, latency_ms: 410 }],
        created_at: '2026-03-01T10:00:00.000Z',
      });
    });

    it('pages with limit and offset and the total', async () => {
      const first = await admin('GET', '/api/usage', { query: { limit: 2 } });
      expect(first.body).toMatchObject({ total: 5, limit: 2, offset: 0 });
      expect(ids(first.body)).toEqual(['req-a3', 'req-b2']);
      const second = await admin('GET', '/api/usage', { query: { limit: 2, offset: 2 } });
      expect(ids(second.body)).toEqual(['req-a2', 'req-b1']);
      const third = await admin('GET', '/api/usage', { query: { limit: 2, offset: 4 } });
      expect(ids(third.body)).toEqual(['req-a1']);
      expect((await admin('GET', '/api/usage', { query: { offset: 5 } })).body).toEqual({ data: [], total: 5, limit: 50, offset: 5 });
    });

    it('filters by user_id, token_id, channel_id and model', async () => {
      const byUser = await admin('GET', '/api/usage', { query: { user_id: bob.id } });
      expect(ids(byUser.body)).toEqual(['req-b2', 'req-b1']);
      expect(byUser.body.total).toBe(2);
      expect(ids((await admin('GET', '/api/usage', { query: { token_id: aliceToken.id } })).body)).toEqual(['req-a3', 'req-a2', 'req-a1']);
      expect(ids((await admin('GET', '/api/usage', { query: { channel_id: channelY } })).body)).toEqual(['req-b2', 'req-a2']);
      expect(ids((await admin('GET', '/api/usage', { query: { model: 'gpt-4o' } })).body)).toEqual(['req-a3', 'req-b1', 'req-a1']);
      expect(ids((await admin('GET', '/api/usage', { query: { model: 'gpt-4o', user_id: alice.id, channel_id: channelX } })).body)).toEqual([
        'req-a3',
        'req-a1',
      ]);
      expect((await admin('GET', '/api/usage', { query: { user_id: MISSING_ID } })).body.total).toBe(0);
    });

    it('filters by time: from is inclusive, to is exclusive', async () => {
      const from = await admin('GET', '/api/usage', { query: { from: '2026-03-01T11:00:00.000Z' } });
      expect(ids(from.body)).toEqual(['req-a3', 'req-b2', 'req-a2', 'req-b1']);
      const to = await admin('GET', '/api/usage', { query: { to: '2026-03-01T12:00:00.000Z' } });
      expect(ids(to.body)).toEqual(['req-b1', 'req-a1']);
      const window = await admin('GET', '/api/usage', { query: { from: '2026-03-01T11:00:00Z', to: '2026-03-02T08:00:00Z' } });
      expect(ids(window.body)).toEqual(['req-a2', 'req-b1']);
      expect(window.body.total).toBe(2);
      const day = await admin('GET', '/api/usage', { query: { from: '2026-03-02', to: '2026-03-03' } });
      expect(ids(day.body)).toEqual(['req-a3', 'req-b2']);
    });

    it("a user sees only their own rows, whatever user_id they ask for", async () => {
      const own = await as(alice, 'GET', '/api/usage');
      expect(own.status).toBe(200);
      expect(ids(own.body)).toEqual(['req-a3', 'req-a2', 'req-a1']);
      expect(own.body.total).toBe(3);
      for (const row of own.body.data) expect(row.user_id).toBe(alice.id);
      const probing = await as(alice, 'GET', '/api/usage', { query: { user_id: bob.id } });
      expect(ids(probing.body)).toEqual(['req-a3', 'req-a2', 'req-a1']);
      expect((await as(alice, 'GET', '/api/usage', { query: { token_id: bobToken.id } })).body.total).toBe(0);
      expect((await as(alice, 'GET', '/api/usage', { query: { model: 'claude-sonnet' } })).body.total).toBe(0);
      const bobs = await as(bob, 'GET', '/api/usage', { query: { user_id: alice.id } });
      expect(ids(bobs.body)).toEqual(['req-b2', 'req-b1']);
      expect(JSON.stringify(bobs.body)).not.toContain(alice.id);
    });

    it('settlement charged each request exactly once, in integer micros', async () => {
      const aliceNow = await admin('GET', `/api/users/${alice.id}`);
      expect(aliceNow.body).toMatchObject({ balance_micros: 100_000_000 - 1500 - 250, balance_usd: '99.998250' });
      const bobNow = await admin('GET', `/api/users/${bob.id}`);
      expect(bobNow.body).toMatchObject({ balance_micros: 50_000_000 - 700 - 300, balance_usd: '49.999000' });
      const token = await as(alice, 'GET', `/api/tokens/${aliceToken.id}`);
      expect(token.body).toMatchObject({ used_micros: 1750, last_used_at: '2026-03-01T12:00:00.000Z' });
      expect((await as(bob, 'GET', `/api/tokens/${bobToken.id}`)).body.used_micros).toBe(1000);
      expect((await admin('GET', '/api/usage', { query: { token_id: aliceToken.id } })).body.total).toBe(3);
    });

    it('rejects invalid query parameters with 400 naming them', async () => {
      expectInvalid(await admin('GET', '/api/usage', { query: { from: 'yesterday' } }), 'from');
      expectInvalid(await admin('GET', '/api/usage', { query: { to: '2026-03-01 at noon' } }), 'to');
      expectInvalid(await admin('GET', '/api/usage', { query: { user_id: 'alice' } }), 'user_id');
      expectInvalid(await admin('GET', '/api/usage', { query: { token_id: 'alice-key' } }), 'token_id');
      expectInvalid(await admin('GET', '/api/usage', { query: { channel_id: 'channel-x' } }), 'channel_id');
      expectInvalid(await admin('GET', '/api/usage', { query: { model: 'm'.repeat(129) } }), 'model');
      expectInvalid(await admin('GET', '/api/usage', { query: { limit: 0 } }), 'limit');
      expectInvalid(await admin('GET', '/api/usage', { query: { offset: -1 } }), 'offset');
      expectUnknownField(await admin('GET', '/api/usage', { query: { status: 200 } }), 'status');
      expectInvalid(await as(alice, 'GET', '/api/usage', { query: { user_id: 'bob' } }), 'user_id');
    });

    it('refuses callers without a token', async () => {
      expectError(await master.request('GET', '/api/usage'), 401, 'unauthenticated');
      expectError(await master.request('GET', '/api/usage/daily'), 401, 'unauthenticated');
    });
  });

  describe('GET /api/usage/export.csv', () => {
    const csv = async (token: string, query = '') => {
      const response = await fetch(new URL(`/api/usage/export.csv${query}`, master.url), { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), text: await response.text() };
    };
    const HEADER =
      'created_at,request_id,client_request_id,user_id,token_id,group_id,channel_id,region,model,upstream_model,endpoint,status,stream,prompt_tokens,completion_tokens,' +
      'cached_tokens,cache_write_tokens,reasoning_tokens,images,audio_ms,characters,search_units,estimated,cost_micros,channel_cost_micros,latency_ms,first_token_ms,error_class';

    it('exports the usage log oldest first under a header row, with the same filters; a user gets only their own', async () => {
      const all = await csv(master.adminToken);
      expect(all).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8', disposition: 'attachment; filename="usage.csv"' });
      const lines = all.text.split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines[0]).toBe(HEADER);
      const listed = await admin('GET', '/api/usage', { query: { limit: 500 } });
      expect(lines.slice(1, -1).map((line) => line.split(',')[1])).toEqual(ids(listed.body).reverse());
      const first = lines.find((line) => line.includes(',req-a1,'))!;
      expect(first).toBe(`2026-03-01T10:00:00.000Z,req-a1,,${alice.id},${aliceToken.id},,${channelX},eu,gpt-4o,gpt-4o-2024-08-06,chat,200,true,100,50,0,0,0,0,0,0,0,false,1500,900,420,120,`);

      const own = await csv(alice.token, `?user_id=${bob.id}`);
      expect(own.text.split('\r\n').slice(1, -1).map((line) => line.split(',')[1])).toEqual(['req-a1', 'req-a2', 'req-a3']);
      const filtered = await csv(master.adminToken, '?model=claude-sonnet');
      expect(filtered.text.split('\r\n').slice(1, -1).every((line) => line.includes(',claude-sonnet,'))).toBe(true);
      expect((await csv(master.adminToken, '?user_id=alice')).status).toBe(400);
      expect((await fetch(new URL('/api/usage/export.csv', master.url))).status).toBe(401);
    });

    it('escapes cells a spreadsheet would evaluate, and quotes commas and quotes', async () => {
      await settle({
        ...records()[0],
        request_id: '=HYPERLINK("http://evil.example","x")',
        model: '@SUM(A1)',
        upstream_model: '-2+3',
        error_class: 'plain, with "quotes"',
        cost_micros: 0,
        channel_cost_micros: 0,
        created_at: '2026-05-05T00:00:00.000Z',
      });
      const out = await csv(master.adminToken, '?model=%40SUM(A1)');
      const line = out.text.split('\r\n')[1];
      expect(line).toContain(`,"'=HYPERLINK(""http://evil.example"",""x"")",`);
      expect(line).toContain(`,'@SUM(A1),'-2+3,`);
      expect(line.endsWith(',"plain, with ""quotes"""')).toBe(true);
    });
  });

  describe('GET /api/usage/daily', () => {
    const key = (row: any) => `${row.day} ${row.model} ${row.user_id === alice.id ? 'alice' : row.user_id === bob.id ? 'bob' : row.user_id}`;

    it('sums usage per UTC day, token, user, channel and model', async () => {
      const all = await admin('GET', '/api/usage/daily');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ total: 5, limit: 50, offset: 0 });
      expect(all.body.data.map(key).sort()).toEqual(
        ['2026-03-01 gpt-4o alice', '2026-03-01 gpt-4o bob', '2026-03-01 gpt-4o-mini alice', '2026-03-02 claude-sonnet bob', '2026-03-02 gpt-4o alice'].sort(),
      );
      // newest day first
      const days = all.body.data.map((row: any) => row.day);
      expect(days).toEqual([...days].sort().reverse());
      const errorDay = all.body.data.find((row: any) => key(row) === '2026-03-02 gpt-4o alice');
      expect(errorDay).toEqual({
        id: expect.any(String),
        day: '2026-03-02',
        token_id: aliceToken.id,
        user_id: alice.id,
        channel_id: channelX,
        model: 'gpt-4o',
        requests: 1,
        errors: 1,
        prompt_tokens: 20,
        completion_tokens: 0,
        cached_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        cost_micros: 0,
        channel_cost_micros: 0,
        latency_p50_ms: 30,
        latency_p95_ms: 30,
        first_token_p50_ms: null,
      });
      const first = all.body.data.find((row: any) => key(row) === '2026-03-01 gpt-4o alice');
      expect(first).toMatchObject({
        requests: 1, errors: 0, prompt_tokens: 100, completion_tokens: 50, cost_micros: 1500, channel_cost_micros: 900,
        latency_p50_ms: 420, latency_p95_ms: 420, first_token_p50_ms: 120,
      });
      const mini = all.body.data.find((row: any) => key(row) === '2026-03-01 gpt-4o-mini alice');
      expect(mini).toMatchObject({ requests: 1, cached_tokens: 4, cost_micros: 250, channel_id: channelY });
    });

    it('recomputes a day idempotently and picks up late usage', async () => {
      await settle({
        request_id: 'req-a4',
        token_id: aliceToken.id,
        user_id: alice.id,
        channel_id: channelX,
        model: 'gpt-4o',
        prompt_tokens: 1,
        completion_tokens: 1,
        cost_micros: 10,
        latency_ms: 5,
        status: 200,
        created_at: '2026-03-01T23:59:59.999Z',
      });
      await rollup('2026-03-01');
      await rollup('2026-03-01');
      const day = await admin('GET', '/api/usage/daily', { query: { from: '2026-03-01', to: '2026-03-01' } });
      expect(day.body.total).toBe(3);
      const row = day.body.data.find((entry: any) => key(entry) === '2026-03-01 gpt-4o alice');
      // Latencies 420 and 5 ms: the median is their mean (continuous percentile), p95 near the slower one; one TTFT (120).
      expect(row).toMatchObject({ requests: 2, prompt_tokens: 101, completion_tokens: 51, cost_micros: 1510, latency_p50_ms: 213, latency_p95_ms: 399, first_token_p50_ms: 120 });
    });

    it('pages with limit and offset and the total', async () => {
      const own = await admin('GET', '/api/usage/daily', { query: { user_id: alice.id } });
      expect(own.body.data.map(key)).toEqual(['2026-03-02 gpt-4o alice', '2026-03-01 gpt-4o alice', '2026-03-01 gpt-4o-mini alice']);
      const first = await admin('GET', '/api/usage/daily', { query: { user_id: alice.id, limit: 2 } });
      expect(first.body).toEqual({ data: own.body.data.slice(0, 2), total: 3, limit: 2, offset: 0 });
      const second = await admin('GET', '/api/usage/daily', { query: { user_id: alice.id, limit: 2, offset: 2 } });
      expect(second.body).toEqual({ data: own.body.data.slice(2), total: 3, limit: 2, offset: 2 });
    });

    it('filters by user_id, token_id, channel_id, model and an inclusive day range', async () => {
      expect((await admin('GET', '/api/usage/daily', { query: { user_id: bob.id } })).body.data.map(key).sort()).toEqual([
        '2026-03-01 gpt-4o bob',
        '2026-03-02 claude-sonnet bob',
      ]);
      expect((await admin('GET', '/api/usage/daily', { query: { token_id: bobToken.id } })).body.total).toBe(2);
      expect((await admin('GET', '/api/usage/daily', { query: { channel_id: channelY } })).body.data.map(key).sort()).toEqual([
        '2026-03-01 gpt-4o-mini alice',
        '2026-03-02 claude-sonnet bob',
      ]);
      expect((await admin('GET', '/api/usage/daily', { query: { model: 'gpt-4o' } })).body.total).toBe(3);
      expect((await admin('GET', '/api/usage/daily', { query: { from: '2026-03-02' } })).body.data.map(key).sort()).toEqual([
        '2026-03-02 claude-sonnet bob',
        '2026-03-02 gpt-4o alice',
      ]);
      expect((await admin('GET', '/api/usage/daily', { query: { to: '2026-03-01' } })).body.total).toBe(3);
      expect((await admin('GET', '/api/usage/daily', { query: { from: '2026-03-01', to: '2026-03-02' } })).body.total).toBe(5);
      expect((await admin('GET', '/api/usage/daily', { query: { from: '2026-03-03' } })).body.total).toBe(0);
    });

    it("a user sees only their own rollups, whatever user_id they ask for", async () => {
      const own = await as(alice, 'GET', '/api/usage/daily', { query: { user_id: bob.id } });
      expect(own.status).toBe(200);
      expect(own.body.total).toBe(3);
      for (const row of own.body.data) expect(row.user_id).toBe(alice.id);
      const bobs = await as(bob, 'GET', '/api/usage/daily');
      expect(bobs.body.total).toBe(2);
      for (const row of bobs.body.data) expect(row.user_id).toBe(bob.id);
      expect((await as(bob, 'GET', '/api/usage/daily', { query: { token_id: aliceToken.id } })).body.total).toBe(0);
    });

    it('rejects invalid query parameters with 400 naming them', async () => {
      expectInvalid(await admin('GET', '/api/usage/daily', { query: { from: '2026-3-1' } }), 'from');
      expectInvalid(await admin('GET', '/api/usage/daily', { query: { to: '2026-03-01T00:00:00Z' } }), 'to');
      expectInvalid(await admin('GET', '/api/usage/daily', { query: { user_id: 'alice' } }), 'user_id');
      expectInvalid(await admin('GET', '/api/usage/daily', { query: { limit: 501 } }), 'limit');
      expectUnknownField(await admin('GET', '/api/usage/daily', { query: { day: '2026-03-01' } }), 'day');
    });

    it('a day-shaped value that is no day → 400 naming it, not a 500', async () => {
      expectInvalid(await admin('GET', '/api/usage/daily', { query: { from: '2026-02-30' } }), 'from');
      expectInvalid(await admin('GET', '/api/usage/daily', { query: { to: '2026-13-45' } }), 'to');
    });
  });

  describe('GET /api/audit', () => {
    let groupId: string;
    let modelId: string;
    beforeAll(async () => {
      groupId = (await admin('POST', '/api/groups', { body: { name: 'audit-group', ratio: 1.25 } })).body.id;
      expect((await admin('PATCH', `/api/users/${alice.id}`, { body: { password: 'alice-rotated-password', group_id: groupId } })).status).toBe(200);
      secrets.push('alice-rotated-password');
      expect((await admin('POST', `/api/users/${bob.id}/balance-adjustments`, { body: { amount_usd: '7.5', note: 'goodwill' } })).status).toBe(201);
      const adminMade = await admin('POST', '/api/tokens', { body: { name: 'granted', user_id: bob.id, quota_usd: '2' } });
      secrets.push(adminMade.body.key);
      const rotated = 'sk-upstream-x-rotated-9876543210';
      expect((await as(operator, 'PATCH', `/api/channels/${channelX}`, { body: { key: rotated, headers: { 'X-Upstream-Auth': 'header-secret-x-333' } } })).status).toBe(200);
      secrets.push(rotated, 'header-secret-x-333');
      modelId = (await as(operator, 'POST', '/api/models', { body: { name: 'audited-model', price: { input: '0.4' } } })).body.id;
    });

    it('lists admin writes newest first with the full row shape', async () => {
      const page = await as(viewer, 'GET', '/api/audit', { query: { limit: 500 } });
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(page.body.data.length);
      const rowIds = page.body.data.map((row: any) => Number(row.id));
      expect(rowIds).toEqual([...rowIds].sort((a, b) => b - a));
      expect(page.body.data[0]).toEqual({
        id: expect.any(String),
        actor_id: operator.id,
        actor_name: 'operator1',
        action: 'create',
        entity: 'model',
        entity_id: modelId,
        changes: { name: 'audited-model', price: { input: '0.4' } },
        ip: null,
        created_at: expect.stringMatching(ISO),
      });
      const actions = page.body.data.map((row: any) => `${row.entity}:${row.action}`);
      for (const expected of ['group:create', 'user:update', 'user:adjust-balance', 'token:create', 'channel:update', 'channel:create', 'user:create']) {
        expect(actions).toContain(expected);
      }
    });

    it('pages with limit and offset and the total', async () => {
      const all = (await admin('GET', '/api/audit', { query: { limit: 500 } })).body;
      const first = await admin('GET', '/api/audit', { query: { limit: 3 } });
      expect(first.body).toEqual({ data: all.data.slice(0, 3), total: all.total, limit: 3, offset: 0 });
      const second = await admin('GET', '/api/audit', { query: { limit: 3, offset: 3 } });
      expect(second.body).toEqual({ data: all.data.slice(3, 6), total: all.total, limit: 3, offset: 3 });
    });

    it('filters by entity, entity_id and actor_id', async () => {
      const channels = await admin('GET', '/api/audit', { query: { entity: 'channel' } });
      expect(channels.body.total).toBe(3);
      for (const row of channels.body.data) expect(row.entity).toBe('channel');
      const one = await admin('GET', '/api/audit', { query: { entity: 'channel', entity_id: channelX } });
      expect(one.body.data.map((row: any) => row.action)).toEqual(['update', 'create']);
      const bobRows = await admin('GET', '/api/audit', { query: { entity_id: bob.id } });
      expect(bobRows.body.data.map((row: any) => row.action)).toEqual(['adjust-balance', 'create']);
      expect(bobRows.body.data[0].changes).toEqual({ amount_micros: 7_500_000, note: 'goodwill' });
      const byOperator = await admin('GET', '/api/audit', { query: { actor_id: operator.id } });
      expect(byOperator.body.total).toBe(4);
      for (const row of byOperator.body.data) expect(row).toMatchObject({ actor_id: operator.id, actor_name: 'operator1' });
      const byAdmin = await admin('GET', '/api/audit', { query: { actor_id: adminId, entity: 'user' } });
      for (const row of byAdmin.body.data) expect(row).toMatchObject({ actor_id: adminId, entity: 'user' });
      expect(byAdmin.body.total).toBe(6);
      expect((await admin('GET', '/api/audit', { query: { actor_id: MISSING_ID } })).body.total).toBe(0);
    });

    it('never holds a secret: passwords, API keys, upstream keys and header values are redacted', async () => {
      const all = await admin('GET', '/api/audit', { query: { limit: 500 } });
      const text = JSON.stringify(all.body);
      expect(secrets.length).toBeGreaterThanOrEqual(12);
      for (const secret of secrets) expect(text, secret).not.toContain(secret);
      const aliceCreate = all.body.data.find((row: any) => row.entity === 'user' && row.entity_id === alice.id && row.action === 'create');
      expect(aliceCreate.changes).toMatchObject({ username: 'alice', password: '[redacted]', role: 'user', balance_usd: '100' });
      const aliceUpdate = all.body.data.find((row: any) => row.entity === 'user' && row.entity_id === alice.id && row.action === 'update');
      expect(aliceUpdate.changes).toEqual({ password: '[redacted]', group_id: groupId });
      const channelCreate = all.body.data.find((row: any) => row.entity === 'channel' && row.entity_id === channelY);
      expect(channelCreate.changes).toMatchObject({ name: 'channel-y', key: '[redacted]' });
      const tokenCreate = all.body.data.find((row: any) => row.entity === 'token' && row.changes.name === 'granted');
      expect(tokenCreate.changes).toMatchObject({ name: 'granted', user_id: bob.id, quota_usd: '2' });
    });

    it('is readable by staff only and validates its query', async () => {
      expect((await as(operator, 'GET', '/api/audit')).status).toBe(200);
      expectError(await as(alice, 'GET', '/api/audit'), 403, 'forbidden');
      expectError(await master.request('GET', '/api/audit'), 401, 'unauthenticated');
      expectInvalid(await admin('GET', '/api/audit', { query: { actor_id: 'admin' } }), 'actor_id');
      expectInvalid(await admin('GET', '/api/audit', { query: { entity: 'e'.repeat(33) } }), 'entity');
      expectInvalid(await admin('GET', '/api/audit', { query: { limit: 0 } }), 'limit');
      expectUnknownField(await admin('GET', '/api/audit', { query: { action: 'create' } }), 'action');
    });

    it('usage reads and failed writes leave no audit rows', async () => {
      const before = (await admin('GET', '/api/audit')).body.total;
      await admin('GET', '/api/usage');
      await admin('POST', '/api/groups', { body: { name: 'audit-group' } });
      await admin('POST', '/api/groups', { body: { name: 'bad name' } });
      await as(alice, 'POST', '/api/tokens', { body: { name: 'x', quota_usd: '1' } });
      expect((await admin('GET', '/api/audit')).body.total).toBe(before);
      expect(UUID.test(adminId)).toBe(true);
    });
  });
});
