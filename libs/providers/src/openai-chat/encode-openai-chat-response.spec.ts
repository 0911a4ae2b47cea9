import { describe, expect, it } from 'vitest';
import { ChatResponse, EMPTY_USAGE, FinishReason } from '../ir';
import { encodeOpenAiChatResponse } from './encode-openai-chat-response';

const response = (extra: Partial<ChatResponse>): ChatResponse => ({
  id: 'msg_1',
  model: 'claude-x',
  created: 1700000000,
  content: [],
  finishReason: 'stop',
  usage: EMPTY_USAGE,
  ...extra,
});

describe('encodeOpenAiChatResponse', () => {
  it('writes a chat.completion with the client-facing model', () => {
    const body = encodeOpenAiChatResponse(
      response({
        content: [
          { type: 'reasoning', text: 'Let me think. ', provider: 'anthropic', signature: 'sig' },
          { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
          { type: 'text', text: ' Done.' },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, cacheWriteInputTokens: 20, reasoningTokens: 30 },
      }),
      { model: 'my-alias' },
    );
    expect(body).toEqual({
      id: 'msg_1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'my-alias',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking. Done.',
            reasoning_content: 'Let me think. ',
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
            refusal: null,
            annotations: [],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 40,
        total_tokens: 160,
        prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
        completion_tokens_details: { reasoning_tokens: 30 },
      },
    });
  });

  it.each<[string, ChatResponse['content'], unknown]>([
    ['tool calls only: null content', [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }], null],
    ['nothing at all: empty content', [], ''],
    ['an empty text part still is text', [{ type: 'text', text: '' }], ''],
  ])('%s', (_name, content, expected) => {
    expect(encodeOpenAiChatResponse(response({ content }), { model: 'm' }).choices![0].message!.content).toBe(expected);
  });

  it.each<[FinishReason, string]>([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['error', 'stop'],
    ['other', 'stop'],
  ])('finish %s → %s', (finishReason, expected) => {
    expect(encodeOpenAiChatResponse(response({ finishReason }), { model: 'm' }).choices![0].finish_reason).toBe(expected);
  });

  it('reports no cache writes field when there were none', () => {
    const usage = encodeOpenAiChatResponse(response({ usage: { ...EMPTY_USAGE, inputTokens: 5, cachedInputTokens: 2 } }), { model: 'm' }).usage;
    expect(usage?.prompt_tokens_details).toEqual({ cached_tokens: 2 });
  });
});
