import { AppConfig } from '@aigw/config';
import { Protocol, SseMessage, SseReader } from '@aigw/providers';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SseEvent } from '../fake-provider';
import { frameEvent } from '../fake-provider/stream-frames';
import { GATEWAY_KEY, MODELS, RelayHarness, UpstreamFamily, UPSTREAM_MODELS, startRelayHarness } from '../support/relay-harness';
import { SettlementWatcher } from '../support/settlement-watcher';
import { within } from '../support/within';

/**
 * Streaming through the relay, for every client protocol against a same-protocol and a translated
 * upstream: chunks flow while the upstream is still producing, a client abort reaches the upstream,
 * a stream cut or garbled upstream ends in the client protocol's in-stream error (never in something
 * that looks complete), retries happen only before the first byte, and the streamed usage is settled.
 */

const CLIENTS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const FAMILIES: UpstreamFamily[] = ['openai', 'anthropic', 'gemini'];
/** Upper bound for anything the tests await; a relay that buffers or hangs fails instead of stalling the suite. */
const BOUND_MS = 10_000;

const PIECES = ['Hel', 'lo, ', 'wor', 'ld!'];
const FULL_TEXT = PIECES.join('');
const USAGE = { input: 11, output: 7 };

function upstreamProtocol(client: Protocol, family: UpstreamFamily): Protocol {
  if (family === 'openai') return client === 'openai-responses' ? 'openai-responses' : 'openai-chat';
  return family;
}

/** The family whose upstream speaks the client's own protocol, and one that needs translation. */
const SAME_FAMILY: Record<Protocol, UpstreamFamily> = { 'openai-chat': 'openai', 'openai-responses': 'openai', anthropic: 'anthropic', gemini: 'gemini' };
const TRANSLATED_FAMILY: Record<Protocol, UpstreamFamily> = { 'openai-chat': 'anthropic', 'openai-responses': 'gemini', anthropic: 'openai', gemini: 'anthropic' };

// ---------------------------------------------------------------------------------------------
// Upstream streams, as each provider writes them (text in several deltas, then finish and usage)
// ---------------------------------------------------------------------------------------------

interface ScriptedStream {
  events: SseEvent[];
  /** Index of the event that carries the first text delta. */
  firstText: number;
}

