/**
 * Usage normalisation and exact integer costs, from real captures. Each
 * provider counts tokens its own way — OpenAI's prompt tokens include the
 * cached ones and its completion tokens the reasoning; Anthropic's input
 * tokens exclude cache reads and writes; Gemini reports thoughts apart from
 * the candidates — and the usage record must hold the same normalised counts
 * (OpenAI's convention) and the exact cost, whether the client speaks the
 * upstream's protocol or another one, streamed or not. The expectations are
 * computed here from the capture files with each provider's rule written out.
 *
 * Prices: $1 / 1M input, $4 / 1M output, $0.10 / 1M cached input, $1.25 / 1M
 * cache writes.
 */
import { AppConfig } from '@aigw/config';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Protocol } from '../fake-provider';
import { FixtureProvider, fixtureCase } from '../support/fixtures';
import { RelayHarness, startRelayHarness } from '../support/relay-harness';
import { SettlementWatcher } from '../support/settlement-watcher';

interface Normalised {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

const PRICE = { input: 1_000_000, output: 4_000_000, cached: 100_000, write: 1_250_000 };

/** Micro-USD, rounded up once: Σ tokens × price per 1M / 1M. */
function costOf(usage: Normalised): number {
  const plain = usage.prompt_tokens - usage.cached_tokens - usage.cache_write_tokens;
  const numerator = BigInt(plain) * BigInt(PRICE.input) + BigInt(usage.cached_tokens) * BigInt(PRICE.cached)
    + BigInt(usage.cache_write_tokens) * BigInt(PRICE.write) + BigInt(usage.completion_tokens) * BigInt(PRICE.output);
  return Number((numerator + 999_999n) / 1_000_000n);
}

/** Each provider's rule, applied to its own usage object. */
const NORMALISE: Record<FixtureProvider & ('chat-completions' | 'responses' | 'anthropic' | 'google'), (usage: any) => Normalised> = {
  // prompt_tokens already include cached ones; completion_tokens include reasoning.
  'chat-completions': (u) => ({
    prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    cache_write_tokens: 0, reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  }),
  responses: (u) => ({
    prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, cached_tokens: u.input_tokens_details?.cached_tokens ?? 0,
    cache_write_tokens: 0, reasoning_tokens: u.output_tokens_details?.reasoning_tokens ?? 0,
  }),
  // input_tokens exclude cache reads and cache writes: the prompt is their sum.
  anthropic: (u) => ({
    prompt_tokens: u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0), completion_tokens: u.output_tokens,
    cached_tokens: u.cache_read_input_tokens ?? 0, cache_write_tokens: u.cache_creation_input_tokens ?? 0, reasoning_tokens: 0,
  }),
  // candidatesTokenCount excludes the thoughts: the output is both.
  google: (u) => ({
    prompt_tokens: u.promptTokenCount, completion_tokens: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
    cached_tokens: u.cachedContentTokenCount ?? 0, cache_write_tokens: 0, reasoning_tokens: u.thoughtsTokenCount ?? 0,
  }),
};

/** The usage a capture reports: response.json, or the streamed events' final usage. */
function capturedUsage(name: string, provider: keyof typeof NORMALISE, stream: boolean): Normalised {
  const capture = fixtureCase(name, provider);
  const json = capture.read('response.json');
  if (!stream || provider === 'chat-completions') {
    // (The chat stream captures carry no usage chunk; the fake sends response.json's usage, as OpenAI does with include_usage.)
    return NORMALISE[provider](provider === 'google' ? json.usageMetadata : json.usage);
  }
  const events = capture.read<any[]>('response-streaming.json')!;
  if (provider === 'anthropic') {
    const start = events.find((event) => event.type === 'message_start').message.usage;
    const deltas = events.filter((event) => event.type === 'message_delta');
    return NORMALISE.anthropic({ ...start, ...deltas.at(-1).usage });
  }
  if (provider === 'responses') return NORMALISE.responses(events.find((event) => event.type === 'response.completed').response.usage);
  return NORMALISE.google(events.filter((event) => event.usageMetadata).at(-1).usageMetadata);
}

const CASES: Array<{ upstream: keyof typeof NORMALISE; fixture: string; channel: string; protocol: Protocol; clients: Protocol[] }> = [
  // Anthropic with 12,963 cache-write tokens.
  { upstream: 'anthropic', fixture: 'chatCompletionsAnthropicCacheControlParam', channel: 'fake-anthropic', protocol: 'anthropic', clients: ['anthropic', 'openai-chat', 'gemini'] },
  // OpenAI Responses with 8,576 of 8,635 prompt tokens cached and 1,984 reasoning tokens.
  { upstream: 'responses', fixture: 'responsesInputFileUrlParam', channel: 'fake-openai', protocol: 'openai-responses', clients: ['openai-responses'] },
  // OpenAI Chat with 5,056 reasoning tokens inside 5,540 completion tokens.
  { upstream: 'chat-completions', fixture: 'complexReasoningRequest', channel: 'fake-openai', protocol: 'openai-chat', clients: ['openai-chat', 'anthropic', 'gemini'] },
  // Gemini with 3,068 thought tokens reported apart from 2,529 candidate tokens.
  { upstream: 'google', fixture: 'complexReasoningRequest', channel: 'fake-gemini', protocol: 'gemini', clients: ['gemini', 'openai-chat', 'anthropic'] },
];

