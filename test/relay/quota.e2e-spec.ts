/**
 * The quota guard, end to end on Postgres + Redis/BullMQ: before forwarding,
 * a request's worst-case cost is reserved against its token's quota and its
 * owner's balance; what does not fit is refused with a 402 in the client's
 * protocol, before any upstream spend; when the request ends the reservation
 * becomes its actual cost — on success, upstream failure and client abort.
 *
 * Prices: $1 / 1M input and $10 / 1M output tokens. The fake answers the
 * simpleRequest capture: 13 prompt and 16 completion tokens, so one answer
 * costs exactly 13 + 160 = 173 micro-USD. With max_tokens 16, a request's
 * worst case is 160 micro-USD of output plus its prompt bound (one token per
 * UTF-8 byte of text: a few dozen micro-USD).
 */
import { AppConfig } from '@aigw/config';
import { estimateTextTokens } from '@aigw/metering';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpendLedger } from '../../apps/agent/src/relay';
import { FakeProvider, FakeResponse, ReceivedRequest, startFakeProvider } from '../fake-provider';
import { SettlementWatcher } from '../support/settlement-watcher';
import { TestMaster, startTestMaster } from '../support/test-master';
import { within } from '../support/within';

const BUDGET_KEY = 'sk-aigw-quota-budget-0123456789abcdefghij';
const POOR_KEY = 'sk-aigw-quota-poor-0123456789abcdefghijkl';
const RICH_KEY = 'sk-aigw-quota-rich-0123456789abcdefghijkl';
const ANSWER_MICROS = 173;
/** Budget for 50 answers. */
const QUOTA_MICROS = 50 * ANSWER_MICROS;
const BOUND_MS = 15_000;

const promptOf = (request: ReceivedRequest) => JSON.stringify(request.body?.messages ?? '');

