import { describe, expect, it } from 'vitest';
import { ChatResponse, GatewayError } from '../ir';
import { decodeOpenAiChatResponse } from './decode-openai-chat-response';

const completion = (message: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1700000000,
  model: 'm-1',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason, ...extra }],
  usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
});

describe('decodeOpenAiChatResponse', () => {
  it.each<[string, unknown, Partial<ChatResponse>]>([
    [
      'text and usage details',
      {
        ...completion({ content: 'Paris.' }, 'stop'),
        usage: {
          prompt_tokens: 120,
          completion_tokens: 40,
          total_tokens: 160,
          prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 30 },
        },
      },
      {
        id: 'chatcmpl-1',
        model: 'm-1',
        created: 1700000000,
        content: [{ type: 'text', text: 'Paris.' }],
        finishReason: 'stop',
        rawFinishReason: 'stop',
        usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, cacheWriteInputTokens: 20, reasoningTokens: 30 },
      },
    ],
    [
      'DeepSeek: reasoning_content first, cache hits outside the details',
      {
        ...completion({ reasoning_content: 'Think.', content: 'Answer.' }, 'stop'),
        usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59, prompt_cache_hit_tokens: 32, prompt_cache_miss_tokens: 18 },
      },
      {
        content: [
          { type: 'reasoning', text: 'Think.' },
          { type: 'text', text: 'Answer.' },
        ],
        usage: { inputTokens: 50, outputTokens: 9, cachedInputTokens: 32, cacheWriteInputTokens: 0, reasoningTokens: 0 },
      },
    ],
    ['vLLM 0.10+ reasoning field', completion({ reasoning: 'R', content: 'T' }, 'stop'), { content: [{ type: 'reasoning', text: 'R' }, { type: 'text', text: 'T' }] }],
    [
      'tool calls beside null content',
      completion({ content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, 'tool_calls'),
      { content: [{ type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' }], finishReason: 'tool_calls' },
    ],
    [
      'a compatible server that says stop beside tool calls: tool_calls, raw kept',
      completion({ content: '', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }, 'stop'),
      { content: [{ type: 'tool-call', id: 'call_0', name: 'f', arguments: '{}' }], finishReason: 'tool_calls', rawFinishReason: 'stop' },
    ],
    [
      'length wins over a half-written tool call',
      completion({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }, 'length'),
      { finishReason: 'length' },
    ],
    ['a refusal becomes text', completion({ content: null, refusal: 'I cannot help.' }, 'stop'), { content: [{ type: 'text', text: 'I cannot help.' }] }],
    ['content_filter', completion({ content: '' }, 'content_filter'), { content: [], finishReason: 'content_filter' }],
    ['legacy function_call finish', completion({ content: 'x' }, 'function_call'), { finishReason: 'tool_calls' }],
    ['an unknown finish reason', completion({ content: 'x' }, 'eos'), { finishReason: 'other', rawFinishReason: 'eos' }],
    ['no finish reason', completion({ content: 'x' }, null), { finishReason: 'stop' }],
    ['vLLM stop_reason names the stop sequence', completion({ content: 'x' }, 'stop', { stop_reason: 'END' }), { stopSequence: 'END' }],
    [
      'no usage',
      { ...completion({ content: 'x' }, 'stop'), usage: null },
      { usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 } },
    ],
  ])('%s', (_name, body, expected) => {
    expect(decodeOpenAiChatResponse(body)).toMatchObject(expected);
  });

  it.each<[string, unknown, string, boolean]>([
    ['not an object', 'oops', 'upstream', true],
    ['no choices', { id: 'x', choices: [] }, 'upstream', true],
    ['a 200 with an error object', { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, 'rate_limit', true],
    ['a 200 with a server error', { error: { message: 'boom', type: 'server_error' } }, 'upstream', true],
  ])('throws on %s', (_name, body, kind, retryable) => {
    let error: unknown;
    try {
      decodeOpenAiChatResponse(body);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).kind).toBe(kind);
    expect((error as GatewayError).retryable).toBe(retryable);
  });
});
