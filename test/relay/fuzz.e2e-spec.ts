import { AppConfig } from '@aigw/config';
import { Protocol, SseMessage, SseReader } from '@aigw/providers';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeResponse, ReceivedRequest } from '../fake-provider';
import { answerFromCapture } from '../fake-provider/capture-answers';
import { GATEWAY_KEY, MODELS, RelayHarness, UpstreamFamily, startRelayHarness } from '../support/relay-harness';
import { SettlementWatcher } from '../support/settlement-watcher';

/**
 * Property tests of the relay with fast-check, bounded and seeded (FUZZ_SEED / FUZZ_RUNS override):
 * (a) whatever a client sends, the gateway answers < 500, and every 4xx in the protocol's own shape;
 * (b) whatever the upstream sends back, the client gets a 2xx with sane output or an upstream-class
 *     error (502/503/504, 4xx passed on) in its own shape: never a 500, never a hang, never a crash.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
/** Per property, shrinking included. */
const TIME_BUDGET_MS = 40_000;
/** One exchange, whatever the upstream does (the fake never hangs longer than this). */
const REQUEST_BOUND_MS = 10_000;

const CLIENTS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const FAMILIES: UpstreamFamily[] = ['openai', 'anthropic', 'gemini'];

function fuzzOptions<T>(): fc.Parameters<T> {
  return { seed: SEED, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_BUDGET_MS)] } as fc.Parameters<T>;
}

// ---------------------------------------------------------------------------------------------
// What the client sends
// ---------------------------------------------------------------------------------------------

const IMAGE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string', description: 'City name' }, days: { type: 'integer', minimum: 1 } }, required: ['city'] };

/** A rich valid body of each protocol (system, images, tools, tool results, sampling): the mutations' starting point. */
function validBody(client: Protocol, model: string): Record<string, unknown> {
  switch (client) {
    case 'openai-chat':
      return {
        model,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }, { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 °C' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: WEATHER_SCHEMA } }],
        tool_choice: 'auto',
        temperature: 0.5,
        top_p: 0.9,
        max_tokens: 100,
        stop: ['END'],
        stream: false,
      };
    case 'openai-responses':
      return {
        model,
        instructions: 'Be brief.',
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }, { type: 'input_image', image_url: IMAGE }] },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'Sunny, 21 °C' },
        ],
        tools: [{ type: 'function', name: 'get_weather', description: 'Weather by city', parameters: WEATHER_SCHEMA, strict: false }],
        temperature: 0.5,
        max_output_tokens: 100,
        stream: false,
      };
    case 'anthropic':
      return {
        model,
        max_tokens: 100,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMAGE.split(',')[1] } }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny, 21 °C' }] },
        ],
        tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: WEATHER_SCHEMA }],
        temperature: 0.5,
        stop_sequences: ['END'],
        stream: false,
      };
    case 'gemini':
      return {
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris?' }, { inlineData: { mimeType: 'image/png', data: IMAGE.split(',')[1] } }] },
          { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { forecast: 'Sunny, 21 °C' } } }] },
        ],
        tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather by city', parameters: WEATHER_SCHEMA }] }],
        generationConfig: { temperature: 0.5, maxOutputTokens: 100, stopSequences: ['END'] },
      };
  }
}

type Path = Array<string | number>;

/** Every path into a JSON value (the value itself excluded). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => [[...prefix, index], ...pathsOf(item, [...prefix, index])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  return [];
}

type Mutation = { path: Path; op: 'replace'; value: unknown } | { path: Path; op: 'delete' };

function mutate(body: unknown, mutations: Mutation[]): unknown {
  const copy = JSON.parse(JSON.stringify(body)) as Record<string | number, unknown>;
  for (const mutation of mutations) {
    let parent: any = copy;
    for (const key of mutation.path.slice(0, -1)) {
      if (parent === null || typeof parent !== 'object') break;
      parent = parent[key];
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = mutation.path.at(-1)!;
    if (mutation.op === 'delete') {
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else delete parent[last];
    } else parent[last] = mutation.value;
  }
  return copy;
}

/**
 * A deeply nested array or object, kept as a marker and spliced in as text when the body is
 * serialised: thousands of levels overflow the stack of JSON.stringify and structuredClone in the
 * test itself, while the gateway must cope with them.
 */
class Deep {
  constructor(
    readonly kind: 'array' | 'object',
    readonly depth: number,
  ) {}

