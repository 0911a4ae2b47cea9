import { describe, expect, it } from 'vitest';
import { fixtureCases } from '../../../../test/support/fixtures';
import { GatewayError, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { formatSse } from '../sse/sse-writer';
import { openAiChatCodec } from './openai-chat.codec';

/**
 * Replays every real Chat Completions capture (../shared/fixtures, provider
 * `chat-completions`) through the codec.
 */
const cases = fixtureCases('chat-completions');

/** Captures the client side refuses on purpose, with the field at fault. */
const REFUSED_ON_DECODE: Record<string, string> = {
  logitBiasParam: 'logit_bias', // the IR has no token biases
  logprobsParam: 'logprobs', // the answer path carries no logprobs
  nMultipleCompletionsParam: 'n', // ChatResponse holds one choice
  predictionParam: 'prediction', // predicted outputs have no IR field
};

/**
 * Captures accepted from the client but refused towards an OpenAI upstream:
 * file_data given as a URL (OpenAI itself answered 400, see their error.json);
 * the IR keeps the URL for upstreams that fetch files (Gemini, Anthropic).
 */
const REFUSED_ON_ENCODE: Record<string, string> = {
  chatCompletionsGcsBackedVideoFileParam: 'messages[0].content[1]',
  chatCompletionsUrlBackedAudioFileParam: 'messages[0].content[1]',
  chatCompletionsUrlBackedVideoFileParam: 'messages[0].content[1]',
};

/** Captures whose streamed and non-streamed generations happen to be identical (same text and arguments). */
const SAME_GENERATION = new Set([
  'bedrockAnthropicOpus48SamplingParam/response',
  'jsonSchemaFormatParam/followup-response',
  'jsonSchemaPrefixItemsParam/response',
  'jsonSchemaPrefixItemsParam/followup-response',
  'multimodalRequest/response',
  'multimodalRequest/followup-response',
  'reasoningEffortMinimalParam/response',
  'reasoningRequestTruncated/response',
  'reasoningRequestTruncated/followup-response',
  'safetyIdentifierParam/response',
  'textFormatJsonSchemaWithDescriptionParam/response',
  'toolCallRequest/response',
  'toolCallRequest/followup-response',
  'toolChoiceRequiredParam/response',
  'topPParam/response',
]);

/** Captures whose streamed run ended differently from the non-streamed one (separate generations). */
const DIFFERENT_OUTCOME: Record<string, string> = {
  'exclusiveMinimumToolParam/response': 'the streamed run answered in text, the non-streamed run called the tool',
};

type Json = any;

// ------------------------------------------------------------------ normalisers

/** The semantically relevant fields of a request body, in one canonical form. */
function normaliseRequest(body: Json): Json {
  const messages = (body.messages as Json[]).map(normaliseMessage);
  const tools = body.tools?.length
    ? body.tools.map((tool: Json) => ({
        name: tool.function.name,
        description: tool.function.description,
        parameters: tool.function.parameters ?? { type: 'object', properties: {} },
        strict: tool.function.strict ?? undefined,
      }))
    : undefined;
  const responseFormat = body.response_format
    ? body.response_format.type === 'json_schema'
      ? { type: 'json_schema', ...body.response_format.json_schema, strict: body.response_format.json_schema.strict ?? undefined }
      : { type: body.response_format.type }
    : undefined;
  return prune({
    model: body.model,
    messages,
    tools,
    tool_choice: body.tool_choice,
    parallel_tool_calls: body.parallel_tool_calls,
    response_format: responseFormat,
    max_tokens: body.max_completion_tokens ?? body.max_tokens,
    temperature: body.temperature,
    top_p: body.top_p,
    stop: typeof body.stop === 'string' ? [body.stop] : body.stop,
    seed: body.seed,
    presence_penalty: body.presence_penalty,
    frequency_penalty: body.frequency_penalty,
    reasoning_effort: body.reasoning_effort,
    // `user` and `safety_identifier` name the same end user (the encoder sends `user`).
    end_user: body.safety_identifier ?? body.user,
    prompt_cache_key: body.prompt_cache_key,
    metadata: body.metadata,
    store: body.store,
    n: body.n,
    stream: body.stream === true,
  });
}

function normaliseMessage(message: Json): Json {
  const content = normaliseContent(message.content);
  if (message.role === 'assistant') {
    if (message.refusal) content.push({ type: 'text', text: message.refusal });
    return prune({
      role: 'assistant',
      content,
      tool_calls: message.tool_calls?.length
        ? message.tool_calls.map((call: Json) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }))
        : undefined,
    });
  }
  if (message.role === 'tool') return { role: 'tool', tool_call_id: message.tool_call_id, content };
  return { role: message.role, content };
}