function request(client: Protocol, model: string, stream: boolean): { path: string; body: unknown } {
  const question = 'Explain the proof briefly.';
  switch (client) {
    case 'openai-chat':
      return { path: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: question }], stream, max_completion_tokens: 20_000 } };
    case 'openai-responses':
      return { path: '/v1/responses', body: { model, input: question, stream, max_output_tokens: 20_000 } };
    case 'anthropic':
      return { path: '/v1/messages', body: { model, max_tokens: 20_000, messages: [{ role: 'user', content: question }], stream } };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: { contents: [{ role: 'user', parts: [{ text: question }] }], generationConfig: { maxOutputTokens: 20_000 } },
      };
  }
}

describe('usage normalisation and exact costs from captures, native and translated, streamed and not', () => {
  let harness: RelayHarness;
  let settlements: SettlementWatcher;
  const admin = async (method: string, path: string, body?: unknown) => {
    const result = await harness.master.request(method, path, { token: harness.master.adminToken, body });
    if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  };

  beforeAll(async () => {
    harness = await startRelayHarness();
    settlements = await SettlementWatcher.start(harness.master.master.app.get(AppConfig).redisPrefix);
    const channels = (await admin('GET', '/api/channels?limit=10')).data as Array<{ id: string; name: string }>;
    // The Anthropic account costs us half the list price: the margin shows on each usage record.
    await admin('PATCH', `/api/channels/${channels.find((channel) => channel.name === 'fake-anthropic')!.id}`, { settings: { cost_ratio: 0.5 } });
    for (const entry of CASES) {
      const model = `billing-${entry.upstream}`;
      await admin('POST', '/api/models', { name: model, price: { input: '1', output: '4', cached_input: '0.1', cache_write: '1.25' } });
      await admin('POST', '/api/routes', { model, channel_id: channels.find((channel) => channel.name === entry.channel)!.id, upstream_model: 'upstream-model' });
    }
  });
  afterAll(async () => {
    await settlements?.close();
    await harness?.close();
  });

  for (const entry of CASES) {
    for (const stream of [false, true]) {
      for (const client of entry.clients) {
        const expected = capturedUsage(entry.fixture, entry.upstream, stream);
        it(`${entry.upstream} (${entry.fixture}) → ${client} client${stream ? ', streamed' : ''}: ${JSON.stringify(expected)} costs ${costOf(expected)} µ$`, async () => {
          harness.fake.reset();
          harness.fake.respondWith({ kind: 'fixture', case: entry.fixture }, { protocol: entry.protocol });
          const model = `billing-${entry.upstream}`;
          const { path, body } = request(client, model, stream);
          const requestId = `billing-${randomUUID()}`;
          const response = await harness.post(path, body, { 'x-request-id': requestId });
          const text = await response.text();
          expect(response.status, text.slice(0, 500)).toBe(200);
          expect(harness.fake.received).toHaveLength(1);
          expect(await settlements.outcome(requestId)).toBeNull();
          const rows = await admin('GET', `/api/usage?model=${model}&limit=500`);
          const matching = rows.data.filter((row: { client_request_id: string }) => row.client_request_id === requestId);
          expect(matching).toHaveLength(1);
          const channelCost = entry.upstream === 'anthropic' ? Math.ceil(costOf(expected) / 2) : costOf(expected);
          expect(matching[0]).toMatchObject({ ...expected, estimated: false, status: 200, stream, cost_micros: costOf(expected), channel_cost_micros: channelCost });
        });
      }
    }
  }

  it('the exact costs are what the prices say, worked out by hand for two of the captures', () => {
    // Anthropic: 8 plain + 12,963 written at $1.25/M + 193 out at $4/M = 8 + 16,203.75 + 772 → 16,984 µ$ (rounded up once).
    expect(costOf(capturedUsage('chatCompletionsAnthropicCacheControlParam', 'anthropic', false))).toBe(16_984);
    // Responses: 59 plain + 8,576 cached at $0.10/M + 3,726 out at $4/M = 59 + 857.6 + 14,904 → 15,821 µ$.
    expect(costOf(capturedUsage('responsesInputFileUrlParam', 'responses', false))).toBe(15_821);
  });
});
