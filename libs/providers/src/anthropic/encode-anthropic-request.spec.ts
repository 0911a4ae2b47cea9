import { describe, expect, it } from 'vitest';
import { ChatMessage, ChatRequest, GatewayError, UserPart } from '../ir';
import { DEFAULT_MAX_TOKENS, encodeAnthropicRequest } from './encode-anthropic-request';

type Json = any;

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, ...overrides };
}

function encode(overrides: Partial<ChatRequest> = {}): Json {
  return encodeAnthropicRequest(request(overrides), 'claude-sonnet-4-5').body;
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

const weatherCall: ChatMessage = {
  role: 'assistant',
  content: [
    { type: 'text', text: 'Checking both.' },
    { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { type: 'tool-call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
  ],
};

describe('encodeAnthropicRequest: the basics', () => {
  it('targets /v1/messages with the upstream model, max_tokens and stream', () => {
    const upstream = encodeAnthropicRequest(request({ stream: true, maxOutputTokens: 300, user: 'u-1' }), 'claude-opus-4-6');
    expect(upstream).toEqual({
      path: '/v1/messages',
      body: {
        model: 'claude-opus-4-6',
        max_tokens: 300,
        messages: [{ role: 'user', content: 'Hi' }],
        metadata: { user_id: 'u-1' },
        stream: true,
      },
    });
  });

  it.each<[string, Partial<ChatRequest>, number]>([
    ['no limit', {}, DEFAULT_MAX_TOKENS],
    ['no limit with a thinking budget', { reasoning: { budgetTokens: 8000 } }, 8000 + DEFAULT_MAX_TOKENS],
    ['a limit', { maxOutputTokens: 123 }, 123],
  ])('max_tokens with %s', (_name, overrides, expected) => {
    expect(encode(overrides).max_tokens).toBe(expected);
  });

  it.each<[string, Partial<ChatRequest>, Json]>([
    ['no system', {}, undefined],
    ['one plain part', { system: [{ text: 'Be brief.' }] }, 'Be brief.'],
    [
      'several parts, developer ones included, cache markers kept',
      { system: [{ text: 'A' }, { text: 'B', role: 'developer', cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
      [
        { type: 'text', text: 'A' },
        { type: 'text', text: 'B', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
    ],
  ])('system: %s', (_name, overrides, expected) => {
    expect(encode(overrides).system).toEqual(expected);
  });

  it('passes sampling and stop sequences', () => {
    expect(encode({ temperature: 0.3, topP: 0.8, topK: 20, stopSequences: ['###'] })).toMatchObject({
      temperature: 0.3,
      top_p: 0.8,
      top_k: 20,
      stop_sequences: ['###'],
    });
  });
});

describe('encodeAnthropicRequest: turns', () => {
  it('turns tool messages into a user turn of tool_result blocks, merged with the user message after them', () => {
    const body = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
        weatherCall,
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '18°C' }] }] },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'call_2',
              isError: true,
              cacheControl: { type: 'ephemeral' },
              content: [
                { type: 'text', text: 'timeout' },
                { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
              ],
            },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Thanks!' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
          {
            type: 'tool_result',
            tool_use_id: 'call_2',
            is_error: true,
            cache_control: { type: 'ephemeral' },
            content: [
              { type: 'text', text: 'timeout' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            ],
          },
          { type: 'text', text: 'Thanks!' },
        ],
      },
    ]);
  });

  it('keeps tool results first when a user message came before them', () => {
    const body = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        weatherCall,
        { role: 'user', content: [{ type: 'text', text: 'note' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [] }] },
      ],
    });
    expect(body.messages[2].content).toEqual([{ type: 'tool_result', tool_use_id: 'call_1' }, { type: 'text', text: 'note' }]);
  });

  it('merges consecutive assistant messages and skips empty text parts', () => {
    const body = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'one', cacheControl: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'text', text: '' }, { type: 'text', text: 'two' }] },
      ],
    });
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'one', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'two' },
      ],
    });
  });

  it('sends a mid-conversation system message in place (the upstream decides whether the model takes it)', () => {
    const body = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'system', content: [{ text: 'Answer in French.' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'system', content: 'Answer in French.' },
    ]);
  });

  it('sends back Anthropic reasoning unchanged and drops other families’ reasoning', () => {
    const body = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'mine', provider: 'anthropic', signature: 'sig==' },
            { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'REDACTED' },
            { type: 'reasoning', text: 'openai summary', provider: 'openai', encryptedContent: 'gAAA', itemId: 'rs_1', summary: true },
            { type: 'reasoning', text: 'gemini thought', provider: 'gemini', signature: 'CiQB' },
            { type: 'reasoning', text: 'unsigned text' },
            { type: 'text', text: 'answer' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'more' }] },
        { role: 'assistant', content: [{ type: 'reasoning', text: 'only foreign', provider: 'openai', encryptedContent: 'x' }] },
        { role: 'user', content: [{ type: 'text', text: 'again' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'mine', signature: 'sig==' },
          { type: 'redacted_thinking', data: 'REDACTED' },
          { type: 'text', text: 'answer' },
        ],
      },
      // The assistant turn that held only foreign reasoning is gone; the user turns around it merge.
      {
        role: 'user',
        content: [
          { type: 'text', text: 'more' },
          { type: 'text', text: 'again' },
        ],
      },
    ]);
  });

  it('turns argument text into the input object: empty text is {}, ids are made Anthropic-safe on both sides', () => {
    const body = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'fc.1:x', name: 'now', arguments: '' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'fc.1:x', content: [{ type: 'text', text: 'noon' }] }] },
      ],
    });
    expect(body.messages[1].content).toEqual([{ type: 'tool_use', id: 'fc_1_x', name: 'now', input: {} }]);
    expect(body.messages[2].content).toEqual([{ type: 'tool_result', tool_use_id: 'fc_1_x', content: 'noon' }]);
  });

  it.each(['{"city":', '[1,2]', '"text"'])('refuses arguments %s that are not a JSON object', (text) => {
    const error = caught(() =>
      encode({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: text }] },
        ],
      }),
    );
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe('messages[1].content[0].arguments');
  });
});