/** String or parts → parts without cache hints; empty assistant text is no content. */
function normaliseContent(content: Json): Json[] {
  if (content === null || content === undefined || content === '') return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part: Json) => {
    const { cache_control: _cacheControl, prompt_cache_breakpoint: _breakpoint, ...rest } = part;
    return rest;
  });
}

function prune(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** What a Chat client reads from an answer. */
function normaliseResponse(body: Json): Json {
  const choice = body.choices[0];
  return {
    text: (choice.message.content ?? '') + (choice.message.refusal ?? ''),
    toolCalls: (choice.message.tool_calls ?? []).map((call: Json) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })),
    finishReason: choice.finish_reason,
    usage: {
      prompt: body.usage.prompt_tokens,
      completion: body.usage.completion_tokens,
      total: body.usage.total_tokens,
      cached: body.usage.prompt_tokens_details?.cached_tokens ?? 0,
      cacheWrite: body.usage.prompt_tokens_details?.cache_write_tokens ?? 0,
      reasoning: body.usage.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    model: body.model,
    id: body.id,
  };
}

// ------------------------------------------------------------------ streams

function reframe(chunks: Json[], done = true): string {
  return chunks.map((chunk) => formatSse(chunk)).join('') + (done ? formatSse('[DONE]') : '');
}

function decodeSse(text: string): StreamEvent[] {
  const reader = new SseReader();
  const decoder = openAiChatCodec.createStreamDecoder();
  const messages = [...reader.push(text), ...reader.end()];
  return [...messages.flatMap((message) => decoder.decode(message)), ...decoder.end()];
}

/** Text, tool calls and finish reason accumulated from canonical events. */
function accumulate(events: StreamEvent[]) {
  let text = '';
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  let finish: Json;
  for (const event of events) {
    if (event.type === 'text-delta') text += event.text;
    if (event.type === 'tool-call-start') calls.set(event.index, { id: event.id, name: event.name, arguments: '' });
    if (event.type === 'tool-call-delta') calls.get(event.index)!.arguments += event.argumentsDelta;
    if (event.type === 'finish') finish = event;
  }
  return { text, toolCalls: [...calls.values()], finish };
}

/** The same accumulated directly from raw chunks: the independent ground truth. */
function accumulateRaw(chunks: Json[]) {
  let text = '';
  const calls: Json[] = [];
  let finishReason: string | undefined;
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        if (!calls[call.index]) calls[call.index] = { id: call.id, name: call.function.name, arguments: '' };
        calls[call.index].arguments += call.function.arguments ?? '';
      }
      finishReason = choice.finish_reason ?? finishReason;
    }
  }
  return { text, toolCalls: calls, finishReason };
}

// ------------------------------------------------------------------ tests

