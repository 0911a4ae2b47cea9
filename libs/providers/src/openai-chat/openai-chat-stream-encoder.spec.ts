import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE, GatewayError, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { OpenAiChatStreamEncoder } from './openai-chat-stream-encoder';

function encode(events: StreamEvent[]): string {
  const encoder = new OpenAiChatStreamEncoder({ model: 'my-alias' });
  return events.map((event) => encoder.encode(event)).join('');
}

function frames(text: string): unknown[] {
  const reader = new SseReader();
  return [...reader.push(text), ...reader.end()].map((message) => {
    expect(message.event).toBeUndefined();
    return message.data === '[DONE]' ? '[DONE]' : JSON.parse(message.data);
  });
}

const head = { id: 'msg_1', object: 'chat.completion.chunk', created: 1700000000, model: 'my-alias' };
const delta = (value: Record<string, unknown>, finishReason: string | null = null) => ({
  ...head,
  choices: [{ index: 0, delta: value, finish_reason: finishReason }],
});

describe('OpenAiChatStreamEncoder', () => {
  it('writes the exact OpenAI sequence: role chunk, deltas, tool calls numbered among tool calls, finish, usage, [DONE]', () => {
    const text = encode([
      { type: 'start', id: 'msg_1', model: 'claude-x', created: 1700000000, usage: { inputTokens: 20 } },
      { type: 'reasoning-delta', index: 0, text: 'Hmm.' },
      { type: 'reasoning-delta', index: 0, signature: 'sig' },
      { type: 'part-end', index: 0 },
      { type: 'text-delta', index: 1, text: 'Checking.' },
      { type: 'part-end', index: 1 },
      { type: 'tool-call-start', index: 2, id: 'toolu_a', name: 'weather' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{"city":"Paris"}' },
      { type: 'part-end', index: 2 },
      { type: 'tool-call-start', index: 3, id: 'toolu_b', name: 'time' },
      { type: 'tool-call-delta', index: 3, argumentsDelta: '{}' },
      { type: 'part-end', index: 3 },
      {
        type: 'finish',
        finishReason: 'tool_calls',
        rawFinishReason: 'tool_use',
        usage: { inputTokens: 20, outputTokens: 12, cachedInputTokens: 8, cacheWriteInputTokens: 0, reasoningTokens: 4 },
      },
    ]);
    expect(text.startsWith('data: {')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(frames(text)).toEqual([
      delta({ role: 'assistant', content: '', refusal: null }),
      delta({ reasoning_content: 'Hmm.' }),
      delta({ content: 'Checking.' }),
      delta({ tool_calls: [{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'weather', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }),
      delta({ tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'time', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
      delta({}, 'tool_calls'),
      {
        ...head,
        choices: [],
        usage: {
          prompt_tokens: 20,
          completion_tokens: 12,
          total_tokens: 32,
          prompt_tokens_details: { cached_tokens: 8 },
          completion_tokens_details: { reasoning_tokens: 4 },
        },
      },
      '[DONE]',
    ]);
  });

  it('no usage chunk when the upstream reported none', () => {
    const text = encode([
      { type: 'start', id: 'msg_1', model: 'x', created: 1700000000 },
      { type: 'finish', finishReason: 'length', usage: EMPTY_USAGE },
    ]);
    expect(frames(text)).toEqual([delta({ role: 'assistant', content: '', refusal: null }), delta({}, 'length'), '[DONE]']);
  });

  it('no usage chunk when the client did not ask for it (streamUsage false)', () => {
    const encoder = new OpenAiChatStreamEncoder({ model: 'my-alias', streamUsage: false });
    const text = [
      encoder.encode({ type: 'start', id: 'msg_1', model: 'x', created: 1700000000 }),
      encoder.encode({ type: 'finish', finishReason: 'stop', usage: { ...EMPTY_USAGE, inputTokens: 5, outputTokens: 1 } }),
    ].join('');
    expect(frames(text)).toEqual([delta({ role: 'assistant', content: '', refusal: null }), delta({}, 'stop'), '[DONE]']);
  });

  it('an error mid-stream is an error data message, then nothing (no [DONE])', () => {
    const encoder = new OpenAiChatStreamEncoder({ model: 'my-alias' });
    const text = [
      encoder.encode({ type: 'start', id: 'msg_1', model: 'x', created: 1700000000 }),
      encoder.encode({ type: 'text-delta', index: 0, text: 'Hal' }),
      encoder.encode({ type: 'error', error: new GatewayError('overloaded', 'Overloaded', { retryable: true }) }),
    ].join('');
    expect(encoder.encode({ type: 'finish', finishReason: 'stop', usage: EMPTY_USAGE })).toBe('');
    expect(frames(text)).toEqual([
      delta({ role: 'assistant', content: '', refusal: null }),
      delta({ content: 'Hal' }),
      { error: { message: 'Overloaded', type: 'server_error', param: null, code: 'server_overloaded' } },
    ]);
  });

  it('an event before start still opens the stream with a generated id', () => {
    const [first, second] = frames(encode([{ type: 'text-delta', index: 0, text: 'x' }])) as Array<{ id: string; choices: unknown[] }>;
    expect(first.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(first.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null }]);
    expect(second.id).toBe(first.id);
  });
});
