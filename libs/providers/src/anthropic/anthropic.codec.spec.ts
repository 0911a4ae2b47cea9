import { describe, expect, it } from 'vitest';
import { fixtureCases } from '../../../../test/support/fixtures';
import { AssistantPart, ChatResponse, EMPTY_USAGE, GatewayError, SseMessage, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { formatSse } from '../sse/sse-writer';
import { anthropicCodec } from './anthropic.codec';

/**
 * Replays every real Anthropic Messages capture (../shared/fixtures,
 * provider `anthropic`) through the codec: client bodies in and back out,
 * answers in and back out, streams in, out and in again.
 */
const cases = fixtureCases('anthropic');

type Json = any;

/**
 * Captures the client side refuses on purpose (unsupported), with the field
 * at fault in the first request; the follow-ups of the server-tool cases
 * already fail on the server-tool blocks in their history.
 */
const REFUSED_ON_DECODE: Record<string, { request: string; followup?: string }> = {
  bedrockAnthropicContextManagementParam: { request: 'context_management' }, // server-side context editing: no IR field
  codeInterpreterToolParam: { request: 'tools[0].type' }, // bash_20250124, an Anthropic-defined tool
  responsesToolSearchInputParam: { request: 'tools[0].type', followup: 'messages[1].content[0].type' }, // tool search server tool
  textEditorToolParam: { request: 'tools[0].type' }, // text_editor_20250124
  textEditorToolV2Param: { request: 'tools[0].type' }, // text_editor_20250429
  textEditorToolV3Param: { request: 'tools[0].type' }, // text_editor_20250728
  webSearchToolAdvancedParam: { request: 'tools[0].type', followup: 'messages[1].content[0].type' }, // web_search server tool
  webSearchToolParam: { request: 'tools[0].type', followup: 'messages[1].content[0].type' },
  webSearchUserLocationParam: { request: 'tools[0].type' },
};

/** Answers holding server-tool blocks the IR cannot carry (their requests are refused above). */
const UNTRANSLATABLE_ANSWERS = new Set([
  'responsesToolSearchInputParam/response',
  'webSearchToolAdvancedParam/response',
  'webSearchToolParam/response',
]);

// ------------------------------------------------------------------ helpers

function textBlocks(content: unknown): Json[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : (content as Json[]);
}

/**
 * Normalises an Anthropic request body to what matters semantically: string
 * shorthands as blocks, the deprecated output_format as output_config.format,
 * consecutive same-role turns merged (the API merges them), leading system
 * messages in `system`, defaults (service_tier auto, stream false,
 * disable_parallel_tool_use false, caller direct) removed.
 */
function normaliseRequest(original: Json): Json {
  const body = structuredClone(original);
  if (body.stream === false) delete body.stream;
  if (body.service_tier === 'auto') delete body.service_tier;
  if (body.output_format) {
    body.output_config = { ...body.output_config, format: body.output_format };
    delete body.output_format;
  }
  let system: Json[] = body.system === undefined ? [] : textBlocks(body.system);
  const messages: Json[] = [];
  for (const message of body.messages) {
    const content = textBlocks(message.content).map((block: Json) => {
      const copy = { ...block };
      if (copy.type === 'tool_use' && copy.caller?.type === 'direct') delete copy.caller;
      if (copy.type === 'tool_result' && typeof copy.content === 'string') copy.content = textBlocks(copy.content);
      return copy;
    });
    if (message.role === 'system' && messages.length === 0) {
      system = [...system, ...content];
      continue;
    }
    const last = messages[messages.length - 1];
    if (last && last.role === message.role) last.content.push(...content);
    else messages.push({ role: message.role, content });
  }
  body.messages = messages;
  if (system.length > 0) body.system = system;
  else delete body.system;
  if (body.tool_choice?.disable_parallel_tool_use === false) delete body.tool_choice.disable_parallel_tool_use;
  for (const tool of body.tools ?? []) if (tool.type === 'custom') delete tool.type;
  return body;
}

function sseMessages(events: Json[]): SseMessage[] {
  const reader = new SseReader();
  const text = events.map((event) => formatSse(event, event.type)).join('');
  return [...reader.push(text), ...reader.end()];
}

function decodeStream(messages: SseMessage[]): StreamEvent[] {
  const decoder = anthropicCodec.createStreamDecoder();
  return [...messages.flatMap((message) => decoder.decode(message)), ...decoder.end()];
}

/** Folds canonical events into the ChatResponse they describe (what a non-streaming client would get). */
function collect(events: StreamEvent[]): ChatResponse {
  const response: ChatResponse = { id: '', model: '', created: 0, content: [], finishReason: 'other', usage: { ...EMPTY_USAGE } };
  const parts = new Map<number, AssistantPart>();
  for (const event of events) {
    switch (event.type) {
      case 'start':
        response.id = event.id;
        response.model = event.model;
        break;
      case 'text-delta': {
        const part = parts.get(event.index) ?? { type: 'text', text: '' };
        if (part.type === 'text') part.text += event.text;
        parts.set(event.index, part);
        break;
      }
      case 'reasoning-delta': {
        const part = parts.get(event.index) ?? { type: 'reasoning', text: '' };
        if (part.type === 'reasoning') {
          part.text += event.text ?? '';
          if (event.signature) part.signature = (part.signature ?? '') + event.signature;
          if (event.redactedData !== undefined) part.redactedData = event.redactedData;
          if (event.provider) part.provider = event.provider;
        }
        parts.set(event.index, part);
        break;
      }
      case 'tool-call-start':
        parts.set(event.index, { type: 'tool-call', id: event.id, name: event.name, arguments: '' });
        break;
      case 'tool-call-delta': {
        const part = parts.get(event.index);
        if (part?.type === 'tool-call') part.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        response.finishReason = event.finishReason;
        if (event.rawFinishReason !== undefined) response.rawFinishReason = event.rawFinishReason;
        if (event.stopSequence !== undefined) response.stopSequence = event.stopSequence;
        response.usage = event.usage;
        break;
      default:
        break;
    }
  }
  response.content = [...parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  return response;
}

/**
 * Rebuilds the Message a streamed capture describes straight from its raw
 * events (independently of the stream decoder), so the decoder can be held
 * against decodeResponse on the very same generation.
 */
function rebuildMessage(events: Json[]): Json {
  let message: Json = {};
  const blocks: Json[] = [];
  const partialJson = new Map<number, string>();
  for (const event of events) {
    switch (event.type) {
      case 'message_start':
        message = structuredClone(event.message);
        break;
      case 'content_block_start':
        blocks[event.index] = structuredClone(event.content_block);
        break;
      case 'content_block_delta': {
        const block = blocks[event.index];
        const delta = event.delta;
        if (delta.type === 'text_delta') block.text += delta.text;
        if (delta.type === 'thinking_delta') block.thinking += delta.thinking;
        if (delta.type === 'signature_delta') block.signature += delta.signature;
        if (delta.type === 'input_json_delta') partialJson.set(event.index, (partialJson.get(event.index) ?? '') + delta.partial_json);
        break;
      }
      case 'message_delta':
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.usage = { ...message.usage, ...Object.fromEntries(Object.entries(event.usage ?? {}).filter(([, v]) => v !== null)) };
        break;
      default:
        break;
    }
  }
  for (const [index, text] of partialJson) blocks[index].input = text === '' ? {} : JSON.parse(text);
  message.content = blocks;
  return message;
}

/** Tool-call arguments compared as JSON values: a stream keeps the model's spacing, a JSON answer is re-serialised. */
function comparable(response: ChatResponse): Json {
  return {
    content: response.content.map((part) => (part.type === 'tool-call' ? { ...part, arguments: JSON.parse(part.arguments) } : part)),
    finishReason: response.finishReason,
    rawFinishReason: response.rawFinishReason,
    stopSequence: response.stopSequence,
    usage: response.usage,
  };
}

function withoutClock(events: StreamEvent[]): Json[] {
  return events.map((event) => {
    if (event.type === 'start') return { ...event, created: 0 };
    if (event.type === 'error') return { type: 'error', kind: event.error.kind, message: event.error.message };
    return event;
  });
}

function caught(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

// ------------------------------------------------------------------ requests

describe('anthropic codec: captured requests', () => {
  it('replays every capture case of the provider', () => {
    expect(cases.length).toBe(52);
  });

  const requests = cases.flatMap((fixture) =>
    ['request.json', 'followup-request.json']
      .filter((file) => fixture.files.includes(file))
      .map((file) => ({ name: `${fixture.name}/${file}`, fixture, body: fixture.read(file) })),
  );

  it.each(requests.filter(({ fixture }) => REFUSED_ON_DECODE[fixture.name]))('$name is refused as unsupported', ({ name, fixture, body }) => {
    const refused = REFUSED_ON_DECODE[fixture.name];
    const error = caught(() => anthropicCodec.decodeRequest(body));
    expect(error.kind).toBe('unsupported');
    expect(error.param).toBe(name.endsWith('followup-request.json') ? (refused.followup ?? refused.request) : refused.request);
  });

  it.each(requests.filter(({ fixture }) => !REFUSED_ON_DECODE[fixture.name]))(
    '$name: encodeRequest(decodeRequest(x)) reproduces x',
    ({ body }) => {
      const request = anthropicCodec.decodeRequest(body);
      const upstream = anthropicCodec.encodeRequest(request, body.model);
      expect(upstream.path).toBe('/v1/messages');
      expect(normaliseRequest(upstream.body)).toEqual(normaliseRequest(body));
    },
  );
});

// ------------------------------------------------------------------ answers

describe('anthropic codec: captured answers', () => {
  const answers = cases.flatMap((fixture) =>
    ['response.json', 'followup-response.json']
      .filter((file) => fixture.files.includes(file))
      .map((file) => ({ name: `${fixture.name}/${file.replace('.json', '')}`, body: fixture.read(file) })),
  );

  it.each(answers.filter(({ name }) => UNTRANSLATABLE_ANSWERS.has(name)))('$name fails loudly (server-tool blocks)', ({ body }) => {
    const error = caught(() => anthropicCodec.decodeResponse(body));
    expect(error.kind).toBe('upstream');
    expect(error.retryable).toBe(false);
  });

  it.each(answers.filter(({ name }) => !UNTRANSLATABLE_ANSWERS.has(name)))(
    '$name: encodeResponse(decodeResponse(x)) reproduces x',
    ({ body }) => {
      const response = anthropicCodec.decodeResponse(body);
      const usage = body.usage;
      expect(response.usage).toEqual({
        inputTokens: usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens,
        outputTokens: usage.output_tokens,
        cachedInputTokens: usage.cache_read_input_tokens,
        cacheWriteInputTokens: usage.cache_creation_input_tokens,
        reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
      });

      const encoded = anthropicCodec.encodeResponse(response, { model: body.model }) as Json;
      expect(encoded.id).toBe(body.id);
      expect(encoded.model).toBe(body.model);
      expect(encoded.stop_reason).toBe(body.stop_reason);
      expect(encoded.stop_sequence).toBe(body.stop_sequence);
      expect(encoded.content).toEqual(
        body.content.map((block: Json) => {
          const { citations: _citations, caller: _caller, ...rest } = block;
          return rest;
        }),
      );
      expect(encoded.usage).toEqual({
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        ...(usage.output_tokens_details?.thinking_tokens ? { output_tokens_details: usage.output_tokens_details } : {}),
      });
    },
  );
});

// ------------------------------------------------------------------ streams

describe('anthropic codec: captured streams', () => {
  const streams = cases.flatMap((fixture) =>
    ['response-streaming.json', 'followup-response-streaming.json']
      .filter((file) => fixture.files.includes(file))
      .map((file) => {
        const answerFile = file.replace('-streaming', '');
        return {
          name: `${fixture.name}/${answerFile.replace('.json', '')}`,
          events: fixture.read<Json[]>(file)!,
          answer: fixture.read(answerFile),
        };
      }),
  );
  const translatable = streams.filter(({ name }) => !UNTRANSLATABLE_ANSWERS.has(name));

  it.each(streams.filter(({ name }) => UNTRANSLATABLE_ANSWERS.has(name)))('$name ends in an error event (server-tool blocks)', ({ events }) => {
    const decoded = decodeStream(sseMessages(events));
    const last = decoded[decoded.length - 1];
    expect(last.type).toBe('error');
    expect(decoded.some((event) => event.type === 'finish')).toBe(false);
  });

  it.each(translatable)('$name: the stream decodes to what decodeResponse gives for the same generation', ({ events }) => {
    const decoded = decodeStream(sseMessages(events));
    expect(decoded[0].type).toBe('start');
    expect(decoded[decoded.length - 1].type).toBe('finish');
    expect(decoded.filter((event) => event.type === 'finish')).toHaveLength(1);
    expect(comparable(collect(decoded))).toEqual(comparable(anthropicCodec.decodeResponse(rebuildMessage(events))));
  });

  it.each(translatable.filter(({ answer }) => answer !== undefined))(
    '$name: the stream ends like the non-streamed capture (same kinds of parts, finish reason)',
    ({ events, answer }) => {
      const streamed = collect(decodeStream(sseMessages(events)));
      const answered = anthropicCodec.decodeResponse(answer);
      expect(streamed.content.map((part) => part.type)).toEqual(answered.content.map((part) => part.type));
      expect(streamed.finishReason).toBe(answered.finishReason);
      expect(streamed.content.filter((part) => part.type === 'tool-call').map((part) => (part as Json).name)).toEqual(
        answered.content.filter((part) => part.type === 'tool-call').map((part) => (part as Json).name),
      );
      expect(streamed.usage.inputTokens).toBe(answered.usage.inputTokens);
    },
  );

  it.each(translatable)('$name: encoding the canonical events and decoding them again gives the same events', ({ events }) => {
    const decoded = decodeStream(sseMessages(events));
    const model = (decoded[0] as Json).model;
    const encoder = anthropicCodec.createStreamEncoder({ model });
    const text = decoded.map((event) => encoder.encode(event)).join('');

    const reader = new SseReader();
    const messages = [...reader.push(text), ...reader.end()];
    for (const message of messages) expect(JSON.parse(message.data).type).toBe(message.event);
    const names = messages.map((message) => message.event);
    expect(names.slice(0, 2)).toEqual(['message_start', 'ping']);
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);

    expect(withoutClock(decodeStream(messages))).toEqual(withoutClock(decoded));
  });

  it.each(translatable)('$name: a stream cut before message_stop ends in an error event', ({ events }) => {
    for (const cut of [events.length - 1, Math.floor(events.length / 2)]) {
      const decoded = decodeStream(sseMessages(events.slice(0, cut)));
      const last = decoded[decoded.length - 1];
      expect(last.type).toBe('error');
      expect(decoded.some((event) => event.type === 'finish')).toBe(false);
      if (last.type === 'error') {
        expect(last.error.kind).toBe('upstream');
        expect(last.error.retryable).toBe(true);
      }
    }
  });
});

// ------------------------------------------------------------------ Vertex and Bedrock bodies

describe('anthropic codec: Vertex and Bedrock captures share the Messages body', () => {
  const others = [...fixtureCases('vertex-anthropic'), ...fixtureCases('bedrock-anthropic')];

  it.each(others.filter((fixture) => fixture.files.includes('response.json')).map((fixture) => ({ name: `${fixture.name}/${fixture.provider}`, fixture })))(
    '$name: request, answer and stream read like Anthropic’s',
    ({ fixture }) => {
      const body = fixture.read('request.json');
      const request = anthropicCodec.decodeRequest(body, { model: 'claude-sonnet-4-5' });
      const { anthropic_version: _version, ...rest } = body;
      expect(normaliseRequest(anthropicCodec.encodeRequest(request, 'claude-sonnet-4-5').body)).toEqual(
        normaliseRequest({ model: 'claude-sonnet-4-5', ...rest }),
      );

      const answer = fixture.read('response.json');
      const decoded = anthropicCodec.decodeResponse(answer);
      expect(anthropicCodec.encodeResponse(decoded, { model: answer.model })).toMatchObject({ id: answer.id, stop_reason: answer.stop_reason });

      // The Vertex "streaming" capture holds one whole message (recorded without SSE); Bedrock's is an event list.
      const events = fixture.read<Json[]>('response-streaming.json')!;
      if (events[0]?.type !== 'message_start') return;
      const streamed = collect(decodeStream(sseMessages(events)));
      expect(comparable(streamed)).toEqual(comparable(anthropicCodec.decodeResponse(rebuildMessage(events))));
      expect(streamed.finishReason).toBe(decoded.finishReason);
    },
  );
});

// ------------------------------------------------------------------ a hand-written agent turn

describe('anthropic codec: an agent conversation round-trips to an Anthropic upstream', () => {
  const body = {
    model: 'claude-opus-4-6',
    max_tokens: 32000,
    system: [
      { type: 'text', text: 'You are a coding agent.' },
      { type: 'text', text: 'Repository map…', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
    tools: [
      { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
      { name: 'Screenshot', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' }, strict: true },
    ],
    tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    thinking: { type: 'enabled', budget_tokens: 4000 },
    output_config: { effort: 'high' },
    metadata: { user_id: 'session-42' },
    stop_sequences: ['</done>'],
    stream: true,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' }, title: 'spec.pdf', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Fix the bug described in the spec.' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I should read main.ts first.', signature: 'EuYBCkQYAiJA…' },
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4a' },
          { type: 'text', text: 'Reading the file and taking a screenshot.' },
          { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { path: 'src/main.ts' } },
          { type: 'tool_use', id: 'toolu_01B', name: 'Screenshot', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'export const x = 1;' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01B',
            is_error: false,
            cache_control: { type: 'ephemeral' },
            content: [
              { type: 'text', text: 'Screenshot taken.' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
          { type: 'text', text: 'Keep going.' },
        ],
      },
    ],
  };

  it('decodes and re-encodes it unchanged', () => {
    const upstream = anthropicCodec.encodeRequest(anthropicCodec.decodeRequest(body), body.model);
    expect(normaliseRequest(upstream.body)).toEqual(normaliseRequest(body));
  });
});