describe('openAiChatCodec on the chat-completions captures', () => {
  it('has captures to replay', () => {
    expect(cases.length).toBe(52);
  });

  describe.each(cases.map((entry) => [entry.name, entry] as const))('%s', (name, entry) => {
    const requests = ['request.json', 'followup-request.json'].filter((file) => entry.files.includes(file));

    it.each(requests)('%s: decodes, or is refused on purpose', (file) => {
      const body = entry.read(file);
      if (REFUSED_ON_DECODE[name]) {
        const error = catchError(() => openAiChatCodec.decodeRequest(body));
        expect(error.kind).toBe('unsupported');
        expect(error.param).toBe(REFUSED_ON_DECODE[name]);
        return;
      }
      const request = openAiChatCodec.decodeRequest(body);
      expect(request.model).toBe(body.model);
      if (REFUSED_ON_ENCODE[name]) {
        const error = catchError(() => openAiChatCodec.encodeRequest(request, body.model));
        expect(error.kind).toBe('unsupported');
        expect(error.param).toBe(REFUSED_ON_ENCODE[name]);
        return;
      }
      const upstream = openAiChatCodec.encodeRequest(request, body.model);
      expect(upstream.path).toBe('/chat/completions');
      expect(normaliseRequest(upstream.body)).toEqual(normaliseRequest(body));
    });

    const responses = ['response.json', 'followup-response.json'].filter((file) => entry.files.includes(file));
    it.each(responses)('%s: decodes and re-encodes to the same answer', (file) => {
      const body = entry.read(file);
      const response = openAiChatCodec.decodeResponse(body);
      const encoded = openAiChatCodec.encodeResponse(response, { model: body.model });
      expect(normaliseResponse(encoded)).toEqual(normaliseResponse(body));
      expect(response.rawFinishReason).toBe(body.choices[0].finish_reason);
    });

    const streams = ['response-streaming.json', 'followup-response-streaming.json'].filter((file) => entry.files.includes(file));
    it.each(streams)('%s: decodes like the raw chunks, agrees with the non-streamed capture, survives a round trip', (file) => {
      const chunks: Json[] = entry.read(file)!;
      const events = decodeSse(reframe(chunks));

      expect(events[0]).toMatchObject({ type: 'start', id: chunks[0].id, model: chunks[0].model, created: chunks[0].created });
      expect(events.at(-1)?.type).toBe('finish');
      const decoded = accumulate(events);
      const raw = accumulateRaw(chunks);
      expect(decoded.text).toBe(raw.text);
      expect(decoded.toolCalls).toEqual(raw.toolCalls);
      expect(decoded.finish.rawFinishReason).toBe(raw.finishReason);

      // The matching non-streamed capture: same model and finish; same text where the generation was identical.
      const nonStreamedFile = file.replace('-streaming', '');
      const nonStreamed = openAiChatCodec.decodeResponse(entry.read(nonStreamedFile));
      const capture = `${name}/${nonStreamedFile.replace('.json', '')}`;
      expect(events[0]).toMatchObject({ model: nonStreamed.model });
      const nonStreamedCalls = nonStreamed.content.filter((part) => part.type === 'tool-call');
      if (!DIFFERENT_OUTCOME[capture]) {
        expect(decoded.finish.finishReason).toBe(nonStreamed.finishReason);
        expect(decoded.toolCalls.map((call) => call.name)).toEqual(nonStreamedCalls.map((call) => call.name));
      }
      if (SAME_GENERATION.has(capture)) {
        expect(decoded.text).toBe(nonStreamed.content.filter((part) => part.type === 'text').map((part) => part.text).join(''));
        expect(decoded.toolCalls.map((call) => call.arguments)).toEqual(nonStreamedCalls.map((call) => call.arguments));
      }

      // Round trip: our encoder's SSE decodes to the same canonical events.
      const encoder = openAiChatCodec.createStreamEncoder({ model: chunks[0].model });
      const sse = events.map((event) => encoder.encode(event)).join('');
      expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(decodeSse(sse)).toEqual(events);
    });

    it.each(streams)('%s: cut before [DONE] ends in an error event', (file) => {
      const chunks: Json[] = entry.read(file)!;
      const events = decodeSse(reframe(chunks.slice(0, -1), false));
      const last = events.at(-1);
      expect(last?.type).toBe('error');
      expect(events.some((event) => event.type === 'finish')).toBe(false);
    });
  });
});

describe('cache hints in the captures', () => {
  it.each([
    ['chatCompletionsAnthropicCacheControlParam', (request: Json) => request.messages[0].content[0]],
    ['chatCompletionsAssistantCacheControlParam', (request: Json) => request.messages[1].content[0]],
    ['chatCompletionsSystemCacheControlParam', (request: Json) => request.system[0]],
  ] as const)('%s: carried into the IR, not sent to OpenAI', (name, part) => {
    const body = cases.find((entry) => entry.name === name)!.read('request.json');
    const request = openAiChatCodec.decodeRequest(body);
    expect(part(request).cacheControl).toEqual({ type: 'ephemeral' });
    const encoded = JSON.stringify(openAiChatCodec.encodeRequest(request, body.model).body);
    expect(encoded).not.toContain('cache_control');
    expect(encoded).not.toContain('prompt_cache_breakpoint');
  });
});

function catchError(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}