  text(): string {
    return this.kind === 'array' ? `${'['.repeat(this.depth)}${']'.repeat(this.depth)}` : `${'{"a":'.repeat(this.depth)}1${'}'.repeat(this.depth)}`;
  }

  toJSON(): string {
    return `\u0001deep:${this.kind}:${this.depth}\u0001`;
  }
}
const deepArray = (depth: number) => new Deep('array', depth);
const deepObject = (depth: number) => new Deep('object', depth);

/** JSON text of a body that may hold Deep markers. */
function serialize(body: unknown): string {
  return JSON.stringify(body).replace(/"\\u0001deep:(array|object):(\d+)\\u0001"/g, (_, kind: 'array' | 'object', depth: string) => new Deep(kind, Number(depth)).text());
}

const nastyNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 1e20, -1, -0, 0.5, 5e-324, 2 ** 31, 4294967296),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', '\udfff\ud800', '\u202e\u2066', '𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦', 'data: [DONE]\n\n', 'event: error\ndata: {}\n\n', '__proto__', 'constructor', 'toString', '../../etc/passwd', 'gpt-4o-mini'),
  fc.integer({ min: 10_000, max: 300_000 }).map((length) => 'é'.repeat(length)),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyNumber },
  { weight: 3, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]], { type: null }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map(deepArray) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map(deepObject) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }) },
);

interface ClientRequest {
  client: Protocol;
  model: string;
  stream: boolean;
  /** JSON text or raw bytes. */
  body: string;
}

const modelName = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...Object.values(MODELS)) }, { weight: 1, arbitrary: nastyString });

function clientRequest(client: Protocol): fc.Arbitrary<ClientRequest> {
  const anyJson = fc.record({ model: modelName, stream: fc.boolean(), json: fc.jsonValue() }).map(({ model, stream, json }) => ({ client, model, stream, body: JSON.stringify(json) }));
  const mutated = fc.record({ model: modelName, stream: fc.boolean() }).chain(({ model, stream }) => {
    const body = { ...validBody(client, typeof model === 'string' && Object.values(MODELS).includes(model as never) ? model : MODELS.openai), ...(client === 'gemini' ? {} : { stream }) };
    const paths = pathsOf(body);
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ path: fc.constantFrom(...paths), op: fc.constant('replace' as const), value: nastyValue }) },
      { weight: 1, arbitrary: fc.record({ path: fc.constantFrom(...paths), op: fc.constant('delete' as const) }) },
    );
    return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => ({ client, model, stream, body: serialize(mutate(body, mutations)) }));
  });
  const garbledText = fc.record({ model: modelName, stream: fc.boolean(), cut: fc.double({ min: 0, max: 1, noNaN: true }), noise: fc.string({ unit: 'binary', maxLength: 8 }) }).map(({ model, stream, cut, noise }) => {
    const text = JSON.stringify(validBody(client, MODELS.openai));
    const at = Math.floor(cut * text.length);
    return { client, model, stream, body: `${text.slice(0, at)}${noise}${noise ? text.slice(at) : ''}` };
  });
  return fc.oneof(anyJson, mutated, garbledText);
}

