import { describe, expect, it } from 'vitest';
import { fixtureCases } from '../../../../test/support/fixtures';
import { AssistantPart, ChatResponse, GatewayError, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { formatSse } from '../sse/sse-writer';
import { geminiCodec } from './gemini.codec';
import * as gemini from './index';

/**
 * Replays every Google capture (../shared/fixtures/captures/snapshots/<case>/google).
 */
const CASES = fixtureCases('google');
const DEFAULT_MODEL = 'gemini-2.5-flash';

/** Requests the codec refuses on purpose: the feature has no IR equivalent. */
const REFUSED_REQUESTS: Record<string, { kind: 'unsupported' | 'invalid_request'; param: string }> = {
  'codeInterpreterToolParam/request.json': { kind: 'unsupported', param: 'tools[0].codeExecution' },
  'codeInterpreterToolParam/followup-request.json': { kind: 'unsupported', param: 'tools[0].codeExecution' },
  'imageConfigParam/request.json': { kind: 'unsupported', param: 'generationConfig.imageConfig' },
  // The follow-up replays the generated image as inlineData in the model turn.
  'imageConfigParam/followup-request.json': { kind: 'unsupported', param: 'contents[1].parts[0].inlineData' },
  'mediaResolutionParam/request.json': { kind: 'unsupported', param: 'generationConfig.mediaResolution' },
  'mediaResolutionParam/followup-request.json': { kind: 'unsupported', param: 'generationConfig.mediaResolution' },
  'responseModalitiesAudioParam/request.json': { kind: 'unsupported', param: 'generationConfig.responseModalities' },
  'speechConfigParam/request.json': { kind: 'unsupported', param: 'generationConfig.speechConfig' },
  'urlContextToolParam/request.json': { kind: 'unsupported', param: 'tools[0].urlContext' },
  'urlContextToolParam/followup-request.json': { kind: 'unsupported', param: 'tools[0].urlContext' },
  'webSearchToolAdvancedParam/request.json': { kind: 'unsupported', param: 'tools[0].googleSearch' },
  'webSearchToolAdvancedParam/followup-request.json': { kind: 'unsupported', param: 'tools[0].googleSearch' },
  'webSearchToolParam/request.json': { kind: 'unsupported', param: 'tools[0].googleSearch' },
  'webSearchToolParam/followup-request.json': { kind: 'unsupported', param: 'tools[0].googleSearch' },
};

/** Answers holding parts the IR cannot carry (code execution, generated images / audio): an upstream error. */
const REFUSED_RESPONSES = new Set([
  'codeInterpreterToolParam/response.json',
  'codeInterpreterToolParam/response-streaming.json',
  'imageConfigParam/response.json',
  'imageConfigParam/response-streaming.json',
  'responseModalitiesAudioParam/response.json',
  'responseModalitiesAudioParam/response-streaming.json',
  'speechConfigParam/response-streaming.json',
]);

const REQUEST_FILES = ['request.json', 'followup-request.json'];
const RESPONSE_FILES = ['response.json', 'followup-response.json'];
const STREAM_FILES = ['response-streaming.json', 'followup-response-streaming.json'];

const requestEntries = CASES.flatMap((entry) => REQUEST_FILES.filter((file) => entry.files.includes(file)).map((file) => ({ name: `${entry.name}/${file}`, body: entry.read(file) })));
const responseEntries = CASES.flatMap((entry) => RESPONSE_FILES.filter((file) => entry.files.includes(file)).map((file) => ({ name: `${entry.name}/${file}`, body: entry.read(file) })));
const streamEntries = CASES.flatMap((entry) =>
  STREAM_FILES.filter((file) => entry.files.includes(file)).map((file) => ({
    name: `${entry.name}/${file}`,
    chunks: entry.read<unknown[]>(file)!,
    nonStreamed: entry.read(file.replace('-streaming', '')),
  })),
);

// ---------- normalisers: the semantically relevant fields, written independently of the codec ----------

/** Legacy Schema and JSON Schema to one shape: lower-case types, no propertyOrdering. */
function normaliseSchema(schema: any): any {
  if (Array.isArray(schema)) return schema.map(normaliseSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const result: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'propertyOrdering') continue;
    if (key === 'type' && typeof value === 'string') result.type = value.toLowerCase();
    else if (key === 'properties') result.properties = Object.fromEntries(Object.entries(value as object).map(([name, sub]) => [name, normaliseSchema(sub)]));
    else result[key] = normaliseSchema(value);
  }
  return result;
}

