import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE, GatewayError, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { AnthropicStreamDecoder } from './anthropic-stream-decoder';
import { AnthropicStreamEncoder } from './anthropic-stream-encoder';

type Json = any;

function encodeAll(events: StreamEvent[], model = 'claude-sonnet-4-5'): { text: string; frames: Array<{ event?: string; data: Json }> } {
  const encoder = new AnthropicStreamEncoder({ model });
  const text = events.map((event) => encoder.encode(event)).join('');
  const reader = new SseReader();
  const frames = [...reader.push(text), ...reader.end()].map((message) => ({ event: message.event, data: JSON.parse(message.data) }));
  return { text, frames };
}

const start: StreamEvent = { type: 'start', id: 'msg_1', model: 'upstream-model', created: 1 };
const usage = { ...EMPTY_USAGE, inputTokens: 12, outputTokens: 5 };

describe('AnthropicStreamEncoder', () => {
  it('writes the exact Anthropic framing and sequence for a text answer', () => {
    const { text } = encodeAll([
      { ...start, usage: { inputTokens: 100, cachedInputTokens: 80, cacheWriteInputTokens: 10 } },
      { type: 'text-delta', index: 0, text: 'Hello' },
      { type: 'part-end', index: 0 },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'end_turn', usage: { ...EMPTY_USAGE, inputTokens: 100, cachedInputTokens: 80, cacheWriteInputTokens: 10, outputTokens: 3 } },
    ]);
    expect(text).toBe(
      [
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":10,"cache_read_input_tokens":80,"output_tokens":0}}}\n\n',
        'event: ping\ndata: {"type":"ping"}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":10,"cache_creation_input_tokens":10,"cache_read_input_tokens":80,"output_tokens":3}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(''),
    );
  });

  it('serialises interleaved parts (parallel tool calls) into consecutive blocks numbered from 0', () => {
    const { frames } = encodeAll([
      { type: 'start', id: 'chatcmpl-9', model: 'gpt-4.1', created: 1 },
      { type: 'text-delta', index: 0, text: '' },
      { type: 'tool-call-start', index: 1, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-start', index: 2, id: 'call_b', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '"Paris"}' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '"Rome"}' },
      { type: 'part-end', index: 0 },
      { type: 'part-end', index: 1 },
      { type: 'part-end', index: 2 },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_calls', usage },
    ]);
    expect(frames.map((frame) => [frame.event, frame.data.index ?? null, frame.data.delta?.partial_json ?? frame.data.content_block?.id ?? null])).toEqual([
      ['message_start', null, null],
      ['ping', null, null],
      ['content_block_start', 0, 'call_a'],
      ['content_block_delta', 0, '{"city":'],
      ['content_block_delta', 0, '"Paris"}'],
      ['content_block_stop', 0, null],
      ['content_block_start', 1, 'call_b'],
      ['content_block_delta', 1, '{"city":'],
      ['content_block_delta', 1, '"Rome"}'],
      ['content_block_stop', 1, null],
      ['message_delta', null, null],
      ['message_stop', null, null],
    ]);
    expect(frames[0].data.message.id).toBe('msg_chatcmpl-9');
    expect(frames[2].data.content_block).toEqual({ type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} });
    expect(frames[10].data.delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('shows other families’ reasoning text as thinking without their opaque values', () => {
    const { frames } = encodeAll([
      start,
      { type: 'reasoning-delta', index: 0, provider: 'openai', itemId: 'rs_1', encryptedContent: 'gAAAA' },
      { type: 'reasoning-delta', index: 0, provider: 'openai', text: 'Thinking…', summary: true },
      { type: 'part-end', index: 0 },
      { type: 'reasoning-delta', index: 1, provider: 'gemini', signature: 'CiQB' },
      { type: 'part-end', index: 1 },
      { type: 'text-delta', index: 2, text: 'Done.' },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
    const blocks = frames.filter((frame) => frame.event?.startsWith('content_block')).map((frame) => frame.data);
    expect(blocks).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Thinking…' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Done.' } },
      { type: 'content_block_stop', index: 1 },
    ]);
  });

  it('passes Anthropic signatures and redacted thinking through', () => {
    const { frames } = encodeAll([
      start,
      { type: 'reasoning-delta', index: 0, provider: 'anthropic', text: 'hmm' },
      { type: 'reasoning-delta', index: 0, provider: 'anthropic', signature: 'EqQB' },
      { type: 'part-end', index: 0 },
      { type: 'reasoning-delta', index: 1, provider: 'anthropic', redactedData: 'REDACTED' },
      { type: 'part-end', index: 1 },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
    expect(frames.filter((frame) => frame.event === 'content_block_delta').map((frame) => frame.data.delta)).toEqual([
      { type: 'thinking_delta', thinking: 'hmm' },
      { type: 'signature_delta', signature: 'EqQB' },
    ]);
    expect(frames.find((frame) => frame.data.index === 1)?.data.content_block).toEqual({ type: 'redacted_thinking', data: 'REDACTED' });
  });

  it.each<[string, Partial<Extract<StreamEvent, { type: 'finish' }>>, boolean, Json]>([
    ['a cut', { finishReason: 'length', rawFinishReason: 'length' }, true, { stop_reason: 'max_tokens', stop_sequence: null }],
    ['a stop sequence', { finishReason: 'stop', stopSequence: '###' }, false, { stop_reason: 'stop_sequence', stop_sequence: '###' }],
    ['Gemini STOP with a call', { finishReason: 'stop', rawFinishReason: 'STOP' }, true, { stop_reason: 'tool_use', stop_sequence: null }],
    ['a content filter', { finishReason: 'content_filter' }, false, { stop_reason: 'refusal', stop_sequence: null }],
    ['pause_turn from Anthropic', { finishReason: 'other', rawFinishReason: 'pause_turn' }, false, { stop_reason: 'pause_turn', stop_sequence: null }],
  ])('finishes %s with the right stop_reason, closing open blocks first', (_name, finish, withCall, delta) => {
    const events: StreamEvent[] = [start, { type: 'text-delta', index: 0, text: 'x' }];
    if (withCall) events.push({ type: 'tool-call-start', index: 1, id: 'c', name: 'f' }, { type: 'tool-call-delta', index: 1, argumentsDelta: '{"a":' });
    events.push({ type: 'finish', finishReason: 'stop', usage, ...finish } as StreamEvent);
    const { frames } = encodeAll(events);
    const names = frames.map((frame) => frame.event);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.filter((name) => name === 'content_block_start').length).toBe(names.filter((name) => name === 'content_block_stop').length);
    expect(frames[frames.length - 2].data.delta).toEqual(delta);
  });

  it('turns an error into the in-stream error event and writes nothing after it', () => {
    const encoder = new AnthropicStreamEncoder({ model: 'm' });
    let text = encoder.encode(start) + encoder.encode({ type: 'text-delta', index: 0, text: 'partial' });
    text += encoder.encode({ type: 'error', error: new GatewayError('overloaded', 'Overloaded', { retryable: true }) });
    expect(text.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
    expect(encoder.encode({ type: 'finish', finishReason: 'stop', usage })).toBe('');
    expect(text).not.toContain('message_stop');

    // …and the decoder reads it back as a retryable overloaded error.
    const decoder = new AnthropicStreamDecoder();
    const reader = new SseReader();
    const decoded = reader.push(text).flatMap((message) => decoder.decode(message));
    const last = decoded[decoded.length - 1];
    expect(last.type === 'error' && [last.error.kind, last.error.retryable]).toEqual(['overloaded', true]);
    expect(decoder.end()).toEqual([]);
  });

  it('writes message_start even when the first event is not a start', () => {
    const { frames } = encodeAll([{ type: 'text-delta', index: 0, text: 'x' }, { type: 'finish', finishReason: 'stop', usage }]);
    expect(frames[0].event).toBe('message_start');
    expect(frames[0].data.message.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