function requestUrl(harness: RelayHarness, request: ClientRequest): URL {
  switch (request.client) {
    case 'openai-chat':
      return new URL('/v1/chat/completions', harness.master.url);
    case 'openai-responses':
      return new URL('/v1/responses', harness.master.url);
    case 'anthropic':
      return new URL('/v1/messages', harness.master.url);
    case 'gemini': {
      const target = `${encodeURIComponent(request.model)}:${request.stream ? 'streamGenerateContent' : 'generateContent'}`;
      return new URL(`/v1beta/models/${target}${request.stream ? '?alt=sse' : ''}`, harness.master.url);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checking what the client got
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const sameKeys = (value: Record<string, unknown>, keys: string[]) => JSON.stringify(Object.keys(value).sort()) === JSON.stringify([...keys].sort());

/** Why `body` is not the protocol's error object for `status` (null when it is). */
function errorShapeProblem(client: Protocol, status: number, body: unknown): string | null {
  if (client === 'openai-chat' || client === 'openai-responses') {
    if (!isRecord(body) || !sameKeys(body, ['error']) || !isRecord(body.error)) return 'not {error:{…}}';
    const error = body.error;
    if (!sameKeys(error, ['message', 'type', 'param', 'code'])) return `error keys ${Object.keys(error)}`;
    if (typeof error.message !== 'string' || typeof error.type !== 'string') return 'message/type not strings';
    if (error.param !== null && typeof error.param !== 'string') return 'param not string|null';
    if (error.code !== null && typeof error.code !== 'string') return 'code not string|null';
    return null;
  }
  if (client === 'anthropic') {
    if (!isRecord(body) || body.type !== 'error' || !isRecord(body.error)) return 'not {type:"error",error:{…}}';
    if (!sameKeys(body, ['type', 'error', 'request_id'])) return `keys ${Object.keys(body)}`;
    if (!sameKeys(body.error, ['type', 'message']) || typeof body.error.type !== 'string' || typeof body.error.message !== 'string') return 'error not {type,message}';
    return null;
  }
  if (!isRecord(body) || !sameKeys(body, ['error']) || !isRecord(body.error)) return 'not {error:{…}}';
  const error = body.error;
  if (error.code !== status) return `code ${error.code} ≠ status ${status}`;
  if (typeof error.message !== 'string' || typeof error.status !== 'string') return 'message/status not strings';
  if (error.details !== undefined && !Array.isArray(error.details)) return 'details not an array';
  return null;
}

/** An in-stream error object of the client protocol, or undefined. */
function inStreamError(client: Protocol, message: SseMessage): Record<string, any> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return undefined;
  }
  if (!isRecord(data)) return undefined;
  if (client === 'openai-responses') return message.event === 'error' || message.event === 'response.failed' ? data : undefined;
  if (client === 'anthropic') return message.event === 'error' ? data.error : undefined;
  return isRecord(data.error) ? data.error : undefined;
}

/** An error the client would read as the gateway's own bug rather than the upstream's failure. */
function isInternal(client: Protocol, error: Record<string, any>): boolean {
  switch (client) {
    case 'openai-chat':
      return error.type === 'server_error' && error.code === null;
    case 'openai-responses':
      return error.code === 'server_error';
    case 'anthropic':
      return error.type === 'api_error' && /internal/i.test(String(error.message));
    case 'gemini':
      return error.code === 500 || error.status === 'INTERNAL';
  }
}

interface Outcome {
  status: number;
  contentType: string;
  text: string;
}

async function send(harness: RelayHarness, request: ClientRequest, headers: Record<string, string> = {}): Promise<Outcome> {
  const response = await fetch(requestUrl(harness, request), {
    method: 'POST',
    headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json', ...headers },
    body: request.body,
    signal: AbortSignal.timeout(REQUEST_BOUND_MS),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** Throws (with the whole exchange) when the outcome breaks the contract; returns the parsed SSE messages of a stream. */
function check(client: Protocol, outcome: Outcome, upstreamStatuses: 'any' | 'client-only'): SseMessage[] {
  const fail = (why: string) => {
    throw new Error(`${why}\n→ ${outcome.status} ${outcome.contentType}\n${outcome.text.slice(0, 2000)}`);
  };
  if (outcome.status === 500) fail('a 500 internal error');
  if (outcome.status >= 400) {
    const allowed = upstreamStatuses === 'client-only' ? outcome.status < 500 : outcome.status < 500 || [502, 503, 504, 529].includes(outcome.status);
    if (!allowed) fail(`status ${outcome.status}`);
    let body: unknown;
    try {
      body = JSON.parse(outcome.text);
    } catch {
      fail('an error answer that is not JSON');
    }
    const problem = errorShapeProblem(client, outcome.status, body);
    if (problem) fail(`not the ${client} error shape: ${problem}`);
    return [];
  }
  if (outcome.status < 200 || outcome.status >= 300) fail(`status ${outcome.status}`);
  if (outcome.contentType.startsWith('text/event-stream')) {
    const reader = new SseReader();
    const messages = [...reader.push(outcome.text), ...reader.end()];
    for (const message of messages) {
      const error = inStreamError(client, message);
      if (error && isInternal(client, error)) fail(`an internal in-stream error: ${message.data}`);
    }
    return messages;
  }
  try {
    JSON.parse(outcome.text);
  } catch {
    fail('a 2xx JSON answer that is not JSON');
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// What the upstream sends back
// ---------------------------------------------------------------------------------------------

const ABSURD_USAGE: unknown[] = [-1, -1e9, 1e20, 1.5, 2 ** 53, 2 ** 31, 1e308, 'twelve', '12', null, true, {}, [], -0.25];

/** Replaces every numeric token count in a capture with absurd values (cycled). */
function withAbsurdUsage(value: unknown, absurd: unknown[]): unknown {
  let next = 0;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isRecord(node)) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, item]) => [key, typeof item === 'number' && /tokens?$|TokenCount$/i.test(key) ? absurd[next++ % absurd.length] : walk(item)]),
    );
  };
  return walk(value);
}