/**
 * A functionResponse without id is matched to its call by name; the encoder
 * then names the call's id (Gemini's documented way), which the client may
 * have left out.
 */
function normalisePart(part: any): any {
  if (!part.functionResponse) return part;
  const { id: _id, ...functionResponse } = part.functionResponse;
  return { ...part, functionResponse };
}

function normaliseRequest(body: any): any {
  const config = { ...(body.generationConfig ?? {}) };
  if (config.responseSchema) {
    config.responseJsonSchema = config.responseSchema;
    delete config.responseSchema;
  }
  if (config.responseJsonSchema) config.responseJsonSchema = normaliseSchema(config.responseJsonSchema);
  if (config.responseMimeType === 'text/plain') delete config.responseMimeType;
  return {
    contents: body.contents.map((content: any) => ({ role: content.role ?? 'user', parts: (content.parts ?? []).map(normalisePart) })),
    systemInstruction: body.systemInstruction ? { parts: body.systemInstruction.parts } : undefined,
    tools: body.tools?.map((tool: any) => ({
      functionDeclarations: tool.functionDeclarations.map((declaration: any) => ({
        name: declaration.name,
        description: declaration.description,
        parametersJsonSchema: normaliseSchema(declaration.parametersJsonSchema ?? declaration.parameters),
      })),
    })),
    toolConfig: body.toolConfig,
    generationConfig: Object.keys(config).length > 0 ? config : undefined,
  };
}

function normaliseResponse(body: any): any {
  const candidate = body.candidates?.[0] ?? {};
  const usage = body.usageMetadata ?? {};
  return {
    parts: (candidate.content?.parts ?? []).filter((part: any) => !(part.text === '' && !part.thoughtSignature)),
    finishReason: candidate.finishReason,
    usage: {
      promptTokenCount: usage.promptTokenCount ?? 0,
      candidatesTokenCount: usage.candidatesTokenCount ?? 0,
      thoughtsTokenCount: usage.thoughtsTokenCount ?? 0,
      cachedContentTokenCount: usage.cachedContentTokenCount ?? 0,
      // Built-in tool prompt tokens are not in the IR (and their tools are refused).
      totalTokenCount: (usage.totalTokenCount ?? 0) - (usage.toolUsePromptTokenCount ?? 0),
    },
    responseId: body.responseId,
    modelVersion: body.modelVersion,
  };
}

function errorOf(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

// ---------- stream helpers ----------

function decodeStream(sseText: string): StreamEvent[] {
  const reader = new SseReader();
  const decoder = geminiCodec.createStreamDecoder();
  const events = [...reader.push(sseText), ...reader.end()].flatMap((message) => decoder.decode(message));
  return [...events, ...decoder.end()];
}

/** Folds stream events into the content a non-streamed answer would have. */
function aggregate(events: StreamEvent[]): { content: AssistantPart[]; finish?: Extract<StreamEvent, { type: 'finish' }> } {
  const parts = new Map<number, AssistantPart>();
  let finish: Extract<StreamEvent, { type: 'finish' }> | undefined;
  for (const event of events) {
    switch (event.type) {
      case 'text-delta': {
        const part = parts.get(event.index) ?? { type: 'text', text: '' };
        if (part.type === 'text') part.text += event.text;
        parts.set(event.index, part);
        break;
      }
      case 'reasoning-delta': {
        const part = parts.get(event.index) ?? { type: 'reasoning', text: '', provider: event.provider };
        if (part.type === 'reasoning') {
          part.text += event.text ?? '';
          if (event.signature) part.signature = event.signature;
        }
        parts.set(event.index, part);
        break;
      }
      case 'tool-call-start':
        parts.set(event.index, { type: 'tool-call', id: event.id, name: event.name, arguments: '', ...(event.thoughtSignature ? { thoughtSignature: event.thoughtSignature } : {}) });
        break;
      case 'tool-call-delta': {
        const part = parts.get(event.index);
        if (part?.type === 'tool-call') part.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        finish = event;
        break;
    }
  }
  return { content: [...parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part), finish };
}

/** What can be compared between two renderings of one answer: the texts, the calls, the signatures. */
function summary(content: AssistantPart[]) {
  return {
    text: content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''),
    reasoning: content.flatMap((part) => (part.type === 'reasoning' ? [part.text] : [])).join(''),
    signatures: content.flatMap((part) => (part.type === 'reasoning' && part.signature ? [part.signature] : part.type === 'tool-call' && part.thoughtSignature ? [part.thoughtSignature] : [])),
    calls: content.flatMap((part) => (part.type === 'tool-call' ? [{ name: part.name, arguments: JSON.parse(part.arguments) }] : [])),
  };
}

/** The chunks of a stream merged into one GenerateContentResponse, as the API would have answered it whole. */
function mergeChunks(chunks: any[]): any {
  const last = chunks[chunks.length - 1];
  const parts = chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []);
  return {
    ...last,
    candidates: [{ ...last.candidates[0], content: { role: 'model', parts } }],
    usageMetadata: [...chunks].reverse().find((chunk) => chunk.usageMetadata)?.usageMetadata,
  };
}

