/**
 * Rate limits end to end on Postgres + Redis (the counters live in Redis, as
 * in a distributed deployment): requests per minute, tokens per minute and
 * concurrent requests, per token, per user (over all their tokens) and per
 * group (over all its members). A refusal is a 429 in the client's protocol
 * with Retry-After, sent before anything reaches the upstream; admitted
 * answers carry OpenAI's x-ratelimit-* headers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeProvider, ReceivedRequest, startFakeProvider } from '../fake-provider';
import { TestMaster, startTestMaster } from '../support/test-master';
import { within } from '../support/within';

const key = (name: string) => `sk-aigw-limits-${name}-0123456789abcdefghij`;
const BOUND_MS = 10_000;

const promptOf = (request: ReceivedRequest) => JSON.stringify(request.body?.messages ?? request.body ?? '');

describe('rate limits: RPM, TPM and concurrency per token, user and group', () => {
  let fake: FakeProvider;
  let master: TestMaster;

  async function chat(token: string, prompt = 'hello', signal?: AbortSignal): Promise<{ status: number; headers: Headers; body: any }> {
    const response = await fetch(new URL('/v1/chat/completions', master.url), {
      method: 'POST',
      signal,
      headers: { authorization: `Bearer ${key(token)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'limited', max_tokens: 16, messages: [{ role: 'user', content: prompt }] }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    fake = await startFakeProvider();
    const user = (username: string, extra: object = {}) => ({ username, balance_usd: 1000, ...extra });
    const token = (name: string, owner: string, limits?: object) => ({ name, key: key(name), user: owner, ...(limits ? { limits } : {}) });
    master = await startTestMaster({
      config: {
        bootstrap: {
          groups: [{ name: 'limited-group', limits: { rpm: 4 } }],
          users: [
            user('u-rpm'), user('u-tpm'), user('u-conc'), user('u-shared', { limits: { rpm: 5 } }),
            user('m-one', { group: 'limited-group' }), user('m-two', { group: 'limited-group' }), user('u-free'),
          ],
          channels: [{ name: 'limited-openai', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai }],
          models: [{ name: 'limited', price: { input: 1, output: 2 } }],
          routes: [{ model: 'limited', channel: 'limited-openai', upstream_model: 'gpt-4o-mini' }],
          tokens: [
            token('rpm', 'u-rpm', { rpm: 3 }),
            token('tpm', 'u-tpm', { tpm: 100 }),
            token('conc', 'u-conc', { concurrency: 2 }),
            token('shared-a', 'u-shared'), token('shared-b', 'u-shared'),
            token('member-one', 'm-one'), token('member-two', 'm-two'),
            token('free', 'u-free'),
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await master?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('requests per minute per token: 3 pass with x-ratelimit-* headers counting down, the 4th is a 429 with Retry-After', async () => {
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await chat('rpm');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit-requests')).toBe('3');
      expect(answer.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
      remaining.push(answer.headers.get('x-ratelimit-remaining-requests'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await chat('rpm');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.body.error).toMatchObject({ message: 'this API key reached its limit of 3 requests per minute' });
    expect(fake.received).toHaveLength(3);
  });

  it('an Anthropic client gets the 429 in its own shape', async () => {
    const response = await fetch(new URL('/v1/messages', master.url), {
      method: 'POST',
      headers: { 'x-api-key': key('rpm'), 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'limited', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: expect.stringMatching(/3 requests per minute/) } });
  });

  it('tokens per minute hold within one request of the limit: 29-token answers against 100 → the 5th request is refused', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await chat('tpm')).status);
    // 4 × 29 = 116: the 4th started at 87 (< 100) and took it past the limit; the 5th sees 116.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await chat('tpm');
    expect(refused.body.error.message).toBe('this API key reached its limit of 100 tokens per minute');
  });

  it('concurrency per token: 2 in flight, the 3rd is refused at once, and a slot frees when a request ends', async () => {
    fake.respondWith((request) => (promptOf(request).includes('hold') ? { kind: 'hang' } : { kind: 'fixture', case: 'simpleRequest' }), { times: Infinity });
    const abort = new AbortController();
    const held = [chat('conc', 'hold 1', abort.signal).catch(() => null), chat('conc', 'hold 2', abort.signal).catch(() => null)];
    await within(fake.nextRequest(), 'the first held request', BOUND_MS);
    await within(fake.nextRequest(), 'the second held request', BOUND_MS);
    const third = await chat('conc');
    expect(third.status).toBe(429);
    expect(third.body.error.message).toBe('this API key has 2 requests in flight already (its concurrency limit)');
    abort.abort();
    await Promise.all(held);
    // The server frees the slots when it notices the closed connections.
    let after = await chat('conc');
    const deadline = Date.now() + BOUND_MS;
    while (after.status === 429 && Date.now() < deadline) after = await chat('conc');
    expect(after.status).toBe(200);
  });

  it("a user's limit counts all their tokens together", async () => {
    const statuses = [];
    for (const token of ['shared-a', 'shared-b', 'shared-a', 'shared-b', 'shared-a', 'shared-b']) statuses.push((await chat(token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await chat('shared-a');
    expect(refused.body.error.message).toBe('your account reached its limit of 5 requests per minute');
  });

  it("a group's limit counts all its members together", async () => {
    const statuses = [];
    for (const token of ['member-one', 'member-two', 'member-one', 'member-two', 'member-one']) statuses.push((await chat(token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect((await chat('member-two')).body.error.message).toBe('your group reached its limit of 4 requests per minute');
  });

  it('no limit: no x-ratelimit headers and no refusal', async () => {
    for (let i = 0; i < 10; i += 1) {
      const answer = await chat('free');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
  });

  it('limits are set and changed in the admin API and apply at once; bad limits are a 400 naming the field', async () => {
    const tokens = await master.request('GET', '/api/tokens', { token: master.adminToken, query: { name: 'free', limit: 10 } });
    const id = tokens.body.data.find((entry: { name: string }) => entry.name === 'free').id;
    const patched = await master.request('PATCH', `/api/tokens/${id}`, { token: master.adminToken, body: { limits: { rpm: 1 } } });
    expect(patched.status).toBe(200);
    expect(patched.body.limits).toEqual({ rpm: 1 });
    expect((await chat('free')).status).toBe(200);
    expect((await chat('free')).status).toBe(429);
    const bad = await master.request('PATCH', `/api/tokens/${id}`, { token: master.adminToken, body: { limits: { rpm: -1, burst: 3 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((detail: { field: string }) => detail.field).sort()).toEqual(['limits.burst', 'limits.rpm']);
  });
});