/** The simpleRequest capture this request would get, as json body or SSE frames. */
function capture(request: ReceivedRequest) {
  return answerFromCapture('simpleRequest', false, { protocol: request.protocol, stream: request.stream, body: request.body, query: request.query }, 'req_fuzz');
}

type UpstreamRecipe =
  | { kind: 'json-anything'; body: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'truncated'; cut: number }
  | { kind: 'frames'; frames: Array<{ event?: string; data: unknown }> }
  | { kind: 'absurd-usage'; values: unknown[] }
  | { kind: 'error'; status: number; message: string }
  | { kind: 'status-with-anything'; status: number; body: unknown }
  | { kind: 'cut'; after: number }
  | { kind: 'slow'; delayFirstByteMs: number; delayBetweenMs: number };

const SSE_EVENT_NAMES = ['message_start', 'content_block_start', 'content_block_delta', 'message_delta', 'message_stop', 'error', 'response.created', 'response.output_text.delta', 'response.completed', 'response.failed', 'ping', 'message'];

const upstreamRecipe: fc.Arbitrary<UpstreamRecipe> = fc.oneof(
  fc.record({ kind: fc.constant('json-anything' as const), body: fc.jsonValue() }),
  fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme-ascii', maxLength: 300 })) }),
  fc.record({ kind: fc.constant('truncated' as const), cut: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('frames' as const),
    frames: fc.array(
      fc.record(
        {
          event: fc.oneof(fc.constantFrom(...SSE_EVENT_NAMES), fc.string({ unit: 'grapheme-ascii', maxLength: 12 })),
          data: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 50 }), fc.constantFrom('[DONE]', '{', '{"type":"message_stop"}', '{"choices":[]}', '{"candidates":[{"finishReason":"STOP"}]}')),
        },
        { requiredKeys: ['data'] },
      ),
      { maxLength: 12 },
    ),
  }),
  fc.record({ kind: fc.constant('absurd-usage' as const), values: fc.array(fc.constantFrom(...ABSURD_USAGE), { minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('error' as const), status: fc.integer({ min: 400, max: 599 }), message: nastyString }),
  fc.record({ kind: fc.constant('status-with-anything' as const), status: fc.integer({ min: 400, max: 599 }), body: fc.oneof(fc.jsonValue(), fc.constant('<html><body>502 Bad Gateway</body></html>')) }),
  fc.record({ kind: fc.constant('cut' as const), after: fc.nat({ max: 12 }) }),
  fc.record({ kind: fc.constant('slow' as const), delayFirstByteMs: fc.integer({ min: 0, max: 50 }), delayBetweenMs: fc.integer({ min: 0, max: 10 }) }),
);

function upstreamAnswer(recipe: UpstreamRecipe, request: ReceivedRequest): FakeResponse {
  switch (recipe.kind) {
    case 'json-anything':
      return { kind: 'json', status: 200, body: recipe.body };
    case 'raw':
      return { kind: 'sse', events: [], raw: recipe.text };
    case 'truncated': {
      const answer = capture(request);
      const text = answer.kind === 'json' ? JSON.stringify(answer.body) : answer.frames.join('');
      return { kind: 'sse', events: [], raw: text.slice(0, Math.floor(recipe.cut * text.length)) };
    }
    case 'frames':
      return { kind: 'sse', events: recipe.frames.map((frame) => ({ ...frame, data: frame.data })) };
    case 'absurd-usage': {
      const answer = capture(request);
      if (answer.kind === 'json') return { kind: 'json', status: answer.status, body: withAbsurdUsage(answer.body, recipe.values) };
      // The frames are JSON after `data: `; rewrite each one's token counts.
      const frames = answer.frames.map((frame) =>
        frame.replace(/^data: (.*)$/m, (line, json: string) => {
          try {
            return `data: ${JSON.stringify(withAbsurdUsage(JSON.parse(json), recipe.values))}`;
          } catch {
            return line;
          }
        }),
      );
      return { kind: 'sse', events: [], raw: frames.join('') };
    }
    case 'error':
      return { kind: 'error', status: recipe.status, message: recipe.message };
    case 'status-with-anything':
      return { kind: 'json', status: recipe.status, body: recipe.body };
    case 'cut':
      return { kind: 'fixture', case: 'simpleRequest', disconnectAfter: recipe.after };
    case 'slow':
      return { kind: 'fixture', case: 'simpleRequest', delayFirstByteMs: recipe.delayFirstByteMs, delayBetweenMs: recipe.delayBetweenMs };
  }
}

function simpleRequest(client: Protocol, model: string, stream: boolean): ClientRequest {
  switch (client) {
    case 'openai-chat':
      return { client, model, stream, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'What is the capital of France?' }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }) };
    case 'openai-responses':
      return { client, model, stream, body: JSON.stringify({ model, input: 'What is the capital of France?', stream }) };
    case 'anthropic':
      return { client, model, stream, body: JSON.stringify({ model, max_tokens: 256, messages: [{ role: 'user', content: 'What is the capital of France?' }], stream }) };
    case 'gemini':
      return { client, model, stream, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }] }) };
  }
}

