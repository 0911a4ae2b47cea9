import { AppConfig } from '@aigw/config';
import { PROVIDER_CATALOG, ParameterQuirk, ProviderPreset } from '@aigw/contracts';
import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PresetFake, basePathOf, startPresetFake } from '../fake-provider/openai-presets';
import { fixtureCase } from '../support/fixtures';
import { SettlementWatcher } from '../support/settlement-watcher';
import { TestMaster, startTestMaster } from '../support/test-master';
import { within } from '../support/within';

const GATEWAY_KEY = 'sk-aigw-preset-tests-0123456789abcdefghij';
const PRESETS = PROVIDER_CATALOG.filter((entry) => entry.family === 'openai-compatible') as ProviderPreset[];
const CHAT_PRESETS = PRESETS.filter((preset) => preset.capabilities.chat);
const EMBEDDING_PRESETS = PRESETS.filter((preset) => preset.capabilities.embeddings);
const RESPONSES_PRESETS = PRESETS.filter((preset) => preset.capabilities.responses);
const REFUSALS = CHAT_PRESETS.flatMap((preset) => preset.quirks.params.filter((quirk) => quirk.action === 'refuse').map((quirk) => [preset, quirk] as const));

const modelOf = (preset: ProviderPreset) => `m-${preset.id}`;
const upstreamModelOf = (preset: ProviderPreset) => `${preset.id}-upstream-model`;

/** Values a client may send for a parameter the preset drops (or for a refused one, within its harmless values). */
const DROPPED_VALUES: Record<string, unknown> = {
  store: false,
  metadata: { team: 'presets' },
  service_tier: 'auto',
  prompt_cache_key: 'presets',
  safety_identifier: 'end-user-1',
  user: 'end-user-1',
  parallel_tool_calls: true,
  tool_choice: 'auto',
};

/** Values that ask for what the preset lacks. */
const REFUSED_VALUES: Record<string, Record<string, unknown>> = {
  n: { n: 2 },
  logprobs: { logprobs: true },
  top_logprobs: { top_logprobs: 2 },
  logit_bias: { logit_bias: { '1734': -100 } },
  presence_penalty: { presence_penalty: 0.5 },
  frequency_penalty: { frequency_penalty: 0.5 },
  tools: { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] },
  tool_choice: { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }], tool_choice: 'required' },
};

function quirkValue(quirk: ParameterQuirk): unknown {
  if (quirk.action === 'refuse') return quirk.harmless?.[0] ?? null;
  if (!(quirk.param in DROPPED_VALUES)) throw new Error(`no test value for dropped ${quirk.param}`);
  return DROPPED_VALUES[quirk.param];
}

/** What the capture the fake replays says (text and usage). */
const CHAT_CAPTURE = fixtureCase('simpleRequest', 'chat-completions').read<{ choices: [{ message: { content: string } }]; usage: { prompt_tokens: number; completion_tokens: number } }>('response.json')!;
const CHAT_STREAM_TEXT = fixtureCase('simpleRequest', 'chat-completions')
  .read<Array<{ choices: Array<{ delta?: { content?: string } }> }>>('response-streaming.json')!
  .map((chunk) => chunk.choices[0]?.delta?.content ?? '')
  .join('');
const RESPONSES_CAPTURE = fixtureCase('simpleRequest', 'responses').read<{ output_text?: string; usage: { input_tokens: number; output_tokens: number } }>('response.json')!;

