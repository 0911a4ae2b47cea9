import { describe, expect, it } from 'vitest';
import { StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { formatSse } from '../sse/sse-writer';
import { CohereStreamDecoder } from './cohere-stream-decoder';

/**
 * Streams framed as Cohere sends them: `event: <type>` and `data: {"type": <type>, …}`
 * (StreamedChatResponseV2 in cohere-ai's SDKs, https://docs.cohere.com/docs/streaming).
 */
function frame(events: Array<Record<string, unknown>>, done = false): string {
  return events.map((event) => formatSse(event, String(event.type))).join('') + (done ? formatSse('[DONE]') : '');
}

/** Fed in 7-byte chunks: event boundaries fall anywhere. */
function decode(text: string, end = true): StreamEvent[] {
  const reader = new SseReader();
  const decoder = new CohereStreamDecoder();
  const events: StreamEvent[] = [];
  for (let offset = 0; offset < text.length; offset += 7) {
    for (const message of reader.push(text.slice(offset, offset + 7))) events.push(...decoder.decode(message));
  }
  for (const message of reader.end()) events.push(...decoder.decode(message));
  if (end) events.push(...decoder.end());
  return events;
}

const START = { id: '7d0b2b8e-1c57-4f0e-bf3b-4a3c2a1d9e10', type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } };
const USAGE = { billed_units: { input_tokens: 12, output_tokens: 7 }, tokens: { input_tokens: 507, output_tokens: 10 }, cached_tokens: 448 };

function textOf(events: StreamEvent[], type: 'text-delta' | 'reasoning-delta', index: number): string {
  return events.filter((event) => event.type === type && event.index === index).map((event) => (event as { text?: string }).text ?? '').join('');
}

describe('CohereStreamDecoder', () => {
  it('a text answer: start, text deltas, part-end, finish with billed usage; [DONE] after message-end is fine', () => {
    const events = decode(
      frame(
        [
          START,
          { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
          { type: 'content-delta', index: 0, delta: { message: { content: { text: 'The capital' } } } },
          { type: 'content-delta', index: 0, delta: { message: { content: { text: ' is Paris.' } } } },
          { type: 'content-end', index: 0 },
          { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: USAGE } },
        ],
        true,
      ),
    );
    expect(events[0]).toMatchObject({ type: 'start', id: START.id });
    expect(textOf(events, 'text-delta', 0)).toBe('The capital is Paris.');
    expect(events.slice(-2)).toEqual([
      { type: 'part-end', index: 0 },
      {
        type: 'finish',
        finishReason: 'stop',
        rawFinishReason: 'COMPLETE',
        usage: { inputTokens: 12, outputTokens: 7, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 },
      },
    ]);
  });

  it('thinking then text: a reasoning part then a text part', () => {
    const events = decode(
      frame([
        START,
        { type: 'content-start', index: 0, delta: { message: { content: { type: 'thinking', thinking: '' } } } },
        { type: 'content-delta', index: 0, delta: { message: { content: { thinking: 'A simple sum.' } } } },
        { type: 'content-end', index: 0 },
        { type: 'content-start', index: 1, delta: { message: { content: { type: 'text', text: '' } } } },
        { type: 'content-delta', index: 1, delta: { message: { content: { text: '4' } } } },
        { type: 'content-end', index: 1 },
        { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: USAGE } },
      ]),
    );
    expect(textOf(events, 'reasoning-delta', 0)).toBe('A simple sum.');
    expect(events.find((event) => event.type === 'reasoning-delta')).not.toHaveProperty('provider');
    expect(textOf(events, 'text-delta', 1)).toBe('4');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop' });
  });

  it('tool plan then two calls (Cohere numbers calls from 0): text part 0, calls 1 and 2; a call without arguments gets {}', () => {
    const events = decode(
      frame([
        START,
        { type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will check' } } },
        { type: 'tool-plan-delta', delta: { message: { tool_plan: ' both.' } } },
        { type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'get_weather_p1', type: 'function', function: { name: 'get_weather', arguments: '' } } } } },
        { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '{"city":' } } } } },
        { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: ' "Paris"}' } } } } },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-start', index: 1, delta: { message: { tool_calls: { id: 'get_time_q2', type: 'function', function: { name: 'get_time', arguments: '' } } } } },
        { type: 'tool-call-end', index: 1 },
        { type: 'message-end', delta: { finish_reason: 'TOOL_CALL', usage: USAGE } },
      ]),
    );
    expect(events.filter((event) => event.type !== 'start')).toEqual([
      { type: 'text-delta', index: 0, text: 'I will check' },
      { type: 'text-delta', index: 0, text: ' both.' },
      { type: 'part-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'get_weather_p1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: ' "Paris"}' },
      { type: 'part-end', index: 1 },
      { type: 'tool-call-start', index: 2, id: 'get_time_q2', name: 'get_time' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{}' },
      { type: 'part-end', index: 2 },
      expect.objectContaining({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'TOOL_CALL' }),
    ]);
  });

  it('MAX_TOKENS → length; parts still open are closed before the finish', () => {
    const events = decode(
      frame([
        START,
        { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: 'Once' } } } },
        { type: 'message-end', delta: { finish_reason: 'MAX_TOKENS', usage: USAGE } },
      ]),
    );
    expect(events.slice(1)).toEqual([
      { type: 'text-delta', index: 0, text: 'Once' },
      { type: 'part-end', index: 0 },
      expect.objectContaining({ type: 'finish', finishReason: 'length' }),
    ]);
  });

  it('citations and debug events say nothing', () => {
    const events = decode(
      frame([
        START,
        { type: 'citation-start', index: 0, delta: { message: { citations: { start: 0, end: 4, text: 'Paris', sources: [] } } } },
        { type: 'citation-end', index: 0 },
        { type: 'debug', prompt: '…' },
        { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: USAGE } },
      ]),
    );
    expect(events.map((event) => event.type)).toEqual(['start', 'finish']);
  });

  it('a generation error in message-end is an error event (retryable before any output, not after)', () => {
    const before = decode(frame([START, { type: 'message-end', delta: { error: 'internal error', finish_reason: 'ERROR' } }]));
    expect(before.at(-1)).toMatchObject({ type: 'error', error: { kind: 'upstream', message: 'internal error' } });
    expect((before.at(-1) as any).error.retryable).toBe(true);
    const after = decode(
      frame([
        START,
        { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
        { type: 'content-delta', index: 0, delta: { message: { content: { text: 'Part' } } } },
        { type: 'message-end', delta: { finish_reason: 'ERROR' } },
      ]),
    );
    expect(after.at(-1)).toMatchObject({ type: 'error' });
    expect((after.at(-1) as any).error.retryable).toBe(false);
    expect(after.some((event) => event.type === 'finish')).toBe(false);
  });

  it('a stream cut before message-end ends with an error; garbage data is an error', () => {
    const cut = decode(frame([START, { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: 'Hi' } } } }]));
    expect(cut.at(-1)).toMatchObject({ type: 'error', error: { kind: 'upstream' } });
    expect((cut.at(-1) as any).error.retryable).toBe(false);
    const garbage = decode('event: content-delta\ndata: {not json\n\n');
    expect(garbage).toEqual([expect.objectContaining({ type: 'error' })]);
  });

  it('arguments for a call that never started are an error', () => {
    const events = decode(frame([START, { type: 'tool-call-delta', index: 3, delta: { message: { tool_calls: { function: { arguments: '{}' } } } } }]), false);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'upstream' } });
  });
});