/** Token counts inside the usage objects (`usage`, `usageMetadata`) of a client-protocol answer. */
function usageNumbers(value: unknown): Array<[string, unknown]> {
  const found: Array<[string, unknown]> = [];
  const walk = (node: unknown, key: string, inUsage: boolean) => {
    if (Array.isArray(node)) node.forEach((item) => walk(item, key, inUsage));
    else if (isRecord(node)) for (const [name, item] of Object.entries(node)) walk(item, name, inUsage || name === 'usage' || name === 'usageMetadata');
    else if (inUsage && /tokens?$|TokenCount$/i.test(key)) found.push([key, node]);
  };
  walk(value, '', false);
  return found;
}

// ---------------------------------------------------------------------------------------------

/** Error-level lines the master logged since `from` (internal failures, crashes caught by the filter). */
function errorLogs(harness: RelayHarness, from: number): string[] {
  return harness.master.logs.slice(from).filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return false;
    }
  });
}


describe('relay fuzzing', () => {
  let harness: RelayHarness;

  beforeAll(async () => {
    harness = await startRelayHarness();
  });
  afterAll(() => harness?.close());

  describe('(a) whatever the client sends: never a 5xx, every 4xx in the protocol\'s error shape', () => {
    for (const client of CLIENTS) {
      it(`${client}: arbitrary JSON, mutated valid bodies (wrong types, huge numbers, deep nesting, long and odd strings), garbled text`, { timeout: TIME_BUDGET_MS + 30_000 }, async () => {
        const logsFrom = harness.master.logs.length;
        await fc.assert(
          fc.asyncProperty(clientRequest(client), async (request) => {
            harness.fake.reset();
            check(client, await send(harness, request), 'client-only');
          }),
          fuzzOptions(),
        );
        expect(errorLogs(harness, logsFrom)).toEqual([]);
        expect((await fetch(new URL('/ping', harness.master.url))).status).toBe(200);
      });
    }

    for (const client of CLIENTS) {
      it(`${client}: 5000-deep arrays and objects in every position of a valid body`, async () => {
        const body = validBody(client, MODELS.anthropic);
        for (const path of pathsOf(body)) {
          for (const deep of [deepArray(5000), deepObject(5000)]) {
            const request = { client, model: MODELS.anthropic, stream: false, body: serialize(mutate(body, [{ path, op: 'replace', value: deep }])) };
            check(client, await send(harness, request), 'client-only');
          }
        }
        const whole = { client, model: MODELS.openai, stream: false, body: deepArray(5000).text() };
        check(client, await send(harness, whole), 'client-only');
      });
    }
  });

  describe('(b) whatever the upstream sends: a sane 2xx or an upstream error in the client\'s shape, never a 500 or a hang', () => {
    for (const client of CLIENTS) {
      it(`${client}: random bytes, random SSE frames, truncated answers, absurd usage, odd statuses`, { timeout: TIME_BUDGET_MS + 30_000 }, async () => {
        const logsFrom = harness.master.logs.length;
        await fc.assert(
          fc.asyncProperty(upstreamRecipe, fc.constantFrom(...FAMILIES), fc.boolean(), async (recipe, family, stream) => {
            harness.fake.reset();
            harness.fake.respondWith((request) => upstreamAnswer(recipe, request), { times: Infinity });
            check(client, await send(harness, simpleRequest(client, MODELS[family], stream)), 'any');
          }),
          fuzzOptions(),
        );
        harness.fake.reset();
        expect(errorLogs(harness, logsFrom)).toEqual([]);
        expect((await fetch(new URL('/ping', harness.master.url))).status).toBe(200);
      });
    }
  });

  describe('absurd upstream usage numbers: the client sees sane counts and the usage still settles', () => {
    let settlements: SettlementWatcher;
    beforeAll(async () => {
      settlements = await SettlementWatcher.start(harness.master.master.app.get(AppConfig).redisPrefix);
      // Let the records of the properties above go out first, so each test below settles on its own.
      harness.fake.reset();
      const marker = `fuzz-usage-marker-${randomUUID()}`;
      await send(harness, simpleRequest('openai-chat', MODELS.openai, false), { 'x-request-id': marker });
      await settlements.outcome(marker);
    });
    afterAll(() => settlements?.close());

    /** A client protocol the gateway must translate the family's answers into (so it writes the usage itself). */
    const TRANSLATING_CLIENT: Record<UpstreamFamily, Protocol> = { openai: 'anthropic', anthropic: 'openai-chat', gemini: 'openai-chat' };
    for (const family of FAMILIES) {
      for (const stream of [false, true]) {
        for (const values of [[-1], [1.5], ['12'], [1e20], [2 ** 31]]) {
          const client = TRANSLATING_CLIENT[family];
          it(`${client} client ← ${family} upstream, ${stream ? 'streamed' : 'JSON'}: token counts ${JSON.stringify(values)}`, async () => {
            harness.fake.reset();
            harness.fake.respondWith((request) => upstreamAnswer({ kind: 'absurd-usage', values }, request));
            const requestId = `fuzz-usage-${randomUUID()}`;
            const logsFrom = harness.master.logs.length;
            const outcome = await send(harness, simpleRequest(client, MODELS[family], stream), { 'x-request-id': requestId });
            const messages = check(client, outcome, 'any');
            expect(outcome.status).toBe(200);
            const answer = stream ? messages.map((message) => (message.data.startsWith('{') ? JSON.parse(message.data) : null)) : JSON.parse(outcome.text);
            const counts = usageNumbers(answer);
            // A stream may leave out a usage chunk of zeros; a JSON answer always has its usage.
            if (!stream) expect(counts.length).toBeGreaterThan(0);
            // The gateway wrote these itself: whatever the upstream claimed, non-negative integers.
            for (const [key, value] of counts) expect(Number.isInteger(value) && (value as number) >= 0, `usage ${key} = ${JSON.stringify(value)}`).toBe(true);

            const failure = await Promise.race([
              settlements.outcome(requestId),
              new Promise<string>((resolve) => setTimeout(() => resolve('no settle-usage job within the bound'), REQUEST_BOUND_MS).unref()),
            ]);
            expect(failure).toBeNull();
            const rows = await harness.master.request('GET', '/api/usage', { token: harness.master.adminToken, query: { model: MODELS[family], limit: 100 } });
            const row = rows.body.data.find((entry: { client_request_id: string }) => entry.client_request_id === requestId);
            for (const field of ['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_micros']) {
              expect(Number.isSafeInteger(row[field]) && row[field] >= 0, `${field} = ${row[field]}`).toBe(true);
            }
            expect(errorLogs(harness, logsFrom)).toEqual([]);
          });
        }
      }
    }

    it('one request with an out-of-range count does not cost the requests settled beside it their usage', async () => {
      harness.fake.reset();
      const absurdId = `fuzz-usage-absurd-${randomUUID()}`;
      const normalIds = [0, 1, 2].map((index) => `fuzz-usage-normal-${index}-${randomUUID()}`);
      // Warm connections, so the four requests below finish within milliseconds of each other and their
      // records share a settlement batch (when the sink batches at all).
      await Promise.all([send(harness, simpleRequest('openai-chat', MODELS.openai, false)), send(harness, simpleRequest('openai-chat', MODELS.anthropic, false))]);
      harness.fake.respondWith((request) => upstreamAnswer({ kind: 'absurd-usage', values: [2 ** 31] }, request), { protocol: 'anthropic' });
      const outcomes = await Promise.all([
        ...normalIds.map((requestId) => send(harness, simpleRequest('openai-chat', MODELS.openai, false), { 'x-request-id': requestId })),
        send(harness, simpleRequest('openai-chat', MODELS.anthropic, false), { 'x-request-id': absurdId }),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([200, 200, 200, 200]);
      for (const requestId of normalIds) {
        const failure = await Promise.race([
          settlements.outcome(requestId),
          new Promise<string>((resolve) => setTimeout(() => resolve('no settle-usage job within the bound'), REQUEST_BOUND_MS).unref()),
        ]);
        expect(failure, `settlement of ${requestId}`).toBeNull();
      }
    });
  });
});
