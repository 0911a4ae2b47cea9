import { describe, expect, it } from 'vitest';
import { fixtureCases } from '../../../../test/support/fixtures';
import { AssistantPart, ChatResponse, EMPTY_USAGE, GatewayError, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { formatSse } from '../sse/sse-writer';
import { openAiResponsesCodec as codec } from './openai-responses.codec';

/**
 * Replays every `responses` capture in ../shared/fixtures through the codec.
 * Requests the gateway refuses are listed with the reason; everything else
 * must survive decode → encode with its meaning intact.
 */
const cases = fixtureCases('responses');

/**
 * Capture requests refused on purpose, as [error kind, param, why]. A
 * followup repeats its first request's refused feature, or echoes back the
 * output items of a refused built-in tool.
 */
const REFUSED_REQUESTS: Record<string, [kind: string, param: string, why: string]> = {
  'codeInterpreterToolParam/request.json': ['unsupported', 'tools[0].type', 'built-in code_interpreter tool runs at OpenAI'],
  'codeInterpreterToolParam/followup-request.json': ['unsupported', 'input[2].type', 'code_interpreter_call items'],
  'responsesAdditionalToolsMultipleToolsParam/request.json': ['unsupported', 'input[1].type', 'additional_tools items add tools mid-conversation'],
  'responsesAdditionalToolsMultipleToolsParam/followup-request.json': ['unsupported', 'input[1].type', 'additional_tools items'],
  'responsesAdditionalToolsParam/request.json': ['unsupported', 'input[1].type', 'additional_tools items add tools mid-conversation'],
  'responsesAdditionalToolsParam/followup-request.json': ['unsupported', 'input[1].type', 'additional_tools items'],
  'responsesCustomToolCallStreamingParam/request.json': ['unsupported', 'tools[0].type', 'custom (free-text) tools have no IR form'],
  'responsesCustomToolCallStreamingParam/followup-request.json': ['unsupported', 'input[2].type', 'custom_tool_call items'],
  'responsesGpt56PersistedReasoningParam/request.json': ['unsupported', 'reasoning.context', "reasoning.context 'all_turns' has no IR form"],
  'responsesGpt56ReasoningMaxProContextParam/request.json': ['unsupported', 'text.verbosity', 'text.verbosity high (and reasoning.mode pro)'],
  'responsesGpt56ReasoningMaxProContextParam/followup-request.json': ['unsupported', 'text.verbosity', 'text.verbosity high'],
  'responsesProgrammaticToolCallingToolsParam/request.json': ['unsupported', 'tools[0].output_schema', 'programmatic tool calling'],
  'responsesProgrammaticToolCallingToolsParam/followup-request.json': ['unsupported', 'input[2].type', 'program items (programmatic tool calling)'],
  'responsesToolSearchInputParam/request.json': ['unsupported', 'input[1].type', 'tool_search_call items (tool search)'],
  'responsesToolSearchInputParam/followup-request.json': ['unsupported', 'input[1].type', 'tool_search_call items (tool search)'],
  'simpleRequest/request.json': ['unsupported', 'text.verbosity', 'text.verbosity low has no IR form'],
  'simpleRequest/followup-request.json': ['unsupported', 'text.verbosity', 'text.verbosity low has no IR form'],
  'webSearchToolParam/request.json': ['unsupported', 'tools[0].type', 'built-in web search runs at OpenAI'],
  'webSearchToolParam/followup-request.json': ['unsupported', 'input[2].type', 'web_search_call items'],
};

/** Answers holding output items the IR cannot carry (decodeResponse refuses them as upstream errors). */
const REFUSED_RESPONSES: Record<string, string> = {
  'responsesCustomToolCallStreamingParam/response.json': 'custom_tool_call',
  'responsesCustomToolCallStreamingParam/response-streaming.json': 'custom_tool_call',
  'responsesProgrammaticToolCallingToolsParam/response.json': 'program',
  'responsesProgrammaticToolCallingToolsParam/response-streaming.json': 'program',
  'responsesProgrammaticToolCallingToolsParam/followup-response.json': 'program_output',
  'responsesProgrammaticToolCallingToolsParam/followup-response-streaming.json': 'program_output',
  'responsesAdditionalToolsMultipleToolsParam/followup-response.json': 'custom_tool_call',
  'responsesAdditionalToolsMultipleToolsParam/followup-response-streaming.json': 'custom_tool_call',
};

/** Streams that are not Responses event streams (a legacy `response.delta` capture). */
const NOT_EVENT_STREAMS = new Set(['multimodalRequest/followup-response-streaming.json']);

describe('openai-responses fixtures', () => {
  it('has captures to replay', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });

  describe('requests: decode → encode keeps the meaning', () => {
    const requestFiles = cases.flatMap((entry) =>
      ['request.json', 'followup-request.json'].filter((file) => entry.files.includes(file)).map((file) => ({ entry, file })),
    );
    it.each(requestFiles.map(({ entry, file }) => [`${entry.name}/${file}`, entry, file] as const))('%s', (label, entry, file) => {
      const body = entry.read(file);
      const refused = REFUSED_REQUESTS[label];
      if (refused) {
        const error = catchError(() => codec.decodeRequest(body));
        expect({ kind: error.kind, param: error.param }).toEqual({ kind: refused[0], param: refused[1] });
        return;
      }
      const decoded = codec.decodeRequest(body);
      const encoded = codec.encodeRequest(decoded, body.model);
      expect(encoded.path).toBe('/responses');
      expect(normaliseRequest(encoded.body)).toEqual(normaliseRequest(body));
    });
  });

  describe('responses: decode → encode keeps text, calls, reasoning, usage and status', () => {
    const responseFiles = cases.flatMap((entry) =>
      ['response.json', 'followup-response.json'].filter((file) => entry.files.includes(file)).map((file) => ({ entry, file })),
    );
    it.each(responseFiles.map(({ entry, file }) => [`${entry.name}/${file}`, entry, file] as const))('%s', (label, entry, file) => {
      const body = entry.read(file);
      if (REFUSED_RESPONSES[label]) {
        expect(catchError(() => codec.decodeResponse(body)).message).toContain(REFUSED_RESPONSES[label]);
        return;
      }
      const decoded = codec.decodeResponse(body);
      const encoded = codec.encodeResponse(decoded, { model: body.model }) as any;
      expect(normaliseOutput(encoded.output)).toEqual(normaliseOutput(body.output));
      expect(encoded.usage).toMatchObject(withoutCacheWrite(body.usage));
      expect(encoded.status).toBe(body.status);
      expect(encoded.incomplete_details).toEqual(body.incomplete_details ?? null);
      expect(encoded.id).toBe(body.id);
    });
  });

  describe('streams', () => {
    const streamFiles = cases.flatMap((entry) =>
      ['response-streaming.json', 'followup-response-streaming.json']
        .filter((file) => entry.files.includes(file))
        .map((file) => ({ entry, file, label: `${entry.name}/${file}` })),
    );

    it.each(streamFiles.map(({ entry, file, label }) => [label, entry, file] as const))('%s', (label, entry, file) => {
      const upstreamEvents = entry.read<any[]>(file)!;
      const events = decodeStream(upstreamEvents);
      if (NOT_EVENT_STREAMS.has(label)) {
        expect(events).toEqual([{ type: 'error', error: expect.any(GatewayError) }]);
        return;
      }
      if (REFUSED_RESPONSES[label]) {
        const last = events.at(-1)!;
        expect(last.type).toBe('error');
        expect((last as { error: GatewayError }).error.message).toContain(REFUSED_RESPONSES[label]);
        return;
      }
      expectWellFormed(events);

      // Same call: the terminal event carries the whole response; the deltas must add up to it.
      const terminal = upstreamEvents.at(-1);
      expect(opaqueValuesPresent(collect(events))).toEqual(opaqueValuesPresent(codec.decodeResponse(terminal.response)));

      // The non-streamed capture of the same case ends the same way.
      const plainFile = file.replace('-streaming', '');
      if (entry.files.includes(plainFile) && !REFUSED_RESPONSES[`${entry.name}/${plainFile}`]) {
        expect(collect(events).finishReason).toBe(codec.decodeResponse(entry.read(plainFile)).finishReason);
      }

      // Round trip: canonical events → our SSE → decoded again → the same canonical events.
      const encoder = codec.createStreamEncoder({ model: terminal.response.model });
      const sse = events.map((event) => encoder.encode(event)).join('');
      expect(decodeSseText(sse)).toEqual(events);
    });

    it('a stream cut before its terminal event ends with an error event', () => {
      const upstreamEvents = cases.find((entry) => entry.name === 'toolCallRequest')!.read<any[]>('response-streaming.json')!;
      const events = decodeStream(upstreamEvents.slice(0, -1));
      const last = events.at(-1) as { type: string; error: GatewayError };
      expect(last.type).toBe('error');
      expect(last.error.kind).toBe('upstream');
      expect(events.some((event) => event.type === 'finish')).toBe(false);
    });
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

function decodeStream(upstreamEvents: any[]): StreamEvent[] {
  return decodeSseText(upstreamEvents.map((event) => formatSse(event, event.type)).join(''));
}

function decodeSseText(text: string): StreamEvent[] {
  const reader = new SseReader();
  const decoder = codec.createStreamDecoder();
  const messages = [...reader.push(text), ...reader.end()];
  return [...messages.flatMap((message) => decoder.decode(message)), ...decoder.end()];
}

/** start, parts (each opened before its part-end, never touched after it), one finish. */
function expectWellFormed(events: StreamEvent[]): void {
  expect(events[0].type).toBe('start');
  expect(events.at(-1)!.type).toBe('finish');
  expect(events.filter((event) => event.type === 'finish' || event.type === 'error')).toHaveLength(1);
  const ended = new Set<number>();
  for (const event of events) {
    if (!('index' in event)) continue;
    expect(ended.has(event.index)).toBe(false);
    if (event.type === 'part-end') ended.add(event.index);
  }
}

/** Folds canonical events into the ChatResponse they describe. */
function collect(events: StreamEvent[]): ChatResponse {
  const response: ChatResponse = { id: '', model: '', created: 0, content: [], finishReason: 'other', usage: EMPTY_USAGE };
  const parts = new Map<number, AssistantPart>();
  for (const event of events) {
    switch (event.type) {
      case 'start':
        Object.assign(response, { id: event.id, model: event.model, created: event.created });
        break;
      case 'text-delta': {
        const { type: _type, index, text, ...extra } = event;
        const part = parts.get(index) ?? { type: 'text', text: '', ...extra };
        (part as { text: string }).text += text;
        parts.set(index, part);
        break;
      }
      case 'reasoning-delta': {
        const { type: _type, index, text, ...extra } = event;
        const part = (parts.get(index) ?? { type: 'reasoning', text: '' }) as AssistantPart & { text: string };
        part.text += text ?? '';
        Object.assign(part, extra);
        parts.set(index, part);
        break;
      }
      case 'tool-call-start': {
        const { type: _type, index, ...call } = event;
        parts.set(index, { type: 'tool-call', arguments: '', ...call });
        break;
      }
      case 'tool-call-delta':
        (parts.get(event.index) as { arguments: string }).arguments += event.argumentsDelta;
        break;
      case 'finish':
        Object.assign(response, { finishReason: event.finishReason, rawFinishReason: event.rawFinishReason, usage: event.usage });
        break;
    }
  }
  response.content = [...parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  return response;
}

/** OpenAI re-encrypts reasoning for the terminal event: compare that encrypted_content is there, not its bytes. */
function opaqueValuesPresent(response: ChatResponse): ChatResponse {
  return {
    ...response,
    content: response.content.map((part) =>
      part.type === 'reasoning' && part.encryptedContent ? { ...part, encryptedContent: '(present)' } : part,
    ),
  };
}

function withoutCacheWrite(usage: any) {
  const { input_tokens_details, ...rest } = usage;
  return { ...rest, input_tokens_details: { cached_tokens: input_tokens_details.cached_tokens } };
}

function normaliseOutput(output: any[]): unknown[] {
  const skipped = new Set(['web_search_call', 'file_search_call', 'code_interpreter_call']);
  return output
    .filter((item) => !skipped.has(item.type))
    .map((item) => {
      switch (item.type) {
        case 'message':
          return { type: 'message', id: item.id, phase: item.phase ?? undefined, texts: item.content.map((part: any) => part.text ?? part.refusal) };
        case 'reasoning':
          return {
            type: 'reasoning',
            id: item.id,
            summary: item.summary.map((part: any) => part.text),
            content: (item.content ?? []).map((part: any) => part.text),
            encrypted: item.encrypted_content ?? undefined,
          };
        case 'function_call':
          return { type: 'function_call', id: item.id, call_id: item.call_id, name: item.name, arguments: item.arguments };
        default:
          return item;
      }
    });
}

/** The fields of a request body that change what the model sees or does, in one canonical shape. */
function normaliseRequest(body: any): unknown {
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  return {
    model: body.model,
    instructions: body.instructions ?? undefined,
    input: input.map(normaliseItem),
    tools: body.tools?.map((tool: any) => ({ ...tool, strict: tool.strict ?? false })),
    tool_choice: body.tool_choice,
    parallel_tool_calls: body.parallel_tool_calls,
    format: body.text?.format,
    max_output_tokens: body.max_output_tokens,
    temperature: body.temperature,
    top_p: body.top_p,
    reasoning: body.reasoning?.effort || body.reasoning?.summary ? { effort: body.reasoning.effort, summary: body.reasoning.summary } : undefined,
    user: body.safety_identifier ?? body.user,
    prompt_cache_key: body.prompt_cache_key,
    metadata: body.metadata,
    store: body.store,
    stream: body.stream || undefined,
  };
}

function normaliseItem(item: any): unknown {
  const type = item.type ?? 'message';
  switch (type) {
    case 'message': {
      const content = typeof item.content === 'string' ? [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }] : item.content;
      return {
        type,
        role: item.role,
        phase: item.phase ?? undefined,
        content: content.map(({ annotations: _a, logprobs: _l, prompt_cache_breakpoint: _b, ...part }: any) => part),
      };
    }
    case 'reasoning':
      return {
        type,
        id: item.id,
        summary: item.summary,
        content: item.content?.length ? item.content : undefined,
        encrypted_content: item.encrypted_content ?? undefined,
      };
    case 'function_call':
      return { type, call_id: item.call_id, name: item.name, arguments: item.arguments };
    default:
      return { type, call_id: item.call_id, output: item.output };
  }
}
