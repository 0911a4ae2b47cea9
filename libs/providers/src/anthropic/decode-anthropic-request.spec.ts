import { describe, expect, it } from 'vitest';
import { GatewayError } from '../ir';
import { decodeAnthropicRequest } from './decode-anthropic-request';

type Json = any;

function body(overrides: Json = {}): Json {
  return { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }], ...overrides };
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

describe('decodeAnthropicRequest: invalid client bodies', () => {
  it.each<[string, unknown, string | undefined]>([
    ['a body that is not an object', [], undefined],
    ['no model', { max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ['no max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    ['a negative max_tokens', body({ max_tokens: -1 }), 'max_tokens'],
    ['a fractional max_tokens', body({ max_tokens: 1.5 }), 'max_tokens'],
    ['no messages', { model: 'm', max_tokens: 10 }, 'messages'],
    ['messages not an array', body({ messages: 'hi' }), 'messages'],
    ['no message at all', body({ messages: [] }), 'messages'],
    ['an unknown role', body({ messages: [{ role: 'tool', content: 'x' }] }), 'messages[0].role'],
    ['a message without content', body({ messages: [{ role: 'user' }] }), 'messages[0].content'],
    ['content of the wrong type', body({ messages: [{ role: 'user', content: 42 }] }), 'messages[0].content'],
    ['a block without type', body({ messages: [{ role: 'user', content: [{ text: 'x' }] }] }), 'messages[0].content[0].type'],
    ['an unknown block type', body({ messages: [{ role: 'user', content: [{ type: 'video' }] }] }), 'messages[0].content[0].type'],
    ['a text block without text', body({ messages: [{ role: 'user', content: [{ type: 'text' }] }] }), 'messages[0].content[0].text'],
    [
      'tool_use in a user message',
      body({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {} }] }] }),
      'messages[0].content[0].type',
    ],
    [
      'tool_result in an assistant message',
      body({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] }),
      'messages[1].content[0].type',
    ],
    [
      'a tool_use input that is not an object',
      body({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: '{}' }] }] }),
      'messages[1].content[0].input',
    ],
    [
      'a tool_result without tool_use_id',
      body({ messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] }),
      'messages[0].content[0].tool_use_id',
    ],
    ['an image without source', body({ messages: [{ role: 'user', content: [{ type: 'image' }] }] }), 'messages[0].content[0].source'],
    [
      'an image with an unknown source type',
      body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'ftp', url: 'x' } }] }] }),
      'messages[0].content[0].source.type',
    ],
    [
      'a cache_control of another type',
      body({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] }),
      'messages[0].content[0].cache_control',
    ],
    [
      'a cache_control ttl of 2h',
      body({ system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '2h' } }] }),
      'system[0].cache_control.ttl',
    ],
    ['a system block that is not text', body({ system: [{ type: 'image' }] }), 'system[0].type'],
    ['a system of the wrong type', body({ system: 5 }), 'system'],
    ['a tool without input_schema', body({ tools: [{ name: 'f' }] }), 'tools[0].input_schema'],
    ['a tool without name', body({ tools: [{ input_schema: { type: 'object' } }] }), 'tools[0].name'],
    ['an unknown tool_choice', body({ tool_choice: { type: 'required' } }), 'tool_choice.type'],
    ['tool_choice tool without name', body({ tool_choice: { type: 'tool' } }), 'tool_choice.name'],
    ['thinking enabled without budget', body({ thinking: { type: 'enabled' } }), 'thinking.budget_tokens'],
    ['an unknown thinking type', body({ thinking: { type: 'on' } }), 'thinking.type'],
    ['an unknown effort', body({ output_config: { effort: 'minimal' } }), 'output_config.effort'],
    ['an unknown output_config field', body({ output_config: { verbosity: 'low' } }), 'output_config.verbosity'],
    ['a json_schema format without schema', body({ output_config: { format: { type: 'json_schema' } } }), 'output_config.format.schema'],
    [
      'both output_format and output_config.format',
      body({ output_format: { type: 'json_schema', schema: {} }, output_config: { format: { type: 'json_schema', schema: {} } } }),
      'output_format',
    ],
    ['temperature as a string', body({ temperature: '0.5' }), 'temperature'],
    ['top_k fractional', body({ top_k: 2.5 }), 'top_k'],
    ['stop_sequences with a number', body({ stop_sequences: ['a', 1] }), 'stop_sequences[1]'],
    ['metadata.user_id as a number', body({ metadata: { user_id: 7 } }), 'metadata.user_id'],
    ['stream as a string', body({ stream: 'yes' }), 'stream'],
    ['an unknown top-level field', body({ frequency_penalty: 0.5 }), 'frequency_penalty'],
    ['an unknown service tier', body({ service_tier: 'flex' }), 'service_tier'],
  ])('%s → invalid_request', (_name, input, param) => {
    const error = caught(() => decodeAnthropicRequest(input));
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});