function withoutCreated(events: StreamEvent[]): unknown[] {
  return events.map((event) => {
    if (event.type === 'start') {
      const { created: _created, ...rest } = event;
      return rest;
    }
    if (event.type === 'error') return { type: 'error', kind: event.error.kind, message: event.error.message };
    return event;
  });
}

describe('gemini codec: wiring', () => {
  it('is exported with its API helpers', () => {
    expect(gemini.geminiCodec).toBe(geminiCodec);
    expect(geminiCodec.protocol).toBe('gemini');
    expect(gemini.geminiApi.generateContentPath('gemini-2.5-flash', true)).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(gemini.buildGeminiUpstreamHeaders('k')).toEqual({ 'content-type': 'application/json', 'x-goog-api-key': 'k' });
  });
});

// ---------- 1. requests ----------

describe('gemini codec: request captures', () => {
  it('covers every Google capture and lists the refused ones explicitly', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(41);
    const refused = requestEntries.filter((entry) => {
      try {
        geminiCodec.decodeRequest(entry.body, { model: entry.body.model ?? DEFAULT_MODEL });
        return false;
      } catch {
        return true;
      }
    });
    expect(refused.map((entry) => entry.name).sort()).toEqual(Object.keys(REFUSED_REQUESTS).sort());
  });

  it.each(requestEntries.filter((entry) => REFUSED_REQUESTS[entry.name]))('refuses $name deliberately', ({ name, body }) => {
    const error = errorOf(() => geminiCodec.decodeRequest(body, { model: body.model ?? DEFAULT_MODEL }));
    expect({ kind: error.kind, param: error.param }).toEqual(REFUSED_REQUESTS[name]);
  });

  it.each(requestEntries.filter((entry) => !REFUSED_REQUESTS[entry.name]))('round-trips $name', ({ body }) => {
    const model = body.model ?? DEFAULT_MODEL;
    const chat = geminiCodec.decodeRequest(body, { model, stream: false });
    expect(chat.model).toBe(model);
    const upstream = geminiCodec.encodeRequest(chat, model);
    expect(upstream.path).toBe(`/v1beta/models/${model}:generateContent`);
    expect(normaliseRequest(upstream.body)).toEqual(normaliseRequest(body));
  });
});

// ---------- 2. responses ----------

describe('gemini codec: response captures', () => {
  it.each(responseEntries.filter((entry) => !REFUSED_RESPONSES.has(entry.name)))('decodes and re-encodes $name', ({ body }) => {
    const response = geminiCodec.decodeResponse(body);
    expect(response.id).toBe(body.responseId);
    expect(response.model).toBe(body.modelVersion);
    const encoded = geminiCodec.encodeResponse(response, { model: body.modelVersion });
    expect(normaliseResponse(encoded)).toEqual(normaliseResponse(body));
  });

  it.each(responseEntries.filter((entry) => REFUSED_RESPONSES.has(entry.name)))('refuses $name as an upstream fault', ({ body }) => {
    expect(errorOf(() => geminiCodec.decodeResponse(body)).kind).toBe('upstream');
  });

  it('normalises usage: candidates exclude thoughts, prompt includes cache', () => {
    const entry = responseEntries.find((candidate) => candidate.name === 'thinkingLevelParam/response.json')!;
    expect(geminiCodec.decodeResponse(entry.body).usage).toEqual({
      inputTokens: 6,
      outputTokens: 215 + 348,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: 348,
    });
  });

  it('maps a functionCall with STOP to tool_calls and keeps id and signature', () => {
    const entry = responseEntries.find((candidate) => candidate.name === 'toolCallRequest/response.json')!;
    const response: ChatResponse = geminiCodec.decodeResponse(entry.body);
    expect(response.finishReason).toBe('tool_calls');
    expect(response.rawFinishReason).toBe('STOP');
    expect(response.content).toEqual([
      {
        type: 'tool-call',
        id: 'w6geog7o',
        name: 'get_weather',
        arguments: '{"location":"San Francisco, CA"}',
        thoughtSignature: entry.body.candidates[0].content.parts[0].thoughtSignature,
      },
    ]);
  });

  it('keeps a text part signature as a signature-only reasoning part before the text', () => {
    const entry = responseEntries.find((candidate) => candidate.name === 'thinkingLevelParam/response.json')!;
    const [thought, signature, text] = geminiCodec.decodeResponse(entry.body).content;
    expect(thought).toMatchObject({ type: 'reasoning', provider: 'gemini' });
    expect(signature).toEqual({ type: 'reasoning', text: '', provider: 'gemini', signature: entry.body.candidates[0].content.parts[1].thoughtSignature });
    expect(text).toMatchObject({ type: 'text' });
  });

  it('maps MAX_TOKENS to length', () => {
    const entry = responseEntries.find((candidate) => candidate.name === 'simpleRequestTruncated/response.json')!;
    expect(geminiCodec.decodeResponse(entry.body)).toMatchObject({ content: [], finishReason: 'length', rawFinishReason: 'MAX_TOKENS' });
  });
});