describe('quota guard: reservations against token quota and user balance', () => {
  let fake: FakeProvider;
  let master: TestMaster;
  let settlements: SettlementWatcher;
  let ledger: SpendLedger;

  async function admin<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await master.request(method, path, { token: master.adminToken, body });
    if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  }

  interface Outcome {
    requestId: string;
    status: number | 'aborted';
    body: any;
  }

  async function chat(key: string, prompt: string, options: { signal?: AbortSignal; body?: object } = {}): Promise<Outcome> {
    const requestId = `quota-${randomUUID()}`;
    try {
      const response = await fetch(new URL('/v1/chat/completions', master.url), {
        method: 'POST',
        signal: options.signal,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ model: 'metered', max_tokens: 16, messages: [{ role: 'user', content: prompt }], ...options.body }),
      });
      const text = await response.text();
      return { requestId, status: response.status, body: text ? JSON.parse(text) : null };
    } catch (error) {
      if ((error as Error).name === 'AbortError') return { requestId, status: 'aborted', body: null };
      throw error;
    }
  }

  async function tokenUsed(name: string): Promise<number> {
    const tokens = await admin<{ data: Array<{ name: string; used_micros: number }> }>('GET', '/api/tokens?limit=100');
    return tokens.data.find((token) => token.name === name)!.used_micros;
  }

  /** Every charged request's settlement, then the ledger has nothing in flight and nothing unconfirmed. */
  async function settled(outcomes: Outcome[]): Promise<void> {
    for (const outcome of outcomes.filter((entry) => entry.status === 200)) {
      expect(await within(settlements.outcome(outcome.requestId), `settlement of ${outcome.requestId}`, BOUND_MS)).toBeNull();
    }
    // Aborted requests release theirs when the server notices the closed connection, a moment after the client gave up.
    const idle = () => ledger.outstanding().unconfirmedMicros === 0 && ledger.outstanding().reservedMicros === 0;
    const deadline = Date.now() + BOUND_MS;
    while (!idle() && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(ledger.outstanding()).toEqual({ reservedMicros: 0, unconfirmedMicros: 0, reservations: 0 });
  }

  beforeAll(async () => {
    fake = await startFakeProvider();
    master = await startTestMaster({
      config: {
        bootstrap: {
          users: [
            { username: 'budgeted', balance_usd: 1000 },
            { username: 'poor', balance_usd: '0.0005' },
          ],
          channels: [{ name: 'metered-openai', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai }],
          models: [{ name: 'metered', price: { input: 1, output: 10 } }],
          routes: [{ model: 'metered', channel: 'metered-openai', upstream_model: 'gpt-4o-mini' }],
          tokens: [
            { name: 'budget-50', key: BUDGET_KEY, user: 'budgeted', quota_usd: QUOTA_MICROS / 1_000_000 },
            { name: 'poor-unlimited', key: POOR_KEY, user: 'poor' },
            { name: 'rich-unlimited', key: RICH_KEY, user: 'budgeted' },
          ],
        },
      },
    });
    settlements = await SettlementWatcher.start(master.master.app.get(AppConfig).redisPrefix);
    ledger = master.master.app.get(SpendLedger);
  });
  afterAll(async () => {
    await settlements?.close();
    await master?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('200 concurrent requests (some aborted, some failing upstream) against a budget for 50: never beyond the quota, the rest refused with 402, no reservation left', async () => {
    const answers: (request: ReceivedRequest) => FakeResponse = (request) =>
      promptOf(request).includes('hang') ? { kind: 'hang' } : promptOf(request).includes('fail') ? { kind: 'error', status: 500 } : { kind: 'fixture', case: 'simpleRequest' };
    fake.respondWith(answers, { times: Infinity });

    // 20 requests the upstream never answers hold their reservations until their clients give up.
    const abort = new AbortController();
    const hung = Array.from({ length: 20 }, (_, i) => chat(BUDGET_KEY, `hang ${i}`, { signal: abort.signal }));
    for (let seen = 0; seen < 20; ) if (promptOf(await within(fake.nextRequest(), 'a hung request upstream', BOUND_MS)).includes('hang')) seen += 1;
    expect(ledger.outstanding().reservedMicros).toBeGreaterThan(0);

    // 180 more at once: 20 the upstream fails (502 to the client), 160 it answers.
    const rest = Array.from({ length: 180 }, (_, i) => chat(BUDGET_KEY, i < 20 ? `fail ${i}` : `hello ${i}`));
    const firstWave = await Promise.all(rest);
    abort.abort();
    const outcomes = [...firstWave, ...(await Promise.all(hung))];

    const byStatus = (status: number | 'aborted') => outcomes.filter((outcome) => outcome.status === status);
    expect(outcomes.filter((outcome) => ![200, 402, 502, 'aborted'].includes(outcome.status)).map((outcome) => outcome.status)).toEqual([]);
    // An upstream 500 is the gateway's 502, and costs nothing.
    expect(byStatus(502).every((outcome) => outcome.body.error.type !== 'insufficient_quota')).toBe(true);
    expect(byStatus('aborted')).toHaveLength(20);
    expect(byStatus(402).length).toBeGreaterThan(0);
    for (const refused of byStatus(402)) {
      expect(refused.body).toEqual({ error: { message: expect.stringMatching(/quota is exhausted/), type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });
    }
    // Refused requests never reached the upstream.
    expect(fake.received.filter((request) => promptOf(request).includes('hello'))).toHaveLength(byStatus(200).length);

    await settled(outcomes);
    const used = await tokenUsed('budget-50');
    expect(used).toBe(byStatus(200).length * ANSWER_MICROS);
    expect(used).toBeLessThanOrEqual(QUOTA_MICROS);
    expect(byStatus(200).length).toBeGreaterThan(0);

    // Spend the rest sequentially: answers until the next worst case no longer fits, then 402 — never beyond the quota.
    let last: Outcome;
    let answered = 0;
    do {
      last = await chat(BUDGET_KEY, 'hello again');
      if (last.status === 200) answered += 1;
    } while (last.status === 200 && answered < 60);
    expect(last.status).toBe(402);
    await settled([last]);
    const finalUsed = await tokenUsed('budget-50');
    expect(finalUsed).toBeLessThanOrEqual(QUOTA_MICROS);
    // Less than one worst case is left: 160 µ$ of output + the prompt bound.
    expect(QUOTA_MICROS - finalUsed).toBeLessThan(ANSWER_MICROS + 60);
  });

  it("an owner's balance bounds every token, unlimited ones included: 402 with the balance reason once the worst case no longer fits", async () => {
    const first = await chat(POOR_KEY, 'hello');
    const second = await chat(POOR_KEY, 'hello');
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await chat(POOR_KEY, 'hello');
    expect(third.status).toBe(402);
    expect(third.body.error).toMatchObject({ type: 'insufficient_quota', message: expect.stringMatching(/balance is too low/) });
    await settled([first, second, third]);
    const users = await admin<{ data: Array<{ username: string; balance_micros: number }> }>('GET', '/api/users?limit=100');
    expect(users.data.find((user) => user.username === 'poor')!.balance_micros).toBe(500 - 2 * ANSWER_MICROS);
    expect(fake.received).toHaveLength(2);

    // A top-up is live at once: the next request fits.
    const poor = (await admin<{ data: Array<{ id: string; username: string }> }>('GET', '/api/users?limit=100')).data.find((user) => user.username === 'poor')!;
    await admin('POST', `/api/users/${poor.id}/balance-adjustments`, { amount_usd: '0.01', note: 'top-up' });
    const fourth = await chat(POOR_KEY, 'hello');
    expect(fourth.status).toBe(200);
    await settled([fourth]);
  });

  it('the refusal speaks the client protocol: Anthropic and Gemini clients get their own error shapes with 402', async () => {
    const poor = (await admin<{ data: Array<{ id: string; username: string; balance_micros: number }> }>('GET', '/api/users?limit=100')).data.find((user) => user.username === 'poor')!;
    await admin('POST', `/api/users/${poor.id}/balance-adjustments`, { amount_usd: String(-poor.balance_micros / 1_000_000), note: 'drain' });
    const anthropic = await fetch(new URL('/v1/messages', master.url), {
      method: 'POST',
      headers: { 'x-api-key': POOR_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'metered', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(anthropic.status).toBe(402);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.stringMatching(/balance is too low/) } });
    const gemini = await fetch(new URL('/v1beta/models/metered:generateContent', master.url), {
      method: 'POST',
      headers: { 'x-goog-api-key': POOR_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hello' }] }], generationConfig: { maxOutputTokens: 16 } }),
    });
    expect(gemini.status).toBe(402);
    expect(await gemini.json()).toMatchObject({ error: { code: 402, message: expect.stringMatching(/balance is too low/) } });
    expect(fake.received).toHaveLength(0);
    expect(ledger.outstanding().reservedMicros).toBe(0);
  });

  it.each([
    ['max_tokens above 1,048,576', { max_tokens: 2_000_000 }, 'max_tokens'],
    ['n above 128', { n: 1000 }, 'n'],
  ])('%s is a 400 before anything is reserved or sent', async (_, body, param) => {
    const before = ledger.outstanding();
    const answer = await chat(RICH_KEY, 'hello', { body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { type: 'invalid_request_error', param } });
    expect(fake.received).toHaveLength(0);
    expect(ledger.outstanding()).toEqual(before);
  });

  it('self-service: GET /api/tokens/self and the OpenAI-legacy billing endpoints answer for the calling key', async () => {
    const get = async (path: string, key: string) => {
      const response = await fetch(new URL(path, master.url), { headers: { authorization: `Bearer ${key}` } });
      return { status: response.status, body: (await response.json()) as any };
    };
    const used = await tokenUsed('budget-50');
    const self = await get('/api/tokens/self', BUDGET_KEY);
    expect(self).toEqual({
      status: 200,
      body: {
        id: expect.any(String), status: 'active', quota_micros: QUOTA_MICROS, used_micros: used, remaining_micros: QUOTA_MICROS - used,
        balance_micros: expect.any(Number), models: null, expires_at: null,
      },
    });
    const subscription = await get('/v1/dashboard/billing/subscription', BUDGET_KEY);
    expect(subscription.body).toEqual({
      object: 'billing_subscription', has_payment_method: true, soft_limit_usd: QUOTA_MICROS / 1_000_000, hard_limit_usd: QUOTA_MICROS / 1_000_000,
      system_hard_limit_usd: QUOTA_MICROS / 1_000_000, access_until: 0,
    });
    expect((await get('/v1/dashboard/billing/usage?start_date=2026-11-01&end_date=2026-11-30', BUDGET_KEY)).body).toEqual({ object: 'list', total_usage: used / 10_000 });

    // An unlimited key: bounded by its owner's balance.
    const rich = await get('/api/tokens/self', RICH_KEY);
    expect(rich.body).toMatchObject({ quota_micros: null, remaining_micros: rich.body.balance_micros });

    const refused = await get('/api/tokens/self', 'sk-aigw-not-a-real-key-0123456789abcdef');
    expect(refused).toEqual({ status: 401, body: { error: { code: 'unauthenticated', message: 'invalid API key' }, request_id: expect.any(String) } });
    const legacyRefused = await get('/v1/dashboard/billing/usage', master.adminToken);
    expect(legacyRefused.status).toBe(401);
    expect(legacyRefused.body.error).toMatchObject({ message: 'invalid API key', type: expect.any(String) });
  });

  it('an aborted stream is billed for its prompt and what it delivered (estimated with the tokenizer, flagged)', async () => {
    fake.respondWith({ kind: 'fixture', case: 'simpleRequest', delayBetweenMs: 100 });
    const abort = new AbortController();
    const requestId = `quota-abort-${randomUUID()}`;
    const response = await fetch(new URL('/v1/chat/completions', master.url), {
      method: 'POST',
      signal: abort.signal,
      headers: { authorization: `Bearer ${RICH_KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'metered', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
    });
    const reader = response.body!.getReader();
    let received = '';
    while (!/"content":"[^"]+"/.test(received)) received += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const deadline = Date.now() + BOUND_MS;
    let row: any;
    while (!row && Date.now() < deadline) {
      const rows = await admin<{ data: any[] }>('GET', '/api/usage?model=metered&limit=500');
      row = rows.data.find((entry) => entry.client_request_id === requestId);
    }
    expect(row).toMatchObject({ status: 499, stream: true, estimated: true });
    expect(row.prompt_tokens).toBeGreaterThan(5);
    expect(row.completion_tokens).toBeGreaterThan(0);
    expect(row.completion_tokens).toBeLessThan(16);
    expect(row.cost_micros).toBe(row.prompt_tokens + 10 * row.completion_tokens);
  });

  it('a stream whose upstream reports no usage is metered from what it delivered, flagged as estimated', async () => {
    const chunk = (delta: object, finish: string | null) => ({
      data: { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] },
    });
    fake.respondWith({ kind: 'sse', events: [chunk({ role: 'assistant', content: 'Paris is the capital of France.' }, null), chunk({}, 'stop'), { data: '[DONE]' }] });
    const requestId = `quota-nousage-${randomUUID()}`;
    const response = await fetch(new URL('/v1/chat/completions', master.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${RICH_KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'metered', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'What is the capital of France?' }] }),
    });
    expect(await response.text()).toMatch(/Paris/);
    expect(await within(settlements.outcome(requestId), 'settlement', BOUND_MS)).toBeNull();
    const rows = await admin<{ data: any[] }>('GET', '/api/usage?model=metered&limit=500');
    const row = rows.data.find((entry) => entry.client_request_id === requestId);
    // The delivered text, through the gateway's tokenizer (o200k).
    expect(row).toMatchObject({ status: 200, estimated: true, completion_tokens: estimateTextTokens('Paris is the capital of France.') });
    expect(row.completion_tokens).toBeGreaterThan(0);
    expect(row.prompt_tokens).toBeGreaterThan(5);
  });

  it('a free model passes whatever the balance; an unpriced request reserves nothing', async () => {
    await admin('POST', '/api/models', { name: 'free-model', price: { input: 0, output: 0 } });
    const channel = (await admin<{ data: Array<{ id: string; name: string }> }>('GET', '/api/channels?limit=10')).data.find((entry) => entry.name === 'metered-openai')!;
    await admin('POST', '/api/routes', { model: 'free-model', channel_id: channel.id, upstream_model: 'gpt-4o-mini' });
    const answer = await chat(POOR_KEY, 'hello', { body: { model: 'free-model' } });
    expect(answer.status).toBe(200);
  });
});
