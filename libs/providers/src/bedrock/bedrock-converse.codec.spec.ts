import { describe, expect, it } from 'vitest';
import { fixtureCase, fixtureCases } from '../../../../test/support/fixtures';
import { ChatResponse, GatewayError, StreamEvent } from '../ir';
import { openAiChatCodec } from '../openai-chat';
import { bedrockConverseCodec } from './bedrock-converse.codec';

/**
 * Replays the real Bedrock Converse captures (../shared/fixtures, provider
 * `bedrock`): the body we send for the same conversation, and every answer
 * and stream decoded. The captures hold the SDK's input (modelId in the
 * body, blobs as byte arrays); the wire carries neither.
 */
type Json = any;

const cases = fixtureCases('bedrock');

/** A captured SDK input as the JSON wire body: no modelId, blobs as base64, no echoed toolUse type. */
function wireBody(input: Json): Json {
  const { modelId: _modelId, ...body } = structuredClone(input);
  const visit = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== 'object') return value;
    if (value.bytes !== undefined) {
      const bytes = value.bytes.type === 'Buffer' ? value.bytes.data : Object.keys(value.bytes).map((key) => value.bytes[key]);
      return { ...value, bytes: Buffer.from(bytes).toString('base64') };
    }
    const result: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'type' && value.toolUseId !== undefined) continue;
      result[key] = visit(inner);
    }
    return result;
  };
  return visit(body);
}

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a location',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
      required: ['location'],
    },
  },
};

function base64Bytes(input: Json, path: (request: Json) => Json): string {
  return path(wireBody(input));
}

