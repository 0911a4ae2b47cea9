/**
 * Cohere channels: every client protocol, through its official SDK, served by
 * Cohere's native Chat API v2 (the fake in ../fake-provider/cohere.ts),
 * streamed and not; a tool round trip; thinking; an upstream 429 in each
 * client's shape; usage billed in Cohere's billed units and settled.
 *
 * Price: $1 / 1M input, $4 / 1M output → the fake's default answer (12 billed
 * input, 7 billed output tokens; 507 / 10 processed) costs 12 + 28 = 40 µ$.
 */
import Anthropic from '@anthropic-ai/sdk';
import { AppConfig } from '@aigw/config';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CohereFake, startCohereFake } from '../fake-provider/cohere';
import { SettlementWatcher } from '../support/settlement-watcher';
import { TestMaster, startTestMaster } from '../support/test-master';

const KEY = 'sk-aigw-cohere-tests-0123456789abcdefghij';
const MODEL = 'cohere-chat';
const UPSTREAM_MODEL = 'command-a-03-2025';
const PROMPT = 'What is the capital of France?';
const ANSWER = 'The capital of France is Paris.';
const BILLED = { input: 12, output: 7 };
const COST_MICROS = 40;

type Client = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';
const CLIENTS: Client[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

interface Sdks {
  openai: OpenAI;
  anthropic: Anthropic;
  genai: GoogleGenAI;
}

describe('Cohere channels (native chat v2) behind every client protocol', () => {
  let fake: CohereFake;
  let master: TestMaster;
  let settlements: SettlementWatcher;

  /** SDK clients aimed at the gateway, tagging their requests with a request id of the test's choosing. */
  function sdks(requestId: string): Sdks {
    const headers = { 'x-request-id': requestId };
    return {
      openai: new OpenAI({ apiKey: KEY, baseURL: `${master.url}/v1`, maxRetries: 0, defaultHeaders: headers }),
      anthropic: new Anthropic({ apiKey: KEY, baseURL: master.url, maxRetries: 0, defaultHeaders: headers }),
      genai: new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: master.url, headers } }),
    };
  }

  async function usageRow(requestId: string): Promise<Record<string, unknown>> {
    expect(await settlements.outcome(requestId)).toBeNull();
    const rows = await master.request('GET', `/api/usage?model=${MODEL}&limit=500`, { token: master.adminToken });
    const matching = rows.body.data.filter((row: { client_request_id: string }) => row.client_request_id === requestId);
    expect(matching).toHaveLength(1);
    return matching[0];
  }

  beforeAll(async () => {
    fake = await startCohereFake();
    master = await startTestMaster({
      config: {
        // Upstream 429s are provoked on purpose: no circuit may open and no channel be disabled.
        routing: { auto_disable_after: 0, breaker: { enabled: false } },
        bootstrap: {
          users: [{ username: 'cohere-user', balance_usd: 1000 }],
          channels: [{ name: 'cohere', type: 'cohere', base_url: fake.url, key: fake.key }],
          models: [{ name: MODEL, price: { input: 1, output: 4 } }],
          routes: [{ model: MODEL, channel: 'cohere', upstream_model: UPSTREAM_MODEL }],
          tokens: [{ name: 'cohere', key: KEY, user: 'cohere-user' }],
        },
      },
    });
    settlements = await SettlementWatcher.start(master.master.app.get(AppConfig).redisPrefix);
  });
  afterAll(async () => {
    await settlements?.close();
    await master?.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  describe('text answers, streamed and not: text, usage in billed units, the request Cohere got, the usage record', () => {
    for (const client of CLIENTS) {
      for (const stream of [false, true]) {
        it(`${client} client, ${stream ? 'streamed' : 'JSON'}`, async () => {
          fake.respondWith({ kind: 'text', text: ANSWER, done: stream });
          const requestId = `cohere-${randomUUID()}`;
          const { text, usage } = await ask(sdks(requestId), client, stream);
          expect(text).toBe(ANSWER);
          expect(usage).toEqual(BILLED);

          expect(fake.received).toHaveLength(1);
          const upstream = fake.received[0];
          expect(upstream.problems).toEqual([]);
          expect(upstream.path).toBe('/v2/chat');
          expect(upstream.headers.authorization).toBe(`Bearer ${fake.key}`);
          expect(JSON.stringify(upstream.headers)).not.toContain(KEY);
          expect(upstream.stream).toBe(stream);
          expect(upstream.body).toMatchObject({ model: UPSTREAM_MODEL, messages: [{ role: 'user', content: PROMPT }], stream });

          expect(await usageRow(requestId)).toMatchObject({
            prompt_tokens: BILLED.input,
            completion_tokens: BILLED.output,
            cached_tokens: 0,
            estimated: false,
            status: 200,
            stream,
            cost_micros: COST_MICROS,
          });
        });
      }
    }
  });

  describe('tool calls', () => {
    it('OpenAI Chat round trip: the call comes back with the tool plan as content; the result goes to Cohere with its tool_call_id', async () => {
      const { openai } = sdks(`cohere-${randomUUID()}`);
      const tools = [{ type: 'function' as const, function: WEATHER_TOOL }];
      fake.respondWith({ kind: 'tool-calls', plan: 'I will look up the weather in Paris.', calls: [{ id: 'get_weather_7kq2m', name: 'get_weather', arguments: '{"city":"Paris"}' }] });
      const first = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
      const message = first.choices[0].message;
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(message.content).toBe('I will look up the weather in Paris.');
      expect(message.tool_calls).toEqual([{ id: 'get_weather_7kq2m', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
      expect(fake.received[0].body.tools).toEqual([{ type: 'function', function: WEATHER_TOOL }]);
      expect(fake.received[0].problems).toEqual([]);

      fake.respondWith({ kind: 'text', text: 'It is sunny and 24°C in Paris.' });
      const second = await openai.chat.completions.create({
        model: MODEL,
        tools,
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: message.content, tool_calls: message.tool_calls },
          { role: 'tool', tool_call_id: 'get_weather_7kq2m', content: 'Sunny, 24°C' },
        ],
      });
      expect(second.choices[0].message.content).toBe('It is sunny and 24°C in Paris.');
      const upstream = fake.received[1];
      expect(upstream.problems).toEqual([]);
      expect(upstream.body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          tool_plan: 'I will look up the weather in Paris.',
          tool_calls: [{ id: 'get_weather_7kq2m', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'get_weather_7kq2m', content: 'Sunny, 24°C' },
      ]);
    });

    it('Anthropic Messages, streamed: text then tool_use blocks, stop_reason tool_use; the result goes back as a tool message', async () => {
      const { anthropic } = sdks(`cohere-${randomUUID()}`);
      const tools = [{ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.parameters as Anthropic.Tool.InputSchema }];
      fake.respondWith({
        kind: 'tool-calls',
        plan: 'Checking both cities.',
        calls: [
          { id: 'get_weather_a1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'get_weather_b2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      });
      const message = await anthropic.messages
        .stream({ model: MODEL, max_tokens: 512, tools, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }] })
        .finalMessage();
      expect(message.stop_reason).toBe('tool_use');
      expect(message.content).toEqual([
        expect.objectContaining({ type: 'text', text: 'Checking both cities.' }),
        expect.objectContaining({ type: 'tool_use', id: 'get_weather_a1', name: 'get_weather', input: { city: 'Paris' } }),
        expect.objectContaining({ type: 'tool_use', id: 'get_weather_b2', name: 'get_weather', input: { city: 'Rome' } }),
      ]);
      expect(fake.received[0].body).toMatchObject({ stream: true, tool_choice: 'REQUIRED', max_tokens: 512 });

      fake.respondWith({ kind: 'text', text: 'Sunny in Paris, rain in Rome.' });
      const answer = await anthropic.messages.create({
        model: MODEL,
        max_tokens: 512,
        tools,
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          { role: 'assistant', content: message.content },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'get_weather_a1', content: 'Sunny' },
              { type: 'tool_result', tool_use_id: 'get_weather_b2', content: 'Rain' },
            ],
          },
        ],
      });
      expect(answer.content).toEqual([expect.objectContaining({ type: 'text', text: 'Sunny in Paris, rain in Rome.' })]);
      expect(fake.received[1].problems).toEqual([]);
      expect(fake.received[1].body.messages.slice(2)).toEqual([
        { role: 'tool', tool_call_id: 'get_weather_a1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'get_weather_b2', content: 'Rain' },
      ]);
    });
  });

  it('thinking: an Anthropic budget becomes thinking.token_budget; Cohere thinking comes back as a thinking block', async () => {
    const { anthropic } = sdks(`cohere-${randomUUID()}`);
    fake.respondWith({ kind: 'text', thinking: 'Two plus two is four.', text: '4' });
    const message = await anthropic.messages
      .stream({ model: MODEL, max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: '2+2?' }] })
      .finalMessage();
    expect(fake.received[0].body.thinking).toEqual({ type: 'enabled', token_budget: 2048 });
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[0]).toMatchObject({ type: 'thinking', thinking: 'Two plus two is four.' });
    expect(message.content[1]).toMatchObject({ type: 'text', text: '4' });
  });

  it('embeddings are not sent to Cohere: /v1/embeddings for a Cohere-served model is a 400, nothing reaches /v2/chat', async () => {
    const { openai } = sdks(`cohere-${randomUUID()}`);
    await expect(openai.embeddings.create({ model: MODEL, input: 'hello' })).rejects.toMatchObject({ status: 400 });
    expect(fake.received).toHaveLength(0);
  });

  describe("an upstream 429 reaches each client as a 429 in its own shape", () => {
    const MESSAGE = 'You are past the per minute request limit, please wait and try again later.';
    for (const client of CLIENTS) {
      for (const stream of [false, true]) {
        it(`${client} client, ${stream ? 'streamed' : 'JSON'}`, async () => {
          fake.respondWith({ kind: 'error', status: 429, message: MESSAGE });
          const error = await ask(sdks(`cohere-${randomUUID()}`), client, stream).then(
            () => {
              throw new Error('expected a 429');
            },
            (failure: any) => failure,
          );
          expect(fake.received).toHaveLength(1);
          expect(error.status).toBe(429);
          switch (client) {
            case 'openai-chat':
              expect(error.error).toEqual({ message: MESSAGE, type: 'requests', param: null, code: 'rate_limit_exceeded' });
              break;
            case 'openai-responses':
              expect(error.error).toMatchObject({ message: MESSAGE, type: 'rate_limit_error', code: 'rate_limit_exceeded' });
              break;
            case 'anthropic':
              expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: MESSAGE } });
              break;
            case 'gemini':
              expect(JSON.parse(error.message)).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: MESSAGE } });
              break;
          }
        });
      }
    }
  });
});