describe('decodeAnthropicRequest: valid Anthropic features the IR cannot carry', () => {
  it.each<[string, unknown, string]>([
    ['container', body({ container: 'cntr_1' }), 'container'],
    ['context_management', body({ context_management: { edits: [] } }), 'context_management'],
    ['mcp_servers', body({ mcp_servers: [{ type: 'url', url: 'https://mcp', name: 'x' }] }), 'mcp_servers'],
    ['inference_geo', body({ inference_geo: 'us' }), 'inference_geo'],
    ['speed', body({ speed: 'fast' }), 'speed'],
    ['service_tier standard_only', body({ service_tier: 'standard_only' }), 'service_tier'],
    ['a web search tool', body({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }), 'tools[0].type'],
    ['computer use', body({ tools: [{ type: 'computer_20250124', name: 'computer', display_width_px: 1 }] }), 'tools[0].type'],
    [
      'allowed_callers',
      body({ tools: [{ name: 'f', input_schema: { type: 'object' }, allowed_callers: ['code_execution_20250825'] }] }),
      'tools[0].allowed_callers',
    ],
    ['defer_loading', body({ tools: [{ name: 'f', input_schema: { type: 'object' }, defer_loading: true }] }), 'tools[0].defer_loading'],
    [
      'input_examples',
      body({ tools: [{ name: 'f', input_schema: { type: 'object' }, input_examples: [{ a: 1 }] }] }),
      'tools[0].input_examples',
    ],
    [
      'a Files API image',
      body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }] }),
      'messages[0].content[0].source.type',
    ],
    [
      'document citations',
      body({
        messages: [
          { role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' }, citations: { enabled: true } }] },
        ],
      }),
      'messages[0].content[0].citations',
    ],
    [
      'document context',
      body({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' }, context: 'c' }] }] }),
      'messages[0].content[0].context',
    ],
    [
      'a content document source',
      body({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'content', content: 'x' } }] }] }),
      'messages[0].content[0].source.type',
    ],
    [
      'text with citations',
      body({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [{ type: 'text', text: 'a', citations: [{ type: 'char_location', cited_text: 'x' }] }] },
        ],
      }),
      'messages[1].content[0].citations',
    ],
    [
      'a search_result block',
      body({ messages: [{ role: 'user', content: [{ type: 'search_result', source: 's', title: 't', content: [] }] }] }),
      'messages[0].content[0].type',
    ],
    [
      'a tool_reference in a tool result',
      body({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: [{ type: 'tool_reference', tool_name: 'f' }] }] }] }),
      'messages[0].content[0].content[0].type',
    ],
    [
      'cache_control on tool_use',
      body({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {}, cache_control: { type: 'ephemeral' } }] },
        ],
      }),
      'messages[1].content[0].cache_control',
    ],
    [
      'a tool_use called from code execution',
      body({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'f', input: {}, caller: { type: 'code_execution_20250825', tool_id: 's' } }] },
        ],
      }),
      'messages[1].content[0].caller',
    ],
  ])('%s → unsupported', (_name, input, param) => {
    const error = caught(() => decodeAnthropicRequest(input));
    expect(error.kind).toBe('unsupported');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});

