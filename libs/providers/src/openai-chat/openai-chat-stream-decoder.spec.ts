import { describe, expect, it } from 'vitest';
import { anthropicCodec } from '../anthropic';
import { geminiCodec } from '../gemini';
import { StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
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

describe('OpenAiChatStreamDecoder on an Azure OpenAI stream', () => {
  // As Azure streams (https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter):
  // an opening chunk of prompt_filter_results with no id or model, content_filter_results on each
  // choice, an asynchronous-filter annotation without a delta, then the usage chunk.
  const safe = { filtered: false, severity: 'safe' };
  const filters = { hate: safe, self_harm: safe, sexual: safe, violence: safe };
  const azure = { id: 'chatcmpl-AzUr3', object: 'chat.completion.chunk', created: 1733000000, model: 'gpt-4o-2024-08-06', system_fingerprint: 'fp_04751d0b65' };
  const azureChunk = (delta: Record<string, unknown> | undefined, finishReason: string | null = null) => ({
    ...azure,
    choices: [{ content_filter_results: delta?.content ? filters : {}, ...(delta ? { delta } : {}), finish_reason: finishReason, index: 0, logprobs: null }],
    usage: null,
  });
  const stream = [
    { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: filters }] },
    azureChunk({ content: '', refusal: null, role: 'assistant' }),
    azureChunk({ content: 'Paris' }),
    azureChunk({ content: '.' }),
    azureChunk({}, 'stop'),
    { choices: [{ content_filter_offsets: { check_offset: 0, start_offset: 0, end_offset: 6 }, content_filter_results: filters, finish_reason: null, index: 0 }], created: 0, id: '', model: '', object: '' },
    { ...azure, choices: [], usage: { completion_tokens: 2, prompt_tokens: 14, total_tokens: 16, prompt_tokens_details: { cached_tokens: 0 } } },
    DONE,
  ];

  it('starts at the first real chunk and ignores the filter annotations', () => {
    expect(run(stream)).toEqual([
      { type: 'start', id: 'chatcmpl-AzUr3', model: 'gpt-4o-2024-08-06', created: 1733000000 },
      { type: 'text-delta', index: 0, text: 'Paris' },
      { type: 'text-delta', index: 0, text: '.' },
      { type: 'part-end', index: 0 },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop', usage: { inputTokens: 14, outputTokens: 2, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it('a content_filter finish reaches other protocols as their own stop reason', () => {
    const events = run([stream[0], azureChunk({ content: 'Par' }), azureChunk({}, 'content_filter'), stream[6], DONE]);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'content_filter' });
  });

  it('translates to Anthropic and Gemini streams with the real id, model and usage', () => {
    const events = run(stream);
    const anthropic = anthropicCodec.createStreamEncoder({ model: 'claude-logical' });
    const frames = new SseReader().push(events.map((event) => anthropic.encode(event)).join(''));
    const parsed = frames.map((frame) => JSON.parse(frame.data) as Record<string, any>).filter((event) => event.type !== 'ping');
    expect(parsed.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(parsed[0].message).toMatchObject({ id: 'msg_chatcmpl-AzUr3', model: 'claude-logical' });
    expect(parsed.filter((event) => event.type === 'content_block_delta').map((event) => event.delta.text).join('')).toBe('Paris.');
    expect(parsed[5]).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } });

    const gemini = geminiCodec.createStreamEncoder({ model: 'gemini-logical' });
    const chunks = new SseReader().push(events.map((event) => gemini.encode(event)).join('')).map((frame) => JSON.parse(frame.data) as Record<string, any>);
    expect(chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []).map((part: { text: string }) => part.text).join('')).toBe('Paris.');
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 14, candidatesTokenCount: 2 } });
  });
});