describe('OpenAI-compatible presets: one channel each, official SDK against a fake in each dialect', () => {
  let fake: PresetFake;
  let master: TestMaster;
  let openai: OpenAI;
  let settlements: SettlementWatcher;

  /** The gateway's usage row for a request, once settled. */
  const usageRow = async (clientRequestId: string) => {
    expect(await within(settlements.outcome(clientRequestId), `settlement of ${clientRequestId}`)).toBeNull();
    const rows = await master.request('GET', '/api/usage', { token: master.adminToken, query: { client_request_id: clientRequestId } });
    expect(rows.body.data).toHaveLength(1);
    return rows.body.data[0];
  };
  const lastReceived = (preset: ProviderPreset) => fake.received.filter((request) => request.preset === preset.id).at(-1);

  beforeAll(async () => {
    fake = await startPresetFake(PRESETS);
    master = await startTestMaster({
      config: {
        routing: { auto_disable_after: 0 },
        bootstrap: {
          users: [{ username: 'preset-user', balance_usd: 1000 }],
          channels: PRESETS.map((preset) => ({ name: `ch-${preset.id}`, type: preset.id, base_url: fake.baseUrlFor(preset), key: fake.keyFor(preset) })),
          models: PRESETS.map((preset) => ({ name: modelOf(preset), price: { input: 1, output: 2 } })),
          routes: PRESETS.map((preset) => ({ model: modelOf(preset), channel: `ch-${preset.id}`, upstream_model: upstreamModelOf(preset) })),
          tokens: [{ name: 'presets', key: GATEWAY_KEY, user: 'preset-user' }],
        },
      },
    });
    settlements = await SettlementWatcher.start(master.master.app.get(AppConfig).redisPrefix);
    openai = new OpenAI({ apiKey: GATEWAY_KEY, baseURL: `${master.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await settlements?.close();
    await master?.close();
    await fake?.close();
  });

  it('covers every OpenAI-compatible preset of the catalog', () => {
    expect(PRESETS.length).toBeGreaterThanOrEqual(50);
    expect(CHAT_PRESETS.length + PRESETS.filter((preset) => !preset.capabilities.chat).length).toBe(PRESETS.length);
  });

  describe.each(CHAT_PRESETS.map((preset) => [preset.id, preset] as const))('%s chat', (_id, preset) => {
    it(`answers the official SDK${preset.capabilities.streaming ? ' (streamed)' : ''} with its auth, path, quirks applied and usage recorded`, async () => {
      const requestId = `preset-${preset.id}-${randomUUID()}`;
      const stream = preset.capabilities.streaming;
      const quirkFields = Object.fromEntries(preset.quirks.params.map((quirk) => [quirk.param, quirkValue(quirk)]));
      const params = {
        model: modelOf(preset),
        messages: [{ role: 'user' as const, content: 'What is the capital of France?', name: 'alice' }],
        max_completion_tokens: 256,
        seed: 7,
        ...quirkFields,
      };
      let text = '';
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      if (stream) {
        const chunks = await openai.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } } as never, { headers: { 'x-request-id': requestId } });
        for await (const chunk of chunks as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
          text += chunk.choices[0]?.delta?.content ?? '';
          if (chunk.usage) usage = chunk.usage;
        }
      } else {
        const completion = (await openai.chat.completions.create(params as never, { headers: { 'x-request-id': requestId } })) as OpenAI.ChatCompletion;
        text = completion.choices[0].message.content ?? '';
        usage = completion.usage;
      }
      expect(text).toBe(stream ? CHAT_STREAM_TEXT : CHAT_CAPTURE.choices[0].message.content);
      expect(usage).toMatchObject({ prompt_tokens: CHAT_CAPTURE.usage.prompt_tokens, completion_tokens: CHAT_CAPTURE.usage.completion_tokens });

      const received = lastReceived(preset)!;
      expect(received.status).toBe(200);
      expect(received.path).toBe(`${basePathOf(preset)}/chat/completions`);
      if (preset.auth.style === 'none') expect(received.headers.authorization).toBeUndefined();
      else expect(received.headers.authorization).toBe(`Bearer ${fake.keyFor(preset)}`);
      expect(JSON.stringify(received.headers)).not.toContain(GATEWAY_KEY);

      const body = received.body;
      expect(body.model).toBe(upstreamModelOf(preset));
      for (const quirk of preset.quirks.params) expect(body, `${quirk.param} removed`).not.toHaveProperty(quirk.param);
      const seedField = preset.quirks.renames.seed ?? 'seed';
      expect(body[seedField]).toBe(7);
      if (preset.quirks.maxTokensField === 'max_tokens') {
        expect(body.max_tokens).toBe(256);
        expect(body).not.toHaveProperty('max_completion_tokens');
      } else {
        expect(body.max_completion_tokens).toBe(256);
      }
      if (stream && preset.quirks.streamOptions) expect(body.stream_options).toEqual({ include_usage: true });
      else expect(body).not.toHaveProperty('stream_options');
      expect(body.messages[0].name).toBe(preset.quirks.dropMessageNames ? undefined : 'alice');

      const row = await usageRow(requestId);
      expect(row).toMatchObject({
        model: modelOf(preset),
        upstream_model: upstreamModelOf(preset),
        status: 200,
        stream,
        prompt_tokens: CHAT_CAPTURE.usage.prompt_tokens,
        completion_tokens: CHAT_CAPTURE.usage.completion_tokens,
        estimated: false,
      });
      expect(row.cost_micros).toBeGreaterThan(0);
    });
  });

  describe.each(REFUSALS.map(([preset, quirk]) => [preset.id, quirk.param, preset, quirk] as const))('%s refuses %s', (_id, _param, preset, quirk) => {
    it("with a 400 in the client's shape naming the parameter and the provider, sending nothing", async () => {
      const before = fake.received.length;
      const request = openai.chat.completions.create({ model: modelOf(preset), messages: [{ role: 'user', content: 'hi' }], ...REFUSED_VALUES[quirk.param] } as never);
      await expect(request).rejects.toMatchObject({
        status: 400,
        error: { type: 'invalid_request_error', param: quirk.param, message: `${quirk.param} is not supported by ${preset.name}, which ${quirk.reason}` },
      });
      expect(fake.received.length).toBe(before);
    });
  });

  describe.each(EMBEDDING_PRESETS.map((preset) => [preset.id, preset] as const))('%s embeddings', (_id, preset) => {
    it('are forwarded with its auth to its /embeddings, and metered', async () => {
      const requestId = `embed-${preset.id}-${randomUUID()}`;
      const embedding = await openai.embeddings.create({ model: modelOf(preset), input: ['one', 'two'], encoding_format: 'float' }, { headers: { 'x-request-id': requestId } });
      expect(embedding.data).toHaveLength(2);
      const received = lastReceived(preset)!;
      expect(received).toMatchObject({ status: 200, path: `${basePathOf(preset)}/embeddings`, body: { model: upstreamModelOf(preset), input: ['one', 'two'] } });
      if (preset.auth.style !== 'none') expect(received.headers.authorization).toBe(`Bearer ${fake.keyFor(preset)}`);
      expect((await usageRow(requestId)).prompt_tokens).toBe(embedding.usage.prompt_tokens);
    });
  });

  describe.each(RESPONSES_PRESETS.map((preset) => [preset.id, preset] as const))('%s responses', (_id, preset) => {
    it('take a Responses client untranslated to its /responses', async () => {
      const requestId = `responses-${preset.id}-${randomUUID()}`;
      const response = await openai.responses.create({ model: modelOf(preset), input: 'What is the capital of France?' }, { headers: { 'x-request-id': requestId } });
      expect(response.output_text).toBe(RESPONSES_CAPTURE.output_text ?? 'Paris.');
      expect(lastReceived(preset)).toMatchObject({ status: 200, path: `${basePathOf(preset)}/responses`, body: { model: upstreamModelOf(preset), input: 'What is the capital of France?' } });
      expect(await usageRow(requestId)).toMatchObject({ prompt_tokens: RESPONSES_CAPTURE.usage.input_tokens, completion_tokens: RESPONSES_CAPTURE.usage.output_tokens });
    });
  });

  it('sends no chat to a preset without chat, nor embeddings to one without them', async () => {
    const embeddingsOnly = PRESETS.find((preset) => !preset.capabilities.chat)!;
    const before = fake.received.length;
    await expect(openai.chat.completions.create({ model: modelOf(embeddingsOnly), messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404 });
    const chatOnly = CHAT_PRESETS.find((preset) => !preset.capabilities.embeddings)!;
    await expect(openai.embeddings.create({ model: modelOf(chatOnly), input: 'x' })).rejects.toMatchObject({ status: 400, error: { type: 'invalid_request_error' } });
    expect(fake.received.length).toBe(before);
  });
});