/** The same conversations as OpenAI Chat clients send them; the encoded body must equal the capture's. */
const REQUESTS: Array<{ name: string; file: string; chat: (capture: Json) => Json }> = [
  { name: 'simpleRequest', file: 'request.json', chat: () => ({ messages: [{ role: 'user', content: 'What is the capital of France?' }] }) },
  {
    name: 'complexReasoningRequest',
    file: 'request.json',
    chat: (capture) => ({ messages: [{ role: 'user', content: capture.messages[0].content[0].text }], max_completion_tokens: 20_000 }),
  },
  {
    name: 'toolCallRequest',
    file: 'request.json',
    chat: () => ({ messages: [{ role: 'user', content: "What's the weather like in San Francisco?" }], tools: [WEATHER_TOOL], tool_choice: 'required' }),
  },
  {
    name: 'toolCallRequest',
    file: 'followup-request.json',
    chat: () => ({
      messages: [
        { role: 'user', content: "What's the weather like in San Francisco?" },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'tooluse_BdVLcdnxF0Mosfa6fJKgC0', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } }],
        },
        { role: 'tool', tool_call_id: 'tooluse_BdVLcdnxF0Mosfa6fJKgC0', content: '71 degrees' },
      ],
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
    }),
  },
  {
    name: 'multimodalRequest',
    file: 'request.json',
    chat: (capture) => ({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What do you see in this image?' },
            { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${base64Bytes(capture, (body) => body.messages[0].content[1].image.source.bytes)}` } },
          ],
        },
      ],
      max_completion_tokens: capture.inferenceConfig?.maxTokens,
    }),
  },
];

describe('Bedrock Converse codec: request bodies of the captured conversations', () => {
  for (const entry of REQUESTS) {
    it(`${entry.name}/${entry.file}`, () => {
      const capture = fixtureCase(entry.name, 'bedrock').read(entry.file);
      const chat = openAiChatCodec.decodeRequest({ model: 'gateway-model', ...entry.chat(capture) });
      const encoded = bedrockConverseCodec.encodeRequest(chat, capture.modelId);
      expect(encoded.path).toBe(`/model/${capture.modelId.replace(':', '%3A')}/converse`);
      expect(encoded.body).toEqual(wireBody(capture));
    });
  }

  it('a captured document: inline bytes, format from the media type, name without extension (bedrockDocumentCitationStreamingParam)', () => {
    const capture = wireBody(fixtureCase('bedrockDocumentCitationStreamingParam', 'bedrock').read('request.json'));
    const document = capture.messages[0].content[0].document;
    const chat = openAiChatCodec.decodeRequest({
      model: 'gateway-model',
      stream: true,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'file', file: { filename: 'gateway-release-notes.txt', file_data: `data:text/plain;base64,${document.source.bytes}` } },
            { type: 'text', text: capture.messages[0].content[1].text },
          ],
        },
      ],
    });
    const encoded = bedrockConverseCodec.encodeRequest(chat, 'amazon.nova-pro-v1:0');
    expect(encoded.path).toBe('/model/amazon.nova-pro-v1%3A0/converse-stream');
    expect(encoded.body).toEqual(capture);
  });
});

// ------------------------------------------------------------------ answers

const FINISH: Record<string, string> = { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length' };

function textOf(content: ChatResponse['content']): string {
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function normalisedUsage(usage: Json): ChatResponse['usage'] {
  const read = usage.cacheReadInputTokens ?? 0;
  const write = usage.cacheWriteInputTokens ?? 0;
  return { inputTokens: usage.inputTokens + read + write, outputTokens: usage.outputTokens, cachedInputTokens: read, cacheWriteInputTokens: write, reasoningTokens: 0 };
}

function decodeStream(events: Json[]): StreamEvent[] {
  const decoder = bedrockConverseCodec.createStreamDecoder();
  const out = events.flatMap((event) => {
    const [name, payload] = Object.entries(event)[0];
    return decoder.decode({ event: name, data: JSON.stringify(payload) });
  });
  return [...out, ...decoder.end()];
}

describe('Bedrock Converse codec: every captured answer', () => {
  for (const capture of cases) {
    for (const file of capture.files.filter((name) => /response\.json$/.test(name))) {
      it(`${capture.name}/${file}`, () => {
        const body = capture.read(file);
        const response = bedrockConverseCodec.decodeResponse(body);
        const blocks: Json[] = body.output.message.content;
        expect(textOf(response.content)).toBe(blocks.map((block) => block.text ?? '').join(''));
        expect(response.content.filter((part) => part.type === 'tool-call')).toEqual(
          blocks.filter((block) => block.toolUse).map((block) => ({ type: 'tool-call', id: block.toolUse.toolUseId, name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input) })),
        );
        expect(response.finishReason).toBe(FINISH[body.stopReason]);
        expect(response.rawFinishReason).toBe(body.stopReason);
        expect(response.usage).toEqual(normalisedUsage(body.usage));
        expect(response.id).toMatch(/^bedrock-[0-9a-f]{32}$/);
      });
    }
    for (const file of capture.files.filter((name) => /response-streaming\.json$/.test(name))) {
      it(`${capture.name}/${file} (stream)`, () => {
        const events: Json[] = capture.read(file)!;
        const decoded = decodeStream(events);
        expect(decoded[0].type).toBe('start');
        const text = decoded.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');
        expect(text).toBe(events.map((event) => event.contentBlockDelta?.delta?.text ?? '').join(''));
        const starts = events.filter((event) => event.contentBlockStart?.start?.toolUse);
        expect(decoded.filter((event) => event.type === 'tool-call-start')).toEqual(
          starts.map((event) => ({ type: 'tool-call-start', index: event.contentBlockStart.contentBlockIndex, id: event.contentBlockStart.start.toolUse.toolUseId, name: event.contentBlockStart.start.toolUse.name })),
        );
        if (starts.length > 0) {
          const args = decoded.map((event) => (event.type === 'tool-call-delta' ? event.argumentsDelta : '')).join('');
          expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA' });
        }
        const stop = events.find((event) => event.messageStop).messageStop.stopReason;
        expect(decoded.at(-1)).toEqual({
          type: 'finish',
          finishReason: FINISH[stop],
          rawFinishReason: stop,
          usage: normalisedUsage(events.find((event) => event.metadata).metadata.usage),
        });
        expect(decoded.filter((event) => event.type === 'part-end')).toHaveLength(events.filter((event) => event.contentBlockStop).length);
      });
    }
  }

  it('reasoning (signed and redacted), tool use and cache usage in one answer', () => {
    const response = bedrockConverseCodec.decodeResponse({
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'Think about the weather.', signature: 'sig-1' } } },
            { reasoningContent: { redactedContent: 'cmVkYWN0ZWQ=' } },
            { text: 'Checking.' },
            { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { location: 'Paris' } } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 12, outputTokens: 30, totalTokens: 2_042, cacheReadInputTokens: 1_500, cacheWriteInputTokens: 500 },
      metrics: { latencyMs: 10 },
    });
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'Think about the weather.', signature: 'sig-1' },
      { type: 'reasoning', text: '', redactedData: 'cmVkYWN0ZWQ=' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', id: 'tooluse_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
    ]);
    // inputTokens excludes the cache: 12 + 1,500 read + 500 written = 2,012 prompt tokens (totalTokens 2,042 = that + 30 out).
    expect(response.usage).toEqual({ inputTokens: 2_012, outputTokens: 30, cachedInputTokens: 1_500, cacheWriteInputTokens: 500, reasoningTokens: 0 });
    expect(response.finishReason).toBe('tool_calls');
  });

  it('streamed reasoning, a tool call without arguments and cache usage', () => {
    const events = decodeStream([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Hmm, ' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'the time.' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'sig-2' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_2', name: 'now' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '' } } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: 'tool_use' } },
      { metadata: { usage: { inputTokens: 3, outputTokens: 9, totalTokens: 112, cacheReadInputTokens: 100 }, metrics: { latencyMs: 5 } } },
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'reasoning-delta', index: 0, text: 'Hmm, ' },
      { type: 'reasoning-delta', index: 0, text: 'the time.' },
      { type: 'reasoning-delta', index: 0, signature: 'sig-2' },
      { type: 'part-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'tooluse_2', name: 'now' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'part-end', index: 1 },
      {
        type: 'finish',
        finishReason: 'tool_calls',
        rawFinishReason: 'tool_use',
        usage: { inputTokens: 103, outputTokens: 9, cachedInputTokens: 100, cacheWriteInputTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it.each<[string, Json[], string]>([
    ['nothing after messageStart', [{ messageStart: { role: 'assistant' } }], 'upstream'],
    ['messageStop without its metadata', [{ messageStart: { role: 'assistant' } }, { messageStop: { stopReason: 'end_turn' } }], 'upstream'],
    ['a throttling exception', [{ messageStart: { role: 'assistant' } }, { throttlingException: { message: 'Too many tokens, please wait' } }], 'rate_limit'],
    ['a model stream error', [{ modelStreamErrorException: { message: 'the model failed', originalStatusCode: 500 } }], 'upstream'],
    ['a validation exception', [{ validationException: { message: 'bad input' } }], 'invalid_request'],
    ['a service unavailable exception', [{ serviceUnavailableException: { message: 'try later' } }], 'overloaded'],
  ])('ends %s with an error event and no finish', (_name, events, kind) => {
    const decoded = decodeStream(events);
    const last = decoded.at(-1)!;
    expect(decoded.some((event) => event.type === 'finish')).toBe(false);
    expect(last.type).toBe('error');
    expect((last as { error: GatewayError }).error.kind).toBe(kind);
  });

  it('answers it cannot carry fail loudly', () => {
    expect(() => bedrockConverseCodec.decodeResponse({ output: {} })).toThrow(GatewayError);
    expect(() =>
      bedrockConverseCodec.decodeResponse({ output: { message: { role: 'assistant', content: [{ image: { format: 'png', source: { bytes: 'AA==' } } }] } }, stopReason: 'end_turn' }),
    ).toThrow(/'image' content block/);
  });
});