describe('encodeAnthropicRequest: media', () => {
  function userBlocks(content: UserPart[]): Json {
    return encode({ messages: [{ role: 'user', content }] }).messages[0].content;
  }

  it('encodes images and files Anthropic can read', () => {
    expect(
      userBlocks([
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' }, detail: 'high' },
        { type: 'image', source: { type: 'url', url: 'data:image/png;base64,iVBOR' } },
        { type: 'image', source: { type: 'base64', mediaType: 'image/webp', data: 'UklG' }, cacheControl: { type: 'ephemeral' } },
        { type: 'file', mediaType: 'application/pdf', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0' }, filename: 'a.pdf' },
        { type: 'file', mediaType: 'application/pdf', source: { type: 'url', url: 'https://example.com/b.pdf' } },
        { type: 'file', mediaType: 'text/plain', source: { type: 'base64', mediaType: 'text/plain', data: Buffer.from('hello').toString('base64') } },
        { type: 'file', mediaType: 'image/gif', source: { type: 'base64', mediaType: 'image/gif', data: 'R0lG' } },
      ]),
    ).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklG' }, cache_control: { type: 'ephemeral' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0' }, title: 'a.pdf' },
      { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lG' } },
    ]);
  });

  it.each<[string, UserPart]>([
    ['a TIFF image', { type: 'image', source: { type: 'base64', mediaType: 'image/tiff', data: 'SUkq' } }],
    ['audio', { type: 'file', mediaType: 'audio/wav', source: { type: 'base64', mediaType: 'audio/wav', data: 'UklG' } }],
    ['a text file by URL', { type: 'file', mediaType: 'text/plain', source: { type: 'url', url: 'https://example.com/a.txt' } }],
  ])('refuses %s', (_name, part) => {
    const error = caught(() => userBlocks([part]));
    expect(error.kind).toBe('unsupported');
    expect(error.param).toBe('messages[0].content[0].source');
  });
});