function textStream(protocol: Protocol, pieces: string[] = PIECES, usage = USAGE): ScriptedStream {
  const full = pieces.join('');
  switch (protocol) {
    case 'openai-chat': {
      const envelope = { id: 'chatcmpl-stream0001', object: 'chat.completion.chunk', created: 1758521958, model: UPSTREAM_MODELS.openai, service_tier: 'default', system_fingerprint: null };
      const chunk = (delta: object, finish: string | null) => ({ data: { ...envelope, choices: [{ index: 0, delta, finish_reason: finish }], usage: null } });
      return {
        firstText: 1,
        events: [
          chunk({ role: 'assistant', content: '', refusal: null }, null),
          ...pieces.map((piece) => chunk({ content: piece }, null)),
          chunk({}, 'stop'),
          {
            data: {
              ...envelope,
              choices: [],
              usage: {
                prompt_tokens: usage.input,
                completion_tokens: usage.output,
                total_tokens: usage.input + usage.output,
                prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
                completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
              },
            },
          },
          { data: '[DONE]' },
        ],
      };
    }
    case 'openai-responses': {
      let sequence = 0;
      const event = (type: string, fields: object): SseEvent => ({ data: { type, sequence_number: sequence++, ...fields } });
      const itemId = 'msg_stream0001';
      const response = (status: string, output: unknown[], tokens: unknown) => ({
        id: 'resp_stream0001',
        object: 'response',
        created_at: 1758521958,
        status,
        error: null,
        incomplete_details: null,
        instructions: null,
        max_output_tokens: null,
        model: UPSTREAM_MODELS.openai,
        output,
        parallel_tool_calls: true,
        previous_response_id: null,
        reasoning: { effort: null, summary: null },
        store: true,
        temperature: 1,
        text: { format: { type: 'text' } },
        tool_choice: 'auto',
        tools: [],
        top_p: 1,
        truncation: 'disabled',
        usage: tokens,
        user: null,
        metadata: {},
      });
      const part = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });
      const item = (status: string, content: unknown[]) => ({ id: itemId, type: 'message', status, content, role: 'assistant' });
      const where = { item_id: itemId, output_index: 0, content_index: 0 };
      return {
        firstText: 4,
        events: [
          event('response.created', { response: response('in_progress', [], null) }),
          event('response.in_progress', { response: response('in_progress', [], null) }),
          event('response.output_item.added', { output_index: 0, item: item('in_progress', []) }),
          event('response.content_part.added', { ...where, part: part('') }),
          ...pieces.map((piece) => event('response.output_text.delta', { ...where, delta: piece, logprobs: [] })),
          event('response.output_text.done', { ...where, text: full, logprobs: [] }),
          event('response.content_part.done', { ...where, part: part(full) }),
          event('response.output_item.done', { output_index: 0, item: item('completed', [part(full)]) }),
          event('response.completed', {
            response: response('completed', [item('completed', [part(full)])], {
              input_tokens: usage.input,
              input_tokens_details: { cached_tokens: 0 },
              output_tokens: usage.output,
              output_tokens_details: { reasoning_tokens: 0 },
              total_tokens: usage.input + usage.output,
            }),
          }),
        ],
      };
    }
    case 'anthropic':
      return {
        firstText: 3,
        events: [
          {
            data: {
              type: 'message_start',
              message: {
                id: 'msg_01Stream0000000000000001',
                type: 'message',
                role: 'assistant',
                model: UPSTREAM_MODELS.anthropic,
                content: [],
                stop_reason: null,
                stop_sequence: null,
                usage: { input_tokens: usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' },
              },
            },
          },
          { data: { type: 'ping' } },
          { data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
          ...pieces.map((piece) => ({ data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } } })),
          { data: { type: 'content_block_stop', index: 0 } },
          {
            data: {
              type: 'message_delta',
              delta: { stop_reason: 'end_turn', stop_sequence: null },
              usage: { input_tokens: usage.input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: usage.output },
            },
          },
          { data: { type: 'message_stop' } },
        ],
      };
    case 'gemini':
      return {
        firstText: 0,
        events: pieces.map((piece, index) => {
          const last = index === pieces.length - 1;
          return {
            data: {
              candidates: [{ content: { parts: [{ text: piece }], role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
              usageMetadata: last
                ? { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output }
                : { promptTokenCount: usage.input, totalTokenCount: usage.input },
              modelVersion: UPSTREAM_MODELS.gemini,
              responseId: 'stream0001',
            },
          };
        }),
      };
  }
}

// ---------------------------------------------------------------------------------------------
// A gated upstream: writes the head of a stream, then holds the rest until the test releases it
// ---------------------------------------------------------------------------------------------

interface GatedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface GatedExchange {
  /** The request as the upstream received it. */
  arrived: Promise<GatedRequest>;
  /** The head of the stream is written and flushed. */
  headSent: Promise<void>;
  /** Write the rest and end the answer. */
  release(): void;
  readonly released: boolean;
  /** true when the gateway closed the connection before the answer ended. */
  aborted: Promise<boolean>;
}

interface GatedUpstream {
  url: string;
  /** Queue an answer: `head` events at once, `tail` events after release(). */
  script(protocol: Protocol, head: SseEvent[], tail: SseEvent[]): GatedExchange;
  close(): Promise<void>;
}

async function startGatedUpstream(): Promise<GatedUpstream> {
  const queue: Array<{ protocol: Protocol; head: SseEvent[]; tail: SseEvent[]; exchange: GatedExchange; arrive(request: GatedRequest): void; headWritten(): void; gate: Promise<void>; closed(aborted: boolean): void }> = [];
  const server: Server = createServer((incoming, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const entry = queue.shift();
      if (!entry) {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('gated upstream: nothing scripted');
        return;
      }
      response.on('close', () => entry.closed(!response.writableFinished));
      entry.arrive({ path: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': entry.protocol === 'gemini' ? 'text/event-stream' : 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      response.flushHeaders();
      const frames = (events: SseEvent[]) => events.map((event) => frameEvent(entry.protocol, event.data, event.event)).join('');
      response.write(frames(entry.head), () => entry.headWritten());
      void entry.gate.then(() => {
        if (!response.destroyed) response.end(frames(entry.tail));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script(protocol, head, tail) {
      let arrive!: (request: GatedRequest) => void;
      let headWritten!: () => void;
      let open!: () => void;
      let closed!: (aborted: boolean) => void;
      let released = false;
      const exchange: GatedExchange = {
        arrived: new Promise((resolve) => (arrive = resolve)),
        headSent: new Promise((resolve) => (headWritten = resolve)),
        release: () => {
          released = true;
          open();
        },
        get released() {
          return released;
        },
        aborted: new Promise((resolve) => (closed = resolve)),
      };
      const gate = new Promise<void>((resolve) => (open = resolve));
      queue.push({ protocol, head, tail, exchange, arrive, headWritten, gate, closed });
      return exchange;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const PROMPT = 'Say hello to the world.';

interface SdkStreamOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Called with each text delta as the SDK yields it. */
  onText?: (delta: string) => void | Promise<void>;
}

/** Streams one answer with the client protocol's official SDK; returns the text. Throws what the SDK throws. */
async function sdkStream(harness: RelayHarness, client: Protocol, model: string, options: SdkStreamOptions = {}): Promise<string> {
  let text = '';
  const take = async (delta: string | undefined) => {
    if (!delta) return;
    text += delta;
    await options.onText?.(delta);
  };
  const requestOptions = { signal: options.signal, headers: options.headers };
  if (client === 'openai-chat') {
    const stream = await harness.openai.chat.completions.create({ model, messages: [{ role: 'user', content: PROMPT }], stream: true }, requestOptions);
    for await (const chunk of stream) await take(chunk.choices[0]?.delta?.content ?? undefined);
  } else if (client === 'openai-responses') {
    const stream = await harness.openai.responses.create({ model, input: PROMPT, stream: true }, requestOptions);
    for await (const event of stream) if (event.type === 'response.output_text.delta') await take(event.delta);
  } else if (client === 'anthropic') {
    const stream = await harness.anthropic.messages.create({ model, max_tokens: 256, messages: [{ role: 'user', content: PROMPT }], stream: true }, requestOptions);
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') await take(event.delta.text);
  } else {
    const stream = await harness.genai.models.generateContentStream({
      model,
      contents: PROMPT,
      config: { abortSignal: options.signal, ...(options.headers ? { httpOptions: { headers: options.headers } } : {}) },
    });
    for await (const chunk of stream) await take(chunk.text);
  }
  return text;
}

const CLIENT_PATHS: Record<Exclude<Protocol, 'gemini'>, string> = {
  'openai-chat': '/v1/chat/completions',
  'openai-responses': '/v1/responses',
  anthropic: '/v1/messages',
};

/** A raw streaming request in the client's protocol: path and body. */
function streamingRequest(client: Protocol, model: string): { path: string; body: unknown } {
  switch (client) {
    case 'openai-chat':
      return { path: CLIENT_PATHS[client], body: { model, messages: [{ role: 'user', content: PROMPT }], stream: true } };
    case 'openai-responses':
      return { path: CLIENT_PATHS[client], body: { model, input: PROMPT, stream: true } };
    case 'anthropic':
      return { path: CLIENT_PATHS[client], body: { model, max_tokens: 256, messages: [{ role: 'user', content: PROMPT }], stream: true } };
    case 'gemini':
      return { path: `/v1beta/models/${model}:streamGenerateContent?alt=sse`, body: { contents: [{ role: 'user', parts: [{ text: PROMPT }] }] } };
  }
}

interface RawStream {
  status: number;
  contentType: string | null;
  text: string;
  messages: SseMessage[];
}

/** POSTs a streaming request and reads the whole answer (bounded), parsed as SSE. */
async function rawStream(harness: RelayHarness, client: Protocol, model: string): Promise<RawStream> {
  const { path, body } = streamingRequest(client, model);
  const response = await within(harness.post(path, body), `response headers for ${client}`, BOUND_MS);
  const text = await within(response.text(), `the end of the ${client} stream`, BOUND_MS);
  const reader = new SseReader();
  return { status: response.status, contentType: response.headers.get('content-type'), text, messages: [...reader.push(text), ...reader.end()] };
}

function parsed(message: SseMessage): any {
  try {
    return JSON.parse(message.data);
  } catch {
    return undefined;
  }
}

/** Text the client saw in a raw stream of its protocol. */
function streamedText(client: Protocol, messages: SseMessage[]): string {
  return messages
    .map((message) => {
      const data = parsed(message);
      if (!data) return '';
      switch (client) {
        case 'openai-chat':
          return data.choices?.[0]?.delta?.content ?? '';
        case 'openai-responses':
          return data.type === 'response.output_text.delta' ? data.delta : '';
        case 'anthropic':
          return data.type === 'content_block_delta' && data.delta?.type === 'text_delta' ? data.delta.text : '';
        case 'gemini':
          return (data.candidates?.[0]?.content?.parts ?? []).map((part: { text?: string }) => part.text ?? '').join('');
      }
    })
    .join('');
}

/**
 * The stream ends with the client protocol's in-stream error, and nothing in it says the answer
 * was complete. Returns the error object.
 */
function expectInStreamError(client: Protocol, stream: RawStream): any {
  expect(stream.status).toBe(200);
  const last = stream.messages.at(-1);
  expect(last, `no message at all in ${JSON.stringify(stream.text)}`).toBeDefined();
  const data = parsed(last!);
  switch (client) {
    case 'openai-chat':
      expect(stream.messages.some((message) => message.data === '[DONE]')).toBe(false);
      expect(stream.messages.some((message) => parsed(message)?.choices?.some?.((choice: { finish_reason?: unknown }) => choice.finish_reason))).toBe(false);
      expect(data).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: null, code: expect.anything() } });
      return data.error;
    case 'openai-responses':
      expect(stream.messages.filter((message) => message.event === 'response.created').length).toBeLessThanOrEqual(1);
      expect(stream.messages.some((message) => message.event === 'response.completed' || message.event === 'response.incomplete')).toBe(false);
      expect(['error', 'response.failed']).toContain(last!.event);
      expect(data.type).toBe(last!.event);
      return data;
    case 'anthropic':
      // A stream has one message_start; an error after forwarded upstream events must not open a second message.
      expect(stream.messages.filter((message) => message.event === 'message_start').length).toBeLessThanOrEqual(1);
      expect(stream.messages.some((message) => message.event === 'message_stop' || message.event === 'message_delta')).toBe(false);
      expect(last!.event).toBe('error');
      // The API's in-stream error has no request_id; a null one (as in the HTTP error body) is harmless.
      expect({ request_id: null, ...data }).toEqual({ type: 'error', error: { type: expect.any(String), message: expect.any(String) }, request_id: null });
      return data.error;
    case 'gemini':
      expect(stream.messages.some((message) => parsed(message)?.candidates?.some?.((candidate: { finishReason?: unknown }) => candidate.finishReason))).toBe(false);
      expect(data).toEqual({ error: { code: expect.any(Number), message: expect.any(String), status: expect.any(String) } });
      return data.error;
  }
}

/** Exactly one error event, and it is last (a passthrough must not add a second one after the upstream's). */
function errorEvents(client: Protocol, stream: RawStream): number {
  return stream.messages.filter((message) => {
    const data = parsed(message);
    if (client === 'openai-responses') return message.event === 'error' || message.event === 'response.failed';
    if (client === 'anthropic') return message.event === 'error';
    return data !== undefined && typeof data === 'object' && data !== null && 'error' in data;
  }).length;
}

/** What a client sees as an upstream failure: a 5xx-class error of its protocol, not an internal one. */
function expectUpstreamClass(client: Protocol, error: any): void {
  switch (client) {
    case 'openai-chat':
      expect(error).toMatchObject({ type: 'server_error', code: 'upstream_error' });
      break;
    case 'openai-responses':
      expect(error).toMatchObject({ type: 'error', code: 'upstream_error' });
      break;
    case 'anthropic':
      expect(error).toMatchObject({ type: 'api_error' });
      break;
    case 'gemini':
      expect(error).toMatchObject({ code: 502, status: 'UNAVAILABLE' });
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Usage settlement
// ---------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------

describe('relay streaming', () => {
  let harness: RelayHarness;
  let gated: GatedUpstream;
  let settlements: SettlementWatcher;
  /** Logical models served only by the gated upstream, one per family. */
  const GATED: Record<UpstreamFamily, string> = { openai: 'gated-openai', anthropic: 'gated-claude', gemini: 'gated-gemini' };

  const admin = async (method: string, path: string, body?: unknown) => {
    const result = await harness.master.request(method, path, { token: harness.master.adminToken, body });
    if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  };

  async function addRoutedChannel(options: { model: string; name: string; type: UpstreamFamily; baseUrl: string; key: string; upstreamModel: string; priority?: number; headers?: Record<string, string>; settings?: object }): Promise<string> {
    const channel = await admin('POST', '/api/channels', {
      name: options.name,
      type: options.type,
      base_url: options.baseUrl,
      key: options.key,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.settings ? { settings: options.settings } : {}),
    });
    await admin('POST', '/api/routes', { model: options.model, channel_id: channel.id, upstream_model: options.upstreamModel, priority: options.priority ?? 0 });
    return channel.id;
  }

  beforeAll(async () => {
    harness = await startRelayHarness();
    gated = await startGatedUpstream();
    settlements = await SettlementWatcher.start(harness.master.master.app.get(AppConfig).redisPrefix);
    for (const family of FAMILIES) {
      await admin('POST', '/api/models', { name: GATED[family], price: { input: 1, output: 2 } });
      await addRoutedChannel({
        model: GATED[family],
        name: `gated-${family}`,
        type: family,
        baseUrl: family === 'openai' ? `${gated.url}/v1` : gated.url,
        key: `gated-${family}-key`,
        upstreamModel: UPSTREAM_MODELS[family],
      });
    }
  });
  afterAll(async () => {
    await settlements?.close();
    await gated?.close();
    await harness?.close();
  });
  beforeEach(() => harness.fake.reset());

  describe('the first chunk reaches the client while the upstream is still sending', () => {
    for (const client of CLIENTS) {
      for (const family of FAMILIES) {
        const upstream = upstreamProtocol(client, family);
        it(`${client} client ← ${upstream} upstream${upstream === client ? ' (passthrough)' : ' (translated)'}`, async () => {
          const { events, firstText } = textStream(upstream);
          const exchange = gated.script(upstream, events.slice(0, firstText + 1), events.slice(firstText + 1));
          let firstDeltaBeforeRelease: boolean | undefined;
          const text = await within(
            sdkStream(harness, client, GATED[family], {
              onText: () => {
                if (firstDeltaBeforeRelease !== undefined) return;
                // The upstream holds everything after the first delta until this line runs.
                firstDeltaBeforeRelease = !exchange.released;
                exchange.release();
              },
            }),
            'the first text delta while the upstream holds the rest of the stream',
          );
          expect(firstDeltaBeforeRelease).toBe(true);
          expect(text).toBe(FULL_TEXT);
          expect(await exchange.aborted).toBe(false);
        });
      }
    }
  });

  describe('a client abort cancels the upstream request at once', () => {
    for (const client of CLIENTS) {
      for (const family of [SAME_FAMILY[client], TRANSLATED_FAMILY[client]]) {
        const upstream = upstreamProtocol(client, family);
        it(`${client} client ← ${upstream} upstream: abort after the first delta`, async () => {
          const { events, firstText } = textStream(upstream);
          // The rest is never released: only the abort can end this exchange.
          const exchange = gated.script(upstream, events.slice(0, firstText + 1), events.slice(firstText + 1));
          const controller = new AbortController();
          const streamed = sdkStream(harness, client, GATED[family], { signal: controller.signal, onText: () => controller.abort() });
          // SDKs end an aborted stream quietly (openai, @google/genai) or throw (anthropic): either way it ends.
          await within(
            streamed.catch(() => undefined),
            'the SDK to give up after abort()',
          );
          expect(await within(exchange.aborted, 'the upstream connection to close', BOUND_MS)).toBe(true);
          expect(exchange.released).toBe(false);
        });
      }

      it(`${client} client ← ${upstreamProtocol(client, SAME_FAMILY[client])} upstream: abort while the gateway waits for the upstream's headers`, async () => {
        harness.fake.respondWith({ kind: 'hang' });
        const { path, body } = streamingRequest(client, MODELS[SAME_FAMILY[client]]);
        const controller = new AbortController();
        const answered = fetch(new URL(path, harness.master.url), {
          method: 'POST',
          headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: controller.signal,
        });
        const received = await within(harness.fake.nextRequest(), 'the upstream request', BOUND_MS);
        controller.abort();
        await expect(answered).rejects.toThrow(/abort/i);
        expect(await within(received.aborted, 'the upstream connection to close', BOUND_MS)).toBe(true);
      });
    }
  });

  describe('an upstream that dies mid-stream ends in the client protocol\'s error event, never in a complete-looking stream', () => {
    for (const client of CLIENTS) {
      for (const family of [SAME_FAMILY[client], TRANSLATED_FAMILY[client]]) {
        const upstream = upstreamProtocol(client, family);
        it(`${client} client ← ${upstream} upstream${upstream === client ? ' (passthrough)' : ' (translated)'}`, async () => {
          const { events, firstText } = textStream(upstream);
          // The connection drops right after the first text delta: no finish, no usage, no terminator.
          harness.fake.respondWith({ kind: 'sse', events, disconnectAfter: firstText + 1 }, { protocol: upstream, times: 2 });

          const stream = await rawStream(harness, client, MODELS[family]);
          expect(streamedText(client, stream.messages)).toBe(PIECES[0]);
          const error = expectInStreamError(client, stream);
          expectUpstreamClass(client, error);
          expect(errorEvents(client, stream)).toBe(1);

          let seen = '';
          const streamed = sdkStream(harness, client, MODELS[family], { onText: (delta) => void (seen += delta) });
          await expect(within(streamed, 'the SDK to end', BOUND_MS)).rejects.toThrow();
          expect(seen).toBe(PIECES[0]);
          await expectPing();
        });

        it(`${client} client ← ${upstream} upstream: the connection drops in the middle of an event`, async () => {
          const { events, firstText } = textStream(upstream);
          const frames = events.slice(0, firstText + 2).map((event) => frameEvent(upstream, event.data, event.event)).join('');
          // Everything up to the first delta, then half of the next event: the cut falls mid-line.
          const raw = frames.slice(0, frames.length - Math.floor(frameEvent(upstream, events[firstText + 1].data, events[firstText + 1].event).length / 2));
          harness.fake.respondWith({ kind: 'sse', events: [], raw, disconnectAfter: 1 }, { protocol: upstream });
          const stream = await rawStream(harness, client, MODELS[family]);
          expect(streamedText(client, stream.messages)).toBe(PIECES[0]);
          expectUpstreamClass(client, expectInStreamError(client, stream));
          expect(errorEvents(client, stream)).toBe(1);
        });
      }
    }
  });

  describe('garbled SSE from the upstream ends in an error event, and the gateway keeps serving', () => {
    const GARBAGE: Record<string, string> = {
      'a data line that is not JSON': 'data: {this is not json}\n\n',
      'JSON cut off mid-object, no newline': 'data: {"id":"x","choices":[{"delta":{"content":"Hel',
      'binary noise without SSE framing': '\u0000\u0001\u00ff\ufffd\u{1F600}garbage\r\r\n\u0007',
      'a JSON array instead of an event object': 'event: message_start\ndata: [1,2,3]\n\ndata: [1,2,3]\n\n',
    };
    for (const client of CLIENTS) {
      for (const family of [SAME_FAMILY[client], TRANSLATED_FAMILY[client]]) {
        const upstream = upstreamProtocol(client, family);
        for (const [name, raw] of Object.entries(GARBAGE)) {
          it(`${client} client ← ${upstream} upstream: ${name}`, async () => {
            harness.fake.respondWith({ kind: 'sse', events: [], raw }, { protocol: upstream });
            const stream = await rawStream(harness, client, MODELS[family]);
            const error = expectInStreamError(client, stream);
            expectUpstreamClass(client, error);
            expect(streamedText(client, stream.messages)).toBe('');
            await expectPing();
          });
        }
      }
    }
  });

  describe('retries happen before the first byte only', () => {
    const RETRY_MODEL = 'retry-model';
    beforeAll(async () => {
      await admin('POST', '/api/models', { name: RETRY_MODEL, price: { input: 1, output: 2 } });
      for (const [name, priority] of [['primary', 10], ['backup', 0]] as const) {
        await addRoutedChannel({
          model: RETRY_MODEL,
          name: `retry-${name}`,
          type: 'openai',
          baseUrl: harness.fake.baseUrls.openai,
          key: harness.fake.keys.openai,
          upstreamModel: UPSTREAM_MODELS.openai,
          priority,
          headers: { 'x-test-channel': name },
          // These cases inject failures one after another: a Retry-After or the breaker would take the
          // primary out of rotation (tested in routing.e2e-spec.ts) and hide what is tested here.
          settings: { breaker: { enabled: false } },
        });
      }
    });

    for (const client of CLIENTS) {
      const upstream = upstreamProtocol(client, 'openai');
      const failures: Array<{ status: number; headers: Record<string, string> }> = [
        { status: 503, headers: {} },
        { status: 429, headers: { 'retry-after': '1' } },
      ];
      for (const failure of failures) {
        it(`${client} client: an upstream ${failure.status} then success on the next channel is invisible`, async () => {
          harness.fake.respondWith({ kind: 'error', status: failure.status, headers: failure.headers }, { protocol: upstream });
          harness.fake.respondWith({ kind: 'sse', events: textStream(upstream).events }, { protocol: upstream });
          const text = await within(sdkStream(harness, client, RETRY_MODEL), 'the retried stream', BOUND_MS);
          expect(text).toBe(FULL_TEXT);
          expect(harness.fake.received.map((request) => request.headers['x-test-channel'])).toEqual(['primary', 'backup']);
          expect(harness.fake.received.map((request) => request.protocol)).toEqual([upstream, upstream]);
        });
      }

      it(`${client} client: once a byte was sent, a dying upstream is not retried`, async () => {
        const { events, firstText } = textStream(upstream);
        harness.fake.respondWith({ kind: 'sse', events, disconnectAfter: firstText + 1 }, { protocol: upstream });
        // Would make a retry look like a success; it must never be asked for.
        harness.fake.respondWith({ kind: 'sse', events }, { protocol: upstream });
        const stream = await rawStream(harness, client, RETRY_MODEL);
        expectInStreamError(client, stream);
        expect(streamedText(client, stream.messages)).toBe(PIECES[0]);
        await expectPing();
        expect(harness.fake.received.map((request) => request.headers['x-test-channel'])).toEqual(['primary']);
      });
    }
  });

  describe('usage from the stream is settled with the upstream\'s token counts and the time to first token', () => {
    for (const client of CLIENTS) {
      for (const family of [SAME_FAMILY[client], TRANSLATED_FAMILY[client]]) {
        const upstream = upstreamProtocol(client, family);
        it(`${client} client ← ${upstream} upstream`, async () => {
          harness.fake.respondWith({ kind: 'sse', events: textStream(upstream).events }, { protocol: upstream });
          const requestId = `stream-usage-${randomUUID()}`;
          const text = await within(sdkStream(harness, client, MODELS[family], { headers: { 'x-request-id': requestId } }), 'the stream', BOUND_MS);
          expect(text).toBe(FULL_TEXT);

          expect(await within(settlements.outcome(requestId), `settlement of ${requestId}`, BOUND_MS)).toBeNull();
          const rows = await harness.master.request('GET', '/api/usage', { token: harness.master.adminToken, query: { model: MODELS[family], limit: 100 } });
          expect(rows.status).toBe(200);
          const row = rows.body.data.find((entry: { client_request_id: string }) => entry.client_request_id === requestId);
          expect(row).toMatchObject({
            // The gateway's own id keys the charge; the client's is kept beside it.
            request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            client_request_id: requestId,
            model: MODELS[family],
            upstream_model: UPSTREAM_MODELS[family],
            endpoint: client,
            prompt_tokens: USAGE.input,
            completion_tokens: USAGE.output,
            cached_tokens: 0,
            estimated: false,
            // 11 input tokens at $1/M and 7 output tokens at $2/M: 25 micro-USD.
            cost_micros: 25,
            status: 200,
            stream: true,
            error_class: null,
            attempts: [expect.objectContaining({ status: 200 })],
          });
          expect(row.first_token_ms).toEqual(expect.any(Number));
          expect(row.first_token_ms).toBeGreaterThanOrEqual(0);
          expect(row.first_token_ms).toBeLessThanOrEqual(row.latency_ms);
        });
      }
    }
  });

  async function expectPing(): Promise<void> {
    const ping = await within(fetch(new URL('/ping', harness.master.url)), 'GET /ping', BOUND_MS);
    expect(ping.status).toBe(200);
  }
});
