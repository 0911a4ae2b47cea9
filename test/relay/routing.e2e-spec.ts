/**
 * Routing, retries, failover and upstream health, end to end: a master on
 * Postgres + Redis whose channels all point at fake OpenAI upstreams; each
 * channel sends its own `x-channel` header, so the fake knows which channel a
 * request came through and can fail it on purpose. The client side is the
 * official `openai` SDK (and raw HTTP where headers or volume matter).
 */
import { AppConfig } from '@aigw/config';
import { ROUTE_DEBUG_HEADER } from '@aigw/contracts';
import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeProvider, FakeResponse, ReceivedRequest, startFakeProvider } from '../fake-provider';
import { ChannelProbeService } from '../../apps/master/src/embedded-agent/channel-probe.service';
import { SettlementWatcher } from '../support/settlement-watcher';
import { TestMaster, startTestMaster } from '../support/test-master';
import { within } from '../support/within';

const KEY = 'sk-aigw-routing-tests-0123456789abcdefghij';
const BOUND_MS = 10_000;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  requestId: string;
}

const channelOf = (request: ReceivedRequest) => String(request.headers['x-channel']);
const promptOf = (request: ReceivedRequest) => JSON.stringify(request.body?.messages ?? '');
const OK: FakeResponse = { kind: 'fixture', case: 'simpleRequest' };

