import { describe, expect, it } from 'vitest';
import { StreamEvent } from '../ir';
import { OpenAiChatStreamDecoder } from './openai-chat-stream-decoder';

const base = { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1700000000, model: 'm-1' };
const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  ...base,
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});
const usageChunk = {
  ...base,
  choices: [],
  usage: {
    prompt_tokens: 20,
    completion_tokens: 12,
    total_tokens: 32,
    prompt_tokens_details: { cached_tokens: 8 },
    completion_tokens_details: { reasoning_tokens: 4 },
  },
};
const DONE = '[DONE]';

function run(messages: Array<unknown>, end = true): StreamEvent[] {
  const decoder = new OpenAiChatStreamDecoder();
  const events = messages.flatMap((message) => decoder.decode({ data: typeof message === 'string' ? message : JSON.stringify(message) }));
  return end ? [...events, ...decoder.end()] : events;
}

const start = { type: 'start', id: 'chatcmpl-9', model: 'm-1', created: 1700000000 };

describe('OpenAiChatStreamDecoder', () => {
  it('reasoning_content, then text, then finish with the usage of the last chunk', () => {
    expect(
      run([
        chunk({ role: 'assistant', content: '', reasoning_content: null }),
        chunk({ reasoning_content: 'Think' }),
        chunk({ reasoning_content: 'ing.' }),
        chunk({ content: 'Hel' }),
        chunk({ content: 'lo' }),
        chunk({}, 'stop'),
        usageChunk,
        DONE,
      ]),
    ).toEqual([
      start,
      { type: 'reasoning-delta', index: 0, text: 'Think' },
      { type: 'reasoning-delta', index: 0, text: 'ing.' },
      { type: 'part-end', index: 0 },
      { type: 'text-delta', index: 1, text: 'Hel' },
      { type: 'text-delta', index: 1, text: 'lo' },
      { type: 'part-end', index: 1 },
      {
        type: 'finish',
        finishReason: 'stop',
        rawFinishReason: 'stop',
        usage: { inputTokens: 20, outputTokens: 12, cachedInputTokens: 8, cacheWriteInputTokens: 0, reasoningTokens: 4 },
      },
    ]);
  });

  it('text then two parallel tool calls keyed by index', () => {
    expect(
      run([
        chunk({ role: 'assistant', content: 'Checking.' }),
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } }] }),
        chunk({}, 'tool_calls'),
        DONE,
      ]),
    ).toEqual([
      start,
      { type: 'text-delta', index: 0, text: 'Checking.' },
      { type: 'part-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'call_a', name: 'weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '"Paris"}' },
      { type: 'part-end', index: 1 },
      { type: 'tool-call-start', index: 2, id: 'call_b', name: 'time' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{}' },
      { type: 'part-end', index: 2 },
      {
        type: 'finish',
        finishReason: 'tool_calls',
        rawFinishReason: 'tool_calls',
        usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('tool calls without index (Gemini OpenAI endpoint) and without ids', () => {
    const events = run([
      chunk({ role: 'assistant', tool_calls: [{ id: 'g1', type: 'function', function: { name: 'a', arguments: '{"x":1}' } }] }),
      chunk({ tool_calls: [{ id: 'g2', type: 'function', function: { name: 'b', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ type: 'function', function: { name: 'c', arguments: '{"y"' } }] }),
      chunk({ tool_calls: [{ function: { arguments: ':2}' } }] }),
      chunk({}, 'stop'),
      DONE,
    ]);
    expect(events.filter((event) => event.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'g1', name: 'a' },
      { type: 'tool-call-start', index: 1, id: 'g2', name: 'b' },
    ]);
    expect(events.filter((event) => event.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"y"' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: ':2}' },
    ]);
    // `stop` beside tool calls ends in tool calls.
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'stop' });
  });

  it('a refusal streams as text; length wins over a tool call', () => {
    const refusal = run([chunk({ role: 'assistant', refusal: 'No.' }), chunk({}, 'stop'), DONE]);
    expect(refusal[1]).toEqual({ type: 'text-delta', index: 0, text: 'No.' });
    const cut = run([chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{"a":' } }] }), chunk({}, 'length'), DONE]);
    expect(cut.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
  });

  it('usage reported on the finish chunk itself (some compatible servers)', () => {
    const events = run([chunk({ content: 'x' }), { ...chunk({}, 'stop'), usage: { prompt_tokens: 3, completion_tokens: 1 } }, DONE]);
    expect(events.at(-1)).toMatchObject({ type: 'finish', usage: { inputTokens: 3, outputTokens: 1 } });
  });

  it('an in-stream error before any output is retryable and ends the stream', () => {
    const events = run([
      chunk({ role: 'assistant', content: '' }),
      { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } },
      chunk({ content: 'ignored' }),
      DONE,
    ]);
    expect(events).toHaveLength(2);
    const last = events[1];
    expect(last.type).toBe('error');
    if (last.type !== 'error') return;
    expect(last.error.kind).toBe('upstream');
    expect(last.error.retryable).toBe(true);
  });

  it('an in-stream error after output is not retryable', () => {
    const events = run([chunk({ content: 'Hal' }), { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }]);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    if (last?.type !== 'error') return;
    expect(last.error.kind).toBe('rate_limit');
    expect(last.error.retryable).toBe(false);
  });

  it('a message that is not JSON is an upstream error', () => {
    const events = run([chunk({ content: 'x' }), '{not json']);
    expect(events.at(-1)).toMatchObject({ type: 'error' });
  });

  it.each<[string, unknown[], 'finish' | 'error']>([
    ['cut mid-answer', [chunk({ content: 'Hel' })], 'error'],
    ['cut after finish_reason, before usage and [DONE]', [chunk({ content: 'Hel' }), chunk({}, 'stop')], 'error'],
    ['finish_reason and usage arrived, only [DONE] missing', [chunk({ content: 'Hel' }), chunk({}, 'stop'), usageChunk], 'finish'],
    ['nothing at all', [], 'error'],
    ['[DONE] without any chunk', [DONE], 'error'],
  ])('end(): %s → %s', (_name, messages, expected) => {
    const events = run(messages);
    expect(events.at(-1)?.type).toBe(expected);
    expect(events.filter((event) => event.type === 'finish' || event.type === 'error')).toHaveLength(1);
  });

  it('a cut stream error is retryable only when nothing was output', () => {
    const silent = run([chunk({ role: 'assistant', content: '' })]).at(-1);
    const spoken = run([chunk({ content: 'x' })]).at(-1);
    expect(silent?.type === 'error' && silent.error.retryable).toBe(true);
    expect(spoken?.type === 'error' && spoken.error.retryable).toBe(false);
  });

  it('ignores choices other than 0, empty data and anything after [DONE]', () => {
    const events = run([
      { ...base, choices: [{ index: 1, delta: { content: 'other' }, finish_reason: null }] },
      '',
      chunk({ content: 'mine' }),
      chunk({}, 'stop'),
      DONE,
      chunk({ content: 'late' }),
    ]);
    expect(events.filter((event) => event.type === 'text-delta')).toEqual([{ type: 'text-delta', index: 0, text: 'mine' }]);
    expect(events.at(-1)?.type).toBe('finish');
  });
});