describe('decodeAnthropicRequest: translation', () => {
  it('splits tool results out of a user turn, results first, keeping order, ids and errors', () => {
    const request = decodeAnthropicRequest(
      body({
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'let me see', signature: 'sig-1' },
              { type: 'redacted_thinking', data: 'opaque' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: 2 } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C', cache_control: { type: 'ephemeral' } },
              {
                type: 'tool_result',
                tool_use_id: 'toolu_2',
                is_error: true,
                content: [
                  { type: 'text', text: 'failed' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
                ],
              },
              { type: 'text', text: 'and tomorrow?' },
            ],
          },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'let me see', provider: 'anthropic', signature: 'sig-1' },
          { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris","days":2}' },
          { type: 'tool-call', id: 'toolu_2', name: 'get_time', arguments: '{}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'toolu_1', content: [{ type: 'text', text: '18°C' }], cacheControl: { type: 'ephemeral' } },
          {
            type: 'tool-result',
            toolCallId: 'toolu_2',
            isError: true,
            content: [
              { type: 'text', text: 'failed' },
              { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
            ],
          },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'and tomorrow?' }] },
    ]);
  });

  it('reads system as a string or blocks with cache_control; a leading system message joins it, a later one stays in place', () => {
    const request = decodeAnthropicRequest(
      body({
        system: [
          { type: 'text', text: 'You are terse.' },
          { type: 'text', text: 'Big context.', cache_control: { type: 'ephemeral', ttl: '1h' } },
        ],
        messages: [
          { role: 'system', content: 'Also polite.' },
          { role: 'user', content: 'Hi' },
          { role: 'system', content: [{ type: 'text', text: 'Now answer in French.' }] },
        ],
      }),
    );
    expect(request.system).toEqual([
      { text: 'You are terse.' },
      { text: 'Big context.', cacheControl: { type: 'ephemeral', ttl: '1h' } },
      { text: 'Also polite.' },
    ]);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'system', content: [{ text: 'Now answer in French.' }] },
    ]);
    expect(decodeAnthropicRequest(body({ system: 'Be brief.' })).system).toEqual([{ text: 'Be brief.' }]);
  });

  it('reads images and documents as media parts', () => {
    const request = decodeAnthropicRequest(
      body({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' }, cache_control: { type: 'ephemeral' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0' }, title: 'report.pdf' },
              { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' } },
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Sample text.' }, title: 'Doc' },
            ],
          },
        ],
      }),
    );
    expect(request.messages[0].content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' }, cacheControl: { type: 'ephemeral' } },
      { type: 'file', mediaType: 'application/pdf', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0' }, filename: 'report.pdf' },
      { type: 'file', mediaType: 'application/pdf', source: { type: 'url', url: 'https://example.com/b.pdf', mediaType: 'application/pdf' } },
      {
        type: 'file',
        mediaType: 'text/plain',
        source: { type: 'base64', mediaType: 'text/plain', data: Buffer.from('Sample text.').toString('base64') },
        filename: 'Doc',
      },
    ]);
  });

  it.each<[string, Json, Json]>([
    ['tool_choice auto', { tool_choice: { type: 'auto' } }, { toolChoice: { type: 'auto' } }],
    ['tool_choice any', { tool_choice: { type: 'any' } }, { toolChoice: { type: 'required' } }],
    ['tool_choice tool', { tool_choice: { type: 'tool', name: 'f' } }, { toolChoice: { type: 'tool', name: 'f' } }],
    ['tool_choice none', { tool_choice: { type: 'none' } }, { toolChoice: { type: 'none' } }],
    ['disable_parallel_tool_use', { tool_choice: { type: 'any', disable_parallel_tool_use: true } }, { toolChoice: { type: 'required' }, parallelToolCalls: false }],
    ['thinking enabled', { thinking: { type: 'enabled', budget_tokens: 2048 } }, { reasoning: { enabled: true, budgetTokens: 2048 } }],
    ['thinking adaptive + effort', { thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }, { reasoning: { enabled: true, effort: 'max' } }],
    ['thinking display omitted', { thinking: { type: 'adaptive', display: 'omitted' } }, { reasoning: { enabled: true, includeThoughts: false } }],
    ['thinking disabled + effort', { thinking: { type: 'disabled' }, output_config: { effort: 'high' } }, { reasoning: { enabled: false, effort: 'high' } }],
    ['effort alone', { output_config: { effort: 'low' } }, { reasoning: { effort: 'low' } }],
    [
      'output_config.format',
      { output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } },
      { responseFormat: { type: 'json_schema', schema: { type: 'object' } } },
    ],
    [
      'legacy output_format',
      { output_format: { type: 'json_schema', schema: { type: 'object' } } },
      { responseFormat: { type: 'json_schema', schema: { type: 'object' } } },
    ],
    [
      'sampling and stop',
      { temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['END'] },
      { temperature: 0.2, topP: 0.9, topK: 40, stopSequences: ['END'] },
    ],
    ['metadata.user_id', { metadata: { user_id: 'user-1' } }, { user: 'user-1' }],
    ['stream', { stream: true }, { stream: true }],
    ['service_tier auto (the default)', { service_tier: 'auto' }, { stream: false }],
    ['max_tokens 0 (cache pre-warm)', { max_tokens: 0 }, { maxOutputTokens: 0 }],
    [
      'a custom tool',
      { tools: [{ type: 'custom', name: 'f', description: 'd', input_schema: { type: 'object' }, strict: true, cache_control: { type: 'ephemeral' } }] },
      { tools: [{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true, cacheControl: { type: 'ephemeral' } }] },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(decodeAnthropicRequest(body(overrides))).toMatchObject(expected);
  });

  it('places a top-level cache_control on the last cacheable block, skipping thinking', () => {
    const request = decodeAnthropicRequest(
      body({
        cache_control: { type: 'ephemeral' },
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [{ type: 'text', text: 'prefill' }, { type: 'thinking', thinking: 't', signature: 's' }] },
        ],
      }),
    );
    expect(request.messages[1].content[0]).toEqual({ type: 'text', text: 'prefill', cacheControl: { type: 'ephemeral' } });
  });

  it('takes the model from the route when the body has none (Vertex-style bodies)', () => {
    const request = decodeAnthropicRequest(
      { anthropic_version: 'vertex-2023-10-16', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      { model: 'claude-sonnet-4-5' },
    );
    expect(request.model).toBe('claude-sonnet-4-5');
  });
});