describe('routing, retries, failover and upstream health', () => {
  let master: TestMaster;
  let fake: FakeProvider;
  let settlements: SettlementWatcher;
  let openai: OpenAI;

  async function admin<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await master.request(method, path, { token: master.adminToken, body });
    if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  }

  /** An OpenAI channel on the fake, tagged with its own x-channel header; returns its id. */
  async function channel(name: string, options: { priority?: number; weight?: number; settings?: object; key?: string } = {}): Promise<string> {
    const created = await admin<{ id: string }>('POST', '/api/channels', {
      name,
      type: 'openai',
      base_url: `${fake.url}/v1`,
      key: options.key ?? fake.keys.openai,
      headers: { 'x-channel': name },
      priority: options.priority ?? 0,
      weight: options.weight ?? 1,
      ...(options.settings ? { settings: options.settings } : {}),
    });
    return created.id;
  }

  /** A logical model routed to the given channels (priority and weight per route). */
  async function model(name: string, routes: Array<{ channel: string; priority?: number; weight?: number }>, routing?: object): Promise<void> {
    await admin('POST', '/api/models', { name, price: { input: 1, output: 2 }, ...(routing ? { routing } : {}) });
    for (const route of routes) {
      await admin('POST', '/api/routes', { model: name, channel_id: route.channel, upstream_model: 'gpt-4o-mini', priority: route.priority ?? 0, weight: route.weight ?? 1 });
    }
  }

  /** Every upstream request is answered by `answer` (by channel), until the next reset. */
  function script(answer: (request: ReceivedRequest) => FakeResponse): void {
    fake.respondWith(answer, { times: Infinity });
  }

  async function chat(modelName: string, options: { headers?: Record<string, string>; stream?: boolean; key?: string; body?: object; signal?: AbortSignal } = {}): Promise<Answer> {
    const requestId = `routing-${randomUUID()}`;
    const response = await fetch(new URL('/v1/chat/completions', master.url), {
      method: 'POST',
      signal: options.signal,
      headers: { authorization: `Bearer ${options.key ?? KEY}`, 'content-type': 'application/json', 'x-request-id': requestId, ...options.headers },
      body: JSON.stringify({ model: modelName, messages: [{ role: 'user', content: 'Say hello.' }], ...(options.stream ? { stream: true } : {}), ...options.body }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // streams stay text
    }
    return { status: response.status, headers: response.headers, body, requestId };
  }

  /** The one settled usage row of a request (fails if there is not exactly one). */
  async function usageOf(requestId: string, modelName: string): Promise<any> {
    expect(await within(settlements.outcome(requestId), `settlement of ${requestId}`, BOUND_MS)).toBeNull();
    const rows = await admin<{ data: any[] }>('GET', `/api/usage?model=${encodeURIComponent(modelName)}&limit=500`);
    const matching = rows.data.filter((row) => row.client_request_id === requestId);
    expect(matching).toHaveLength(1);
    return matching[0];
  }

  /** The channel as the admin API shows it once its status is `status` (auto-disabling is written after the answer), or at the bound. */
  async function channelReaching(id: string, status: string): Promise<any> {
    let state = await admin('GET', `/api/channels/${id}`);
    const deadline = Date.now() + BOUND_MS;
    while (state.status !== status && Date.now() < deadline) state = await admin('GET', `/api/channels/${id}`);
    return state;
  }

  const sentThrough = (name: string) => fake.received.filter((request) => channelOf(request) === name).length;

  beforeAll(async () => {
    fake = await startFakeProvider();
    master = await startTestMaster({
      config: {
        bootstrap: {
          users: [{ username: 'router', balance_usd: 1000 }],
          tokens: [{ name: 'routing', key: KEY, user: 'router' }],
        },
      },
    });
    settlements = await SettlementWatcher.start(master.master.app.get(AppConfig).redisPrefix);
    openai = new OpenAI({ apiKey: KEY, baseURL: `${master.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await settlements?.close();
    await master?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('spreads traffic by weight inside a tier: 2,000 requests land within 5 points of 10/20/30/40 %', async () => {
    const ids = [];
    for (const [index, weight] of [1, 2, 3, 4].entries()) ids.push({ channel: await channel(`weighted-${index + 1}`, { weight }), weight });
    await model('weighted-model', ids.map(({ channel: id, weight }) => ({ channel: id, weight })));
    const total = 2000;
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          next += 1;
          statuses.push((await chat('weighted-model')).status);
        }
      }),
    );
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const shares = [1, 2, 3, 4].map((index) => sentThrough(`weighted-${index}`) / fake.received.length);
    expect(fake.received).toHaveLength(total);
    shares.forEach((share, index) => expect(Math.abs(share - (index + 1) / 10), `weighted-${index + 1}: ${share}`).toBeLessThanOrEqual(0.05));
  });

  it('tries the highest priority tier first and the next tier only when it is exhausted', async () => {
    const high = await channel('tier-high', { settings: { breaker: { enabled: false } } });
    const low = await channel('tier-low');
    await model('tier-model', [{ channel: high, priority: 10 }, { channel: low, priority: 0 }]);
    for (let i = 0; i < 20; i += 1) expect((await chat('tier-model')).status).toBe(200);
    expect(sentThrough('tier-high')).toBe(20);
    expect(sentThrough('tier-low')).toBe(0);
  });

  describe('failover to a healthy candidate', () => {
    let primary: string;
    let secondary: string;
    beforeAll(async () => {
      // The breaker is off on the failing channel so that each case sees a real failed attempt.
      primary = await channel('failover-primary', { settings: { breaker: { enabled: false }, timeouts: { first_byte_ms: 300 } } });
      secondary = await channel('failover-secondary');
      await model('failover-model', [{ channel: primary, priority: 10 }, { channel: secondary, priority: 0 }]);
    });

    const failures: Array<[string, FakeResponse, number, string]> = [
      ['a 500', { kind: 'error', status: 500 }, 500, 'upstream'],
      ['a 429', { kind: 'error', status: 429 }, 429, 'rate_limit'],
      ['a 503 overloaded', { kind: 'error', status: 503 }, 503, 'overloaded'],
      ['a 529', { kind: 'error', status: 529 }, 529, 'overloaded'],
      ['no answer before the first-byte timeout', { kind: 'hang' }, 504, 'timeout'],
    ];

    it.each(failures)('%s → the client gets a normal answer from the next candidate; one usage record lists both attempts', async (_, failure, status, errorClass) => {
      script((request) => (channelOf(request) === 'failover-primary' ? failure : OK));
      const requestId = `failover-${randomUUID()}`;
      const completion = await openai.chat.completions.create(
        { model: 'failover-model', messages: [{ role: 'user', content: 'Say hello.' }] },
        { headers: { 'x-request-id': requestId } },
      );
      expect(completion.choices[0].message.content).toBeTruthy();
      expect(fake.received.map(channelOf)).toEqual(['failover-primary', 'failover-secondary']);
      const usage = await usageOf(requestId, 'failover-model');
      expect(usage).toMatchObject({ status: 200, channel_id: secondary });
      expect(usage.attempts).toEqual([
        { channel_id: primary, status, error_class: errorClass, latency_ms: expect.any(Number) },
        { channel_id: secondary, status: 200, latency_ms: expect.any(Number) },
      ]);
    });

    it('streaming: a 500 before the first byte fails over and the stream is whole', async () => {
      script((request) => (channelOf(request) === 'failover-primary' ? { kind: 'error', status: 500 } : OK));
      const stream = await openai.chat.completions.create({ model: 'failover-model', messages: [{ role: 'user', content: 'Say hello.' }], stream: true });
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(text.length).toBeGreaterThan(0);
      expect(finish).toBe('stop');
      expect(fake.received.map(channelOf)).toEqual(['failover-primary', 'failover-secondary']);
    });

    it('never retries once a streamed byte reached the client: a mid-stream death is an error, the next candidate is not asked', async () => {
      script((request) => (channelOf(request) === 'failover-primary' ? { kind: 'fixture', case: 'simpleRequest', disconnectAfter: 2 } : OK));
      const answer = await chat('failover-model', { stream: true });
      expect(answer.status).toBe(200);
      expect(String(answer.body)).toMatch(/"error"/);
      expect(String(answer.body)).not.toMatch(/\[DONE\]/);
      expect(fake.received.map(channelOf)).toEqual(['failover-primary']);
      const usage = await usageOf(answer.requestId, 'failover-model');
      expect(usage.attempts).toHaveLength(1);
    });

    it.each([400, 404, 413, 422])('a %i caused by the request is answered as is and never retried', async (status) => {
      script((request) => (channelOf(request) === 'failover-primary' ? { kind: 'error', status } : OK));
      const answer = await chat('failover-model');
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ error: { message: expect.any(String) } });
      expect(fake.received.map(channelOf)).toEqual(['failover-primary']);
      const usage = await usageOf(answer.requestId, 'failover-model');
      expect(usage.attempts).toEqual([{ channel_id: primary, status, error_class: expect.any(String), latency_ms: expect.any(Number) }]);
    });

    it('stops at max_attempts: three failing channels and a healthy fourth, capped at 2 attempts → the client gets the last error', async () => {
      const ids = [];
      for (const name of ['capped-1', 'capped-2', 'capped-3']) ids.push(await channel(name, { settings: { breaker: { enabled: false } } }));
      const healthy = await channel('capped-ok');
      await model('capped-model', [...ids.map((id, index) => ({ channel: id, priority: 10 - index })), { channel: healthy, priority: 0 }], { max_attempts: 2 });
      script((request) => (channelOf(request).startsWith('capped-') && channelOf(request) !== 'capped-ok' ? { kind: 'error', status: 502 } : OK));
      const answer = await chat('capped-model');
      expect(answer.status).toBe(502);
      expect(fake.received.map(channelOf)).toEqual(['capped-1', 'capped-2']);
    });
  });

  it('the circuit breaker opens after consecutive failures, skips the channel, half-opens after the cooldown and closes on a good probe', async () => {
    const flaky = await channel('breaker-flaky', { settings: { breaker: { consecutive_failures: 3, cooldown_seconds: 1 } } });
    const steady = await channel('breaker-steady');
    await model('breaker-model', [{ channel: flaky, priority: 10 }, { channel: steady, priority: 0 }]);
    let flakyHealthy = false;
    script((request) => (channelOf(request) === 'breaker-flaky' && !flakyHealthy ? { kind: 'error', status: 500 } : OK));

    for (let i = 0; i < 3; i += 1) expect((await chat('breaker-model')).status).toBe(200);
    expect(sentThrough('breaker-flaky')).toBe(3);

    // Open: the flaky channel is skipped without an attempt (the debug header of an admin's token says so).
    const dry = await admin('POST', '/api/routes/dry-run', { model: 'breaker-model' });
    expect(dry.candidates.map((candidate: any) => [candidate.channel_name, candidate.state, candidate.eligible])).toEqual([
      ['breaker-flaky', 'open', false],
      ['breaker-steady', 'closed', true],
    ]);
    for (let i = 0; i < 5; i += 1) expect((await chat('breaker-model')).status).toBe(200);
    expect(sentThrough('breaker-flaky')).toBe(3);
    expect(sentThrough('breaker-steady')).toBe(8);

    // The upstream heals; after the cooldown one request probes it (half-open) and closes the circuit.
    flakyHealthy = true;
    const probed = fake.received.length;
    let probe: ReceivedRequest | undefined;
    const deadline = Date.now() + BOUND_MS;
    while (!probe && Date.now() < deadline) {
      expect((await chat('breaker-model')).status).toBe(200);
      probe = fake.received.slice(probed).find((request) => channelOf(request) === 'breaker-flaky');
    }
    expect(probe, 'a half-open probe reached the healed channel').toBeDefined();
    const closed = await admin('POST', '/api/routes/dry-run', { model: 'breaker-model' });
    expect(closed.candidates[0]).toMatchObject({ channel_name: 'breaker-flaky', state: 'closed', eligible: true });
    const before = sentThrough('breaker-flaky');
    for (let i = 0; i < 3; i += 1) expect((await chat('breaker-model')).status).toBe(200);
    expect(sentThrough('breaker-flaky')).toBe(before + 3);
  });

  it('a failed half-open probe opens the circuit again', async () => {
    const flaky = await channel('reopen-flaky', { settings: { breaker: { consecutive_failures: 2, cooldown_seconds: 1 } } });
    const steady = await channel('reopen-steady');
    await model('reopen-model', [{ channel: flaky, priority: 10 }, { channel: steady, priority: 0 }]);
    script((request) => (channelOf(request) === 'reopen-flaky' ? { kind: 'error', status: 503 } : OK));
    for (let i = 0; i < 2; i += 1) await chat('reopen-model');
    expect(sentThrough('reopen-flaky')).toBe(2);
    const deadline = Date.now() + BOUND_MS;
    while (sentThrough('reopen-flaky') < 3 && Date.now() < deadline) expect((await chat('reopen-model')).status).toBe(200);
    expect(sentThrough('reopen-flaky')).toBe(3);
    const dry = await admin('POST', '/api/routes/dry-run', { model: 'reopen-model' });
    expect(dry.candidates[0]).toMatchObject({ channel_name: 'reopen-flaky', state: 'open' });
  });

  it('a repeatedly-401 upstream disables its channel with the reason — not on a single blip', async () => {
    const revoked = await channel('revoked-key', { settings: { breaker: { enabled: false } } });
    const spare = await channel('revoked-spare');
    await model('revoked-model', [{ channel: revoked, priority: 10 }, { channel: spare, priority: 0 }]);

    // One blip, then a success: the count starts over.
    let failing = true;
    script((request) => (channelOf(request) === 'revoked-key' && failing ? { kind: 'error', status: 401 } : OK));
    expect((await chat('revoked-model')).status).toBe(200);
    failing = false;
    expect((await chat('revoked-model')).status).toBe(200);
    failing = true;
    for (let i = 0; i < 2; i += 1) expect((await chat('revoked-model')).status).toBe(200);
    expect((await admin('GET', `/api/channels/${revoked}`)).status).toBe('enabled');

    // The third 401 in a row disables it.
    expect((await chat('revoked-model')).status).toBe(200);
    const state = await channelReaching(revoked, 'auto_disabled');
    expect(state).toMatchObject({ status: 'auto_disabled', status_reason: expect.stringMatching(/401 \(authentication\) 3 times in a row/) });
    const sent = sentThrough('revoked-key');
    for (let i = 0; i < 3; i += 1) expect((await chat('revoked-model')).status).toBe(200);
    expect(sentThrough('revoked-key')).toBe(sent);

    // An admin re-enables it: the reason is cleared and traffic returns.
    failing = false;
    const enabled = await admin('PATCH', `/api/channels/${revoked}`, { status: 'enabled' });
    expect(enabled).toMatchObject({ status: 'enabled', status_reason: null });
    expect((await chat('revoked-model')).status).toBe(200);
    expect(sentThrough('revoked-key')).toBe(sent + 1);
  });

  it('health probes re-enable an auto-disabled channel once it answers again (probe_interval_seconds)', async () => {
    const healing = await channel('healing', { settings: { breaker: { enabled: false } } });
    const spare = await channel('healing-spare');
    await model('healing-model', [{ channel: healing, priority: 10 }, { channel: spare, priority: 0 }]);
    let refusing = true;
    script((request) => (channelOf(request) === 'healing' && refusing ? { kind: 'error', status: 403 } : OK));
    for (let i = 0; i < 3; i += 1) expect((await chat('healing-model')).status).toBe(200);
    const state = await channelReaching(healing, 'auto_disabled');
    expect(state).toMatchObject({ status: 'auto_disabled', status_reason: expect.stringMatching(/403 \(permission\)/) });

    const probes = master.master.app.get(ChannelProbeService);
    // Still refusing: the probe reaches it and leaves it disabled.
    expect(await probes.probeAutoDisabled()).toContainEqual({ channel_id: healing, ok: false, status: 403, error: 'permission' });
    expect((await admin('GET', `/api/channels/${healing}`)).status).toBe('auto_disabled');

    refusing = false;
    expect(await probes.probeAutoDisabled()).toContainEqual({ channel_id: healing, ok: true, status: 200 });
    expect(await admin('GET', `/api/channels/${healing}`)).toMatchObject({ status: 'enabled', status_reason: null });
    const audit = await admin('GET', `/api/audit?entity=channel&entity_id=${healing}&limit=50`);
    expect(audit.data.map((entry: any) => [entry.action, entry.actor_name])).toEqual(expect.arrayContaining([['auto_disable', 'system'], ['auto_enable', 'system']]));
    const before = sentThrough('healing');
    expect((await chat('healing-model')).status).toBe(200);
    expect(sentThrough('healing')).toBe(before + 1);
  });

  it('the latency strategy sends most traffic to the faster channel of a tier', async () => {
    const fast = await channel('latency-fast');
    const slow = await channel('latency-slow');
    await model('latency-model', [{ channel: fast }, { channel: slow }], { strategy: 'latency' });
    script((request) => (channelOf(request) === 'latency-slow' ? { kind: 'fixture', case: 'simpleRequest', delayFirstByteMs: 60 } : OK));
    // Until both are measured, unknown latency counts as the best: both get traffic.
    for (let i = 0; i < 10 && (sentThrough('latency-fast') === 0 || sentThrough('latency-slow') === 0); i += 1) await chat('latency-model');
    expect(sentThrough('latency-slow')).toBeGreaterThan(0);
    const mark = fake.received.length;
    for (let i = 0; i < 100; i += 1) expect((await chat('latency-model')).status).toBe(200);
    const slowShare = fake.received.slice(mark).filter((request) => channelOf(request) === 'latency-slow').length / 100;
    // Equal weights; ~60 ms against a few ms: the slow channel's weight is scaled down by best/its TTFT.
    expect(slowShare).toBeLessThan(0.25);
    const dry = await admin('POST', '/api/routes/dry-run', { model: 'latency-model' });
    expect(dry.settings.strategy).toBe('latency');
    const shares = Object.fromEntries(dry.candidates.map((candidate: any) => [candidate.channel_name, candidate.share]));
    expect(shares['latency-fast']).toBeGreaterThan(0.75);
  });

  it("a group's model and channel restrictions hold for its members' tokens", async () => {
    const open = await channel('group-open');
    const closed = await channel('group-closed');
    await model('group-model', [{ channel: open }, { channel: closed }]);
    const group = await admin('POST', '/api/groups', { name: 'restricted', models: ['group-model'], channels: [open] });
    expect(group).toMatchObject({ models: ['group-model'], channels: [open] });
    const member = await admin('POST', '/api/users', { username: 'restricted-member', password: 'member-password-1', group_id: group.id, balance_usd: 100 });
    const token = await admin('POST', '/api/tokens', { name: 'member-token', user_id: member.id });
    for (let i = 0; i < 10; i += 1) expect((await chat('group-model', { key: token.key })).status).toBe(200);
    expect(new Set(fake.received.map(channelOf))).toEqual(new Set(['group-open']));
    const refused = await chat('weighted-model', { key: token.key });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { message: 'your group may not use the model weighted-model', type: expect.any(String) } });
    const models = (await fetch(new URL('/v1/models', master.url), { headers: { authorization: `Bearer ${token.key}` } }).then((response) => response.json())) as { data: Array<{ id: string }> };
    expect(models.data.map((entry) => entry.id)).toEqual(['group-model']);
  });

  it('affinity keeps a session key on one channel until that channel fails, then sticks to the new one', async () => {
    const ids = [];
    for (const name of ['sticky-a', 'sticky-b', 'sticky-c']) ids.push(await channel(name, { settings: { breaker: { enabled: false } } }));
    await model('sticky-model', ids.map((id) => ({ channel: id })), { affinity: true });
    const broken = new Set<string>();
    script((request) => (broken.has(channelOf(request)) ? { kind: 'error', status: 500 } : OK));

    for (let i = 0; i < 12; i += 1) expect((await chat('sticky-model', { headers: { 'x-session-id': 'session-1' } })).status).toBe(200);
    const first = new Set(fake.received.map(channelOf));
    expect(first.size).toBe(1);
    const pinned = [...first][0];

    // The `user` field works as a key too, and different keys spread over the channels.
    for (let i = 0; i < 6; i += 1) expect((await chat('sticky-model', { body: { user: 'user-7' } })).status).toBe(200);
    expect(new Set(fake.received.slice(12).map(channelOf)).size).toBe(1);
    const spread = new Set<string>();
    for (let i = 0; i < 30; i += 1) {
      await chat('sticky-model', { headers: { 'x-session-id': `spread-${i}` } });
      spread.add(channelOf(fake.received.at(-1)!));
    }
    expect(spread.size).toBeGreaterThan(1);

    broken.add(pinned);
    const failedOver = await chat('sticky-model', { headers: { 'x-session-id': 'session-1' } });
    expect(failedOver.status).toBe(200);
    const replacement = channelOf(fake.received.at(-1)!);
    expect(replacement).not.toBe(pinned);
    const mark = fake.received.length;
    for (let i = 0; i < 8; i += 1) expect((await chat('sticky-model', { headers: { 'x-session-id': 'session-1' } })).status).toBe(200);
    expect(new Set(fake.received.slice(mark).map(channelOf))).toEqual(new Set([replacement]));
  });

  it('when every channel is at its cap, the client gets a 503 with Retry-After, not a 404', async () => {
    const narrow = await channel('only-narrow', { settings: { max_concurrency: 1 } });
    await model('only-narrow-model', [{ channel: narrow }]);
    script((request) => (promptOf(request).includes('hold') ? { kind: 'hang' } : OK));
    const abort = new AbortController();
    const held = chat('only-narrow-model', { body: { messages: [{ role: 'user', content: 'hold' }] }, signal: abort.signal }).catch(() => null);
    await within(fake.nextRequest(), 'the held request upstream', BOUND_MS);
    const refused = await chat('only-narrow-model');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.error.message).toMatch(/at its concurrency or rate limit/);
    abort.abort();
    await held;
  });

  it('a channel at its concurrency cap is skipped, not queued', async () => {
    const narrow = await channel('narrow', { settings: { max_concurrency: 1 } });
    const wide = await channel('wide');
    await model('narrow-model', [{ channel: narrow, priority: 10 }, { channel: wide, priority: 0 }]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    script((request) => {
      if (channelOf(request) === 'narrow' && first) {
        first = false;
        return { kind: 'hang' };
      }
      return OK;
    });
    const abort = new AbortController();
    const slow = fetch(new URL('/v1/chat/completions', master.url), {
      method: 'POST',
      signal: abort.signal,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'narrow-model', messages: [{ role: 'user', content: 'hold' }] }),
    }).catch(() => release());
    await within(fake.nextRequest(), 'the held request reaches the narrow channel', BOUND_MS);
    const answer = await chat('narrow-model', { headers: {} });
    expect(answer.status).toBe(200);
    expect(fake.received.map(channelOf)).toEqual(['narrow', 'wide']);
    abort.abort();
    await slow;
    await held;
  });

  describe('explainable routing', () => {
    let debugTokenId: string;
    let debugKey: string;
    let plainTokenId: string;
    let first: string;
    let second: string;
    beforeAll(async () => {
      first = await channel('explain-first', { weight: 3, settings: { breaker: { enabled: false } } });
      second = await channel('explain-second', { weight: 1 });
      await model('explain-model', [{ channel: first, priority: 5, weight: 3 }, { channel: second, priority: 5, weight: 1 }]);
      const users = await admin<{ data: Array<{ id: string; username: string }> }>('GET', '/api/users?limit=100');
      const router = users.data.find((user) => user.username === 'router')!;
      const debugToken = await admin('POST', '/api/tokens', { name: 'debugging', user_id: router.id, debug: true });
      debugTokenId = debugToken.id;
      expect(debugToken).toMatchObject({ debug: true, channels: null });
      const tokens = await admin<{ data: Array<{ id: string; name: string }> }>('GET', '/api/tokens?limit=100');
      plainTokenId = tokens.data.find((token) => token.name === 'routing')!.id;
      debugKey = debugToken.key;
    });

    it('no debug header by default, even when asked for by a non-admin token', async () => {
      const answer = await chat('explain-model', { headers: { 'x-aigw-debug': '1' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get(ROUTE_DEBUG_HEADER)).toBeNull();
    });

    it('a debug token gets the route, the chosen channel and every attempt', async () => {
      script((request) => (channelOf(request) === 'explain-first' ? { kind: 'error', status: 500 } : OK));
      // Each request tries one channel of the tier first; the 500 on explain-first shows as an attempt when it leads.
      let header = '';
      for (let i = 0; i < 40 && !header.includes('explain-first:500'); i += 1) {
        const answer = await chat('explain-model', { key: debugKey });
        expect(answer.status).toBe(200);
        header = answer.headers.get(ROUTE_DEBUG_HEADER) ?? '';
        expect(header).toMatch(/^route=explain-model; channel=explain-second; attempts=/);
      }
      expect(header).toMatch(/^route=explain-model; channel=explain-second; attempts=explain-first:500:upstream:\d+ms,explain-second:200:\d+ms$/);
    });

    it("an admin's token gets it on request with x-aigw-debug: 1", async () => {
      const me = await admin('GET', '/api/me');
      await admin('POST', `/api/users/${me.id}/balance-adjustments`, { amount_usd: '100', note: 'routing tests' });
      const created = await admin('POST', '/api/tokens', { name: 'admin-debug' });
      const plain = await chat('explain-model', { key: created.key });
      expect(plain.headers.get(ROUTE_DEBUG_HEADER)).toBeNull();
      const asked = await chat('explain-model', { key: created.key, headers: { 'x-aigw-debug': '1' } });
      expect(asked.headers.get(ROUTE_DEBUG_HEADER)).toMatch(/^route=explain-model; channel=explain-(first|second); attempts=explain-(first|second):200:\d+ms$/);
    });

    it('embeddings answers carry it too', async () => {
      const response = await fetch(new URL('/v1/embeddings', master.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${debugKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'explain-model', input: 'hello' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get(ROUTE_DEBUG_HEADER)).toMatch(/^route=explain-model; channel=explain-(first|second); attempts=explain-(first|second):200:\d+ms$/);
    });

    it('the header is also on an error answer', async () => {
      script(() => ({ kind: 'error', status: 400 }));
      const answer = await chat('explain-model', { key: debugKey });
      expect(answer.status).toBe(400);
      expect(answer.headers.get(ROUTE_DEBUG_HEADER)).toMatch(/^route=explain-model; channel=; attempts=explain-(first|second):400:invalid_request:\d+ms$/);
    });

    it('POST /api/routes/dry-run returns the ordered candidates with shares and states', async () => {
      const dry = await admin('POST', '/api/routes/dry-run', { model: 'explain-model' });
      expect(dry).toMatchObject({ model: 'explain-model', settings: { max_attempts: 3, max_channels: 3, affinity: false, strategy: 'weighted' } });
      expect(dry.candidates).toEqual([
        expect.objectContaining({ order: 1, priority: 5, channel_id: first, channel_name: 'explain-first', upstream_model: 'gpt-4o-mini', weight: 3, share: 0.75, eligible: true }),
        expect.objectContaining({ order: 2, priority: 5, channel_id: second, channel_name: 'explain-second', weight: 1, share: 0.25, state: 'closed', eligible: true }),
      ]);
    });

    it("dry-run applies a token's channel and model restrictions", async () => {
      await admin('PATCH', `/api/tokens/${debugTokenId}`, { channels: [second] });
      const restricted = await admin('POST', '/api/routes/dry-run', { model: 'explain-model', token_id: debugTokenId });
      expect(restricted.candidates.map((candidate: any) => candidate.channel_name)).toEqual(['explain-second']);
      // The relay obeys the same restriction.
      for (let i = 0; i < 5; i += 1) await chat('explain-model', { key: debugKey });
      expect(new Set(fake.received.map(channelOf))).toEqual(new Set(['explain-second']));

      await admin('PATCH', `/api/tokens/${plainTokenId}`, { models: ['weighted-model'] });
      const refused = await admin('POST', '/api/routes/dry-run', { model: 'explain-model', token_id: plainTokenId });
      expect(refused).toMatchObject({ candidates: [], refused: expect.stringMatching(/may not use the model explain-model/) });
      await admin('PATCH', `/api/tokens/${plainTokenId}`, { models: null });
      await admin('PATCH', `/api/tokens/${debugTokenId}`, { channels: null });
    });

    it('dry-run answers 404 for an unknown token and 400 for a bad body; viewers may use it', async () => {
      expect((await master.request('POST', '/api/routes/dry-run', { token: master.adminToken, body: { model: 'explain-model', token_id: randomUUID() } })).status).toBe(404);
      const bad = await master.request('POST', '/api/routes/dry-run', { token: master.adminToken, body: { model: 'explain-model', extra: 1 } });
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toMatch(/extra/);
    });
  });

  describe('POST /api/channels/{id}/test', () => {
    it('reports the latency of a minimal real request through the adaptor', async () => {
      const id = await channel('probe-ok');
      await model('probe-model', [{ channel: id }]);
      const result = await admin('POST', `/api/channels/${id}/test`, {});
      expect(result).toEqual({ ok: true, status: 200, latency_ms: expect.any(Number), model: 'gpt-4o-mini' });
      const sent = fake.received.at(-1)!;
      expect(sent).toMatchObject({ path: '/v1/chat/completions', model: 'gpt-4o-mini', schemaErrors: [] });
      expect(sent.headers.authorization).toBe(`Bearer ${fake.keys.openai}`);
    });

    it('reports the status and error class of a refused key, without echoing the upstream body', async () => {
      const id = await channel('probe-bad-key', { key: 'sk-wrong-key' });
      fake.respondWith({ kind: 'error', status: 401, message: 'Incorrect API key provided: sk-wrong-key. secret-upstream-detail' });
      const result = await admin('POST', `/api/channels/${id}/test`, { model: 'gpt-4o-mini' });
      expect(result).toEqual({ ok: false, status: 401, latency_ms: expect.any(Number), error: 'authentication', message: 'the upstream answered 401', model: 'gpt-4o-mini' });
      expect(JSON.stringify(result)).not.toMatch(/secret-upstream-detail|sk-wrong-key/);
    });

    it('an unreachable upstream is ok: false with status null; a channel without models needs one named', async () => {
      const created = await admin<{ id: string }>('POST', '/api/channels', { name: 'probe-nowhere', type: 'openai', base_url: 'http://127.0.0.1:9/v1', key: 'k' });
      const result = await admin('POST', `/api/channels/${created.id}/test`, { model: 'x' });
      expect(result).toMatchObject({ ok: false, status: null, error: 'upstream' });
      const missing = await master.request('POST', `/api/channels/${created.id}/test`, { token: master.adminToken, body: {} });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details).toEqual([{ field: 'model', messages: [expect.any(String)] }]);
    });
  });
});