// ---------- 3. streams ----------

describe('gemini codec: stream captures', () => {
  const accepted = streamEntries.filter((entry) => !REFUSED_RESPONSES.has(entry.name));

  it.each(accepted)('decodes $name like the same answer given whole', ({ chunks }) => {
    const events = decodeStream(chunks.map((chunk) => formatSse(chunk)).join(''));
    expect(events[0].type).toBe('start');
    expect(events[events.length - 1].type).toBe('finish');
    expect(events.filter((event) => event.type === 'start' || event.type === 'finish' || event.type === 'error')).toHaveLength(2);

    const streamed = aggregate(events);
    const whole = geminiCodec.decodeResponse(mergeChunks(chunks));
    expect(summary(streamed.content)).toEqual(summary(whole.content));
    expect(streamed.finish).toMatchObject({ finishReason: whole.finishReason, rawFinishReason: whole.rawFinishReason, usage: whole.usage });
  });

  it.each(accepted.filter((entry) => entry.nonStreamed))('agrees with the non-streamed capture of $name where comparable', ({ chunks, nonStreamed }) => {
    // Streamed and non-streamed captures are two generations: their texts and counts differ; the model and the called tools do not.
    const streamed = aggregate(decodeStream(chunks.map((chunk) => formatSse(chunk)).join('')));
    const whole = geminiCodec.decodeResponse(nonStreamed);
    const start = decodeStream(formatSse(chunks[0]))[0];
    expect(start).toMatchObject({ type: 'start', model: whole.model });
    const calls = (content: AssistantPart[]) => content.flatMap((part) => (part.type === 'tool-call' ? [part.name] : []));
    if (calls(whole.content).length > 0 && calls(streamed.content).length > 0) expect(calls(streamed.content)).toEqual(calls(whole.content));
  });

  it.each(accepted)('round-trips $name through the stream encoder', ({ chunks }) => {
    const events = decodeStream(chunks.map((chunk) => formatSse(chunk)).join(''));
    const start = events[0] as Extract<StreamEvent, { type: 'start' }>;
    const encoder = geminiCodec.createStreamEncoder({ model: start.model });
    const sse = events.map((event) => encoder.encode(event)).join('');
    expect(sse).not.toMatch(/^event:/m);
    expect(withoutCreated(decodeStream(sse))).toEqual(withoutCreated(events));
  });

  it.each(streamEntries.filter((entry) => REFUSED_RESPONSES.has(entry.name)))('ends $name with an upstream error', ({ chunks }) => {
    const events = decodeStream(chunks.map((chunk) => formatSse(chunk)).join(''));
    const last = events[events.length - 1];
    expect(last.type).toBe('error');
    expect(last.type === 'error' && last.error.kind).toBe('upstream');
  });

  // ---------- 4. cut streams ----------

  it.each(accepted)('turns $name cut before its last chunk into an error', ({ chunks }) => {
    const reader = new SseReader();
    const decoder = geminiCodec.createStreamDecoder();
    const events = chunks
      .slice(0, -1)
      .flatMap((chunk) => reader.push(formatSse(chunk)))
      .flatMap((message) => decoder.decode(message));
    expect(events.some((event) => event.type === 'finish')).toBe(false);
    const ending = decoder.end();
    expect(ending).toHaveLength(1);
    expect(ending[0].type).toBe('error');
    expect(decoder.end()).toEqual([]);
  });
});
