import { describe, expect, it } from 'vitest';
import { ChatMessage, ChatRequest, GatewayError } from '../ir';
import { encodeOpenAiChatRequest } from './encode-openai-chat-request';

const hi: ChatMessage = { role: 'user', content: [{ type: 'text', text: 'Hi' }] };
const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'alias', system: [], messages: [hi], stream: false, ...extra });

function encodeError(input: ChatRequest): GatewayError {
  try {
    encodeOpenAiChatRequest(input, 'gpt-5-nano');
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('encodeOpenAiChatRequest', () => {
  it('sends the upstream model to /chat/completions, nothing unasked', () => {
    expect(encodeOpenAiChatRequest(request(), 'gpt-5-nano')).toEqual({
      path: '/chat/completions',
      body: { model: 'gpt-5-nano', messages: [{ role: 'user', content: 'Hi' }] },
    });
  });

  it.each<[string, Partial<ChatRequest>, Record<string, unknown>]>([
    [
      'system parts: consecutive parts of one role are one message, roles kept, cache hints dropped',
      {
        system: [
          { text: 'A', cacheControl: { type: 'ephemeral', ttl: '1h' } },
          { text: 'B', role: 'system' },
          { text: 'C', role: 'developer' },
        ],
      },
      {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }] },
          { role: 'developer', content: 'C' },
          { role: 'user', content: 'Hi' },
        ],
      },
    ],
    [
      'a mid-conversation system message stays in place',
      { messages: [hi, { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }, { role: 'system', content: [{ text: 'Be formal.' }] }, hi] },
      {
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello' },
          { role: 'system', content: 'Be formal.' },
          { role: 'user', content: 'Hi' },
        ],
      },
    ],
    [
      'user media: images, image files, wav and mp3 audio, PDFs (with a made-up name when none)',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look', cacheControl: { type: 'ephemeral' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' }, detail: 'high' },
              { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBO' } },
              { type: 'file', mediaType: 'image/jpeg', source: { type: 'base64', mediaType: 'image/jpeg', data: '/9j/' } },
              { type: 'file', mediaType: 'audio/wav', source: { type: 'base64', mediaType: 'audio/wav', data: 'UklG' } },
              { type: 'file', mediaType: 'audio/mpeg', source: { type: 'base64', mediaType: 'audio/mpeg', data: 'SUQz' } },
              { type: 'file', mediaType: 'application/pdf', filename: 'r.pdf', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBE' } },
              { type: 'file', mediaType: 'application/pdf', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBE' } },
            ],
          },
        ],
      },
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } },
              { type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } },
              { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
              { type: 'file', file: { filename: 'r.pdf', file_data: 'data:application/pdf;base64,JVBE' } },
              { type: 'file', file: { filename: 'document.pdf', file_data: 'data:application/pdf;base64,JVBE' } },
            ],
          },
        ],
      },
    ],
    [
      'assistant history: reasoning dropped (any family), text and tool calls kept, empty turns kept as ""',
      {
        messages: [
          hi,
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'hmm', provider: 'anthropic', signature: 'sig' },
              { type: 'text', text: 'Let me check.' },
              { type: 'tool-call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}', thoughtSignature: 'ts' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', content: [{ type: 'text', text: '18C' }], isError: true }] },
          { role: 'assistant', content: [{ type: 'tool-call', id: 'call_2', name: 'time', arguments: '{}' }] },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: 'call_2', content: [{ type: 'text', text: '10:00' }, { type: 'text', text: 'CET' }] },
              { type: 'tool-result', toolCallId: 'call_3', content: [] },
            ],
          },
          { role: 'assistant', content: [{ type: 'reasoning', text: '', provider: 'openai', encryptedContent: 'enc', itemId: 'rs_1' }] },
          hi,
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Hi' },
          {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '18C' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'time', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '10:00' }, { type: 'text', text: 'CET' }] },
          { role: 'tool', tool_call_id: 'call_3', content: '' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'Hi' },
        ],
      },
    ],
    [
      'tools, choice, parallel calls, json_schema without a name',
      {
        tools: [{ name: 'f', description: 'F', parameters: { type: 'object' }, strict: true, cacheControl: { type: 'ephemeral' } }],
        toolChoice: { type: 'tool', name: 'f' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', schema: { type: 'object' } },
      },
      {
        tools: [{ type: 'function', function: { name: 'f', description: 'F', parameters: { type: 'object' }, strict: true } }],
        tool_choice: { type: 'function', function: { name: 'f' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_schema', json_schema: { name: 'response', schema: { type: 'object' } } },
      },
    ],
    [
      'a none tool choice and parallel calls without tools mean nothing and are not sent',
      { tools: [], toolChoice: { type: 'none' }, parallelToolCalls: true },
      {},
    ],
    ['a required tool choice without tools is sent (the upstream decides)', { toolChoice: { type: 'required' } }, { tool_choice: 'required' }],
    [
      'sampling, limits, identifiers; streaming always asks for usage',
      {
        maxOutputTokens: 500,
        temperature: 0.5,
        topP: 0.8,
        stopSequences: ['END', 'STOP'],
        seed: 3,
        presencePenalty: 0.2,
        frequencyPenalty: 0.3,
        reasoning: { effort: 'minimal', summary: 'auto', includeThoughts: true },
        user: 'u-1',
        promptCacheKey: 'pk',
        metadata: { a: 'b' },
        store: true,
        n: 1,
        stream: true,
        streamUsage: false,
      },
      {
        max_completion_tokens: 500,
        temperature: 0.5,
        top_p: 0.8,
        stop: ['END', 'STOP'],
        seed: 3,
        presence_penalty: 0.2,
        frequency_penalty: 0.3,
        reasoning_effort: 'minimal',
        user: 'u-1',
        prompt_cache_key: 'pk',
        metadata: { a: 'b' },
        store: true,
        n: 1,
        stream: true,
        stream_options: { include_usage: true },
      },
    ],
    ['metadata without store is not sent (OpenAI refuses it; it tags stored completions only)', { metadata: { a: 'b' } }, {}],
    ['effort none is sent as none', { reasoning: { enabled: false, effort: 'none' } }, { reasoning_effort: 'none' }],
    ['thinking off without an effort leaves the model default', { reasoning: { enabled: false } }, {}],
    ['thinking on without effort or budget leaves the model default', { reasoning: { enabled: true } }, {}],
    ['a small budget is low effort', { reasoning: { enabled: true, budgetTokens: 1024 } }, { reasoning_effort: 'low' }],
    ['a middle budget is medium effort', { reasoning: { enabled: true, budgetTokens: 8000 } }, { reasoning_effort: 'medium' }],
    ['a large budget is high effort', { reasoning: { enabled: true, budgetTokens: 32000 } }, { reasoning_effort: 'high' }],
    ['an explicit effort wins over a budget', { reasoning: { budgetTokens: 32000, effort: 'low' } }, { reasoning_effort: 'low' }],
  ])('%s', (_name, extra, expected) => {
    const { body } = encodeOpenAiChatRequest(request(extra), 'gpt-5-nano');
    const { model, messages, ...rest } = body as Record<string, unknown>;
    expect(model).toBe('gpt-5-nano');
    const { messages: expectedMessages, ...expectedRest } = expected;
    if (expectedMessages) expect(messages).toEqual(expectedMessages);
    expect(rest).toEqual(expectedRest);
  });

  it.each<[string, Partial<ChatRequest>, string]>([
    ['top_k', { topK: 40 }, 'topK'],
    ['several choices', { n: 2 }, 'n'],
    [
      'an image in a tool result',
      {
        messages: [
          hi,
          { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'shot', arguments: '{}' }] },
          {
            role: 'tool',
            content: [{ type: 'tool-result', toolCallId: 'c', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }],
          },
        ],
      },
      'messages[2].content[0].content[1]',
    ],
    [
      'a file by URL',
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Read' }, { type: 'file', mediaType: 'application/pdf', source: { type: 'url', url: 'https://x/a.pdf' } }] }] },
      'messages[0].content[1]',
    ],
    [
      'a plain-text file',
      { messages: [{ role: 'user', content: [{ type: 'file', mediaType: 'text/plain', source: { type: 'base64', mediaType: 'text/plain', data: 'aGk=' } }] }] },
      'messages[0].content[0]',
    ],
    [
      'audio in a format Chat does not take',
      { messages: [{ role: 'user', content: [{ type: 'file', mediaType: 'audio/ogg', source: { type: 'base64', mediaType: 'audio/ogg', data: 'T2dn' } }] }] },
      'messages[0].content[0]',
    ],
  ])('refuses %s as unsupported', (_name, extra, param) => {
    const error = encodeError(request(extra));
    expect(error.kind).toBe('unsupported');
    expect(error.param).toBe(param);
  });
});
