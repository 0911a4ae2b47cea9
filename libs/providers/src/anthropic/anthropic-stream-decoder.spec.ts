import { describe, expect, it } from 'vitest';
import { StreamEvent } from '../ir';
import { AnthropicStreamDecoder } from './anthropic-stream-decoder';

type Json = any;

describe('AnthropicStreamDecoder', () => {
  function decode(frames: Json[]): StreamEvent[] {
    const decoder = new AnthropicStreamDecoder();
    return [...frames.map((data) => ({ event: data.type, data: JSON.stringify(data) })).flatMap((message) => decoder.decode(message)), ...decoder.end()];
  }

  const messageStart = {
    type: 'message_start',
    message: { id: 'msg_x', model: 'claude', usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 1 } },
  };

  it('normalises usage: start carries input and cache counts, finish the merged totals', () => {
    const events = decode([
      messageStart,
      { type: 'ping' },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 42, output_tokens_details: { thinking_tokens: 30 } } },
      { type: 'message_stop' },
    ]);
    expect(events[0]).toMatchObject({ type: 'start', id: 'msg_x', model: 'claude', usage: { inputTokens: 125, cachedInputTokens: 100, cacheWriteInputTokens: 20 } });
    expect(events[1]).toEqual({
      type: 'finish',
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      usage: { inputTokens: 125, outputTokens: 42, cachedInputTokens: 100, cacheWriteInputTokens: 20, reasoningTokens: 30 },
    });
  });

  it('gives a tool call without streamed arguments {} and a max_tokens cut `length` even with a tool call', () => {
    const events = decode([
      messageStart,
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 1 } },
      { type: 'message_stop' },
    ]);
    expect(events.slice(1)).toMatchObject([
      { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'now' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
      { type: 'part-end', index: 0 },
      { type: 'finish', finishReason: 'length', rawFinishReason: 'max_tokens' },
    ]);
  });

  it.each<[string, Json[], string]>([
    ['nothing after message_start', [messageStart], 'upstream'],
    ['a block left open', [messageStart, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }], 'upstream'],
    ['message_delta without message_stop', [messageStart, { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }], 'upstream'],
    ['an in-stream error', [messageStart, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }], 'rate_limit'],
    ['a server-tool block', [messageStart, { type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} } }], 'upstream'],
  ])('ends %s with an error event and no finish', (_name, frames, kind) => {
    const events = decode(frames);
    const last = events[events.length - 1];
    expect(last.type).toBe('error');
    expect(last.type === 'error' && last.error.kind).toBe(kind);
    expect(events.some((event) => event.type === 'finish')).toBe(false);
  });

  it('treats unreadable data as an upstream error', () => {
    const decoder = new AnthropicStreamDecoder();
    const events = decoder.decode({ event: 'message_start', data: '{not json' });
    expect(events[0].type === 'error' && events[0].error.kind).toBe('upstream');
    expect(decoder.end()).toEqual([]);
  });
});