describe('encodeAnthropicRequest: tools, reasoning, output format', () => {
  const tools: ChatRequest['tools'] = [
    { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
    { name: 'now', parameters: {}, cacheControl: { type: 'ephemeral' } },
  ];

  it('encodes tool definitions (an empty schema becomes an empty object schema)', () => {
    expect(encode({ tools }).tools).toEqual([
      { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
      { name: 'now', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } },
    ]);
  });

  it.each<[string, Partial<ChatRequest>, Json]>([
    ['nothing', {}, undefined],
    ['auto', { toolChoice: { type: 'auto' } }, { type: 'auto' }],
    ['required', { toolChoice: { type: 'required' } }, { type: 'any' }],
    ['a named tool', { toolChoice: { type: 'tool', name: 'now' } }, { type: 'tool', name: 'now' }],
    ['none', { toolChoice: { type: 'none' } }, { type: 'none' }],
    ['no parallel calls alone', { parallelToolCalls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    ['required without parallel calls', { toolChoice: { type: 'required' }, parallelToolCalls: false }, { type: 'any', disable_parallel_tool_use: true }],
    ['parallel calls allowed (the default)', { parallelToolCalls: true }, undefined],
  ])('tool_choice: %s', (_name, overrides, expected) => {
    expect(encode({ tools, ...overrides }).tool_choice).toEqual(expected);
  });

  it('leaves auto/none out without tools and refuses forcing a tool without tools', () => {
    expect(encode({ toolChoice: { type: 'none' } }).tool_choice).toBeUndefined();
    expect(caught(() => encode({ toolChoice: { type: 'required' } })).param).toBe('toolChoice');
  });

  it.each<[string, ChatRequest['reasoning'], Json, Json]>([
    ['a budget', { enabled: true, budgetTokens: 2048 }, { type: 'enabled', budget_tokens: 2048 }, undefined],
    ['enabled without budget', { enabled: true }, { type: 'adaptive' }, undefined],
    ['enabled with effort', { enabled: true, effort: 'xhigh' }, { type: 'adaptive' }, { effort: 'xhigh' }],
    ['effort alone', { effort: 'low' }, undefined, { effort: 'low' }],
    ['disabled with effort', { enabled: false, effort: 'high' }, { type: 'disabled' }, { effort: 'high' }],
    ['effort none', { effort: 'none' }, { type: 'disabled' }, undefined],
    ['a zero budget (Gemini off)', { budgetTokens: 0 }, { type: 'disabled' }, undefined],
    ['thoughts hidden', { budgetTokens: 1024, includeThoughts: false }, { type: 'enabled', budget_tokens: 1024, display: 'omitted' }, undefined],
    ['thoughts shown, summary asked', { enabled: true, includeThoughts: true, summary: 'detailed' }, { type: 'adaptive', display: 'summarized' }, undefined],
  ])('reasoning: %s', (_name, reasoning, thinking, outputConfig) => {
    const body = encode({ reasoning });
    expect(body.thinking).toEqual(thinking);
    expect(body.output_config).toEqual(outputConfig);
  });

  it('puts a json_schema response format (and its description) in output_config.format', () => {
    expect(
      encode({
        responseFormat: { type: 'json_schema', name: 'person', description: 'A person', strict: true, schema: { type: 'object' } },
        reasoning: { effort: 'medium' },
      }).output_config,
    ).toEqual({ effort: 'medium', format: { type: 'json_schema', schema: { type: 'object', description: 'A person' } } });
    expect(encode({ responseFormat: { type: 'text' } }).output_config).toBeUndefined();
  });

  it.each<[string, Partial<ChatRequest>, string]>([
    ['json_object', { responseFormat: { type: 'json_object' } }, 'responseFormat'],
    ['seed', { seed: 1 }, 'seed'],
    ['presence penalty', { presencePenalty: 0.5 }, 'presencePenalty'],
    ['frequency penalty', { frequencyPenalty: 0.5 }, 'frequencyPenalty'],
    ['several choices', { n: 2 }, 'n'],
    ['temperature above 1', { temperature: 1.5 }, 'temperature'],
    ['effort minimal', { reasoning: { effort: 'minimal' } }, 'reasoning.effort'],
  ])('refuses %s', (_name, overrides, param) => {
    const error = caught(() => encode(overrides));
    expect(error.kind).toBe('unsupported');
    expect(error.param).toBe(param);
  });

  it('ignores fields that only OpenAI upstreams honour', () => {
    const body = encode({ store: true, metadata: { a: 'b' }, promptCacheKey: 'k', streamUsage: true, n: 1 });
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });
});