/** One question through a client's SDK: the answer's text and usage as that protocol reports them. */
async function ask(sdk: Sdks, client: Client, stream: boolean): Promise<{ text: string; usage?: { input: number; output: number } }> {
  let text = '';
  let usage: { input: number; output: number } | undefined;
  switch (client) {
    case 'openai-chat': {
      if (stream) {
        const chunks = await sdk.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], stream: true, stream_options: { include_usage: true } });
        for await (const chunk of chunks) {
          text += chunk.choices[0]?.delta?.content ?? '';
          if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
        }
      } else {
        const completion = await sdk.openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: PROMPT }] });
        text = completion.choices[0].message.content ?? '';
        usage = { input: completion.usage!.prompt_tokens, output: completion.usage!.completion_tokens };
      }
      return { text, usage };
    }
    case 'openai-responses': {
      if (stream) {
        const events = await sdk.openai.responses.create({ model: MODEL, input: PROMPT, stream: true });
        for await (const event of events) {
          if (event.type === 'response.output_text.delta') text += event.delta;
          if (event.type === 'response.completed') usage = { input: event.response.usage!.input_tokens, output: event.response.usage!.output_tokens };
        }
      } else {
        const response = await sdk.openai.responses.create({ model: MODEL, input: PROMPT });
        text = response.output_text;
        usage = { input: response.usage!.input_tokens, output: response.usage!.output_tokens };
      }
      return { text, usage };
    }
    case 'anthropic': {
      const params = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: PROMPT }] };
      const message = stream ? await sdk.anthropic.messages.stream(params).finalMessage() : await sdk.anthropic.messages.create(params);
      text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return { text, usage: { input: message.usage.input_tokens, output: message.usage.output_tokens } };
    }
    case 'gemini': {
      if (stream) {
        const chunks = await sdk.genai.models.generateContentStream({ model: MODEL, contents: PROMPT });
        for await (const chunk of chunks) {
          text += chunk.text ?? '';
          if (chunk.usageMetadata) usage = { input: chunk.usageMetadata.promptTokenCount ?? 0, output: chunk.usageMetadata.candidatesTokenCount ?? 0 };
        }
      } else {
        const response = await sdk.genai.models.generateContent({ model: MODEL, contents: PROMPT });
        text = response.text ?? '';
        usage = { input: response.usageMetadata!.promptTokenCount ?? 0, output: response.usageMetadata!.candidatesTokenCount ?? 0 };
      }
      return { text, usage };
    }
  }
}
