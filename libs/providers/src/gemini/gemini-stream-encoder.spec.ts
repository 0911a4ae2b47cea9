import { describe, expect, it } from 'vitest';
import { EMPTY_USAGE, GatewayError, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { GeminiStreamEncoder } from './gemini-stream-encoder';

function encode(events: StreamEvent[]): { text: string; chunks: any[] } {
  const encoder = new GeminiStreamEncoder({ model: 'my-model' });
  const text = events.map((event) => encoder.encode(event)).join('');
  const reader = new SseReader();
  const messages = [...reader.push(text), ...reader.end()];
  expect(messages.every((message) => message.event === undefined)).toBe(true);
  return { text, chunks: messages.map((message) => JSON.parse(message.data)) };
}

const START: StreamEvent = { type: 'start', id: 'msg_1', model: 'claude-x', created: 1, usage: { inputTokens: 12, cachedInputTokens: 2 } };
const FINISH: StreamEvent = { type: 'finish', finishReason: 'stop', rawFinishReason: 'end_turn', usage: { ...EMPTY_USAGE, inputTokens: 12, outputTokens: 9, reasoningTokens: 4, cachedInputTokens: 2 } };

describe('GeminiStreamEncoder', () => {
  it('writes one chunk per delta and finishReason with the final usage on the last chunk', () => {
    const { text, chunks } = encode([START, { type: 'text-delta', index: 0, text: 'Hi' }, { type: 'text-delta', index: 0, text: '' }, { type: 'part-end', index: 0 }, FINISH]);
    expect(text.startsWith('data: {')).toBe(true);
    expect(chunks).toEqual([
      {
        candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, index: 0 }],
        usageMetadata: { promptTokenCount: 12, totalTokenCount: 12, cachedContentTokenCount: 2 },
        modelVersion: 'my-model',
        responseId: 'msg_1',
      },
      {
        candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 21, thoughtsTokenCount: 4, cachedContentTokenCount: 2 },
        modelVersion: 'my-model',
        responseId: 'msg_1',
      },
    ]);
  });

  it('buffers a tool call until its part-end and sends it whole', () => {
    const { chunks } = encode([
      START,
      { type: 'tool-call-start', index: 0, id: 'call_9', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"loc' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'ation":"Paris"}' },
      { type: 'part-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'gemini_call_r_1', name: 'get_time', thoughtSignature: 'sig' },
      { type: 'part-end', index: 1 },
      { ...FINISH, finishReason: 'tool_calls', rawFinishReason: 'tool_use' } as StreamEvent,
    ]);
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts)).toEqual([
      [{ functionCall: { name: 'get_weather', args: { location: 'Paris' }, id: 'call_9' } }],
      [{ functionCall: { name: 'get_time', args: {} }, thoughtSignature: 'sig' }],
      [{ text: '' }],
    ]);
    expect(chunks[2].candidates[0].finishReason).toBe('STOP');
  });

  it('ends with an error chunk when a call has broken arguments', () => {
    const { chunks } = encode([
      START,
      { type: 'tool-call-start', index: 0, id: 'c', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
      { type: 'finish', finishReason: 'length', usage: EMPTY_USAGE },
    ]);
    expect(chunks).toEqual([{ error: { code: 502, message: 'the upstream produced tool call arguments that are not a JSON object', status: 'UNAVAILABLE' } }]);
  });

  it('shows other families’ reasoning as thoughts without their signatures', () => {
    const { chunks } = encode([
      START,
      { type: 'reasoning-delta', index: 0, text: 'hmm', provider: 'anthropic' },
      { type: 'reasoning-delta', index: 0, signature: 'anthropic-sig' },
      { type: 'part-end', index: 0 },
      { type: 'reasoning-delta', index: 1, encryptedContent: 'enc', provider: 'openai' },
      { type: 'part-end', index: 1 },
      FINISH,
    ]);
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts)).toEqual([[{ text: 'hmm', thought: true }], [{ text: '' }]]);
  });

  it('puts a Gemini signature-only part on the next text chunk, or alone at the end', () => {
    const { chunks } = encode([
      START,
      { type: 'reasoning-delta', index: 0, signature: 's1', provider: 'gemini' },
      { type: 'part-end', index: 0 },
      { type: 'text-delta', index: 1, text: 'A' },
      { type: 'part-end', index: 1 },
      { type: 'reasoning-delta', index: 2, signature: 's2', provider: 'gemini' },
      { type: 'part-end', index: 2 },
      FINISH,
    ]);
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts)).toEqual([[{ text: 'A', thoughtSignature: 's1' }], [{ text: '', thoughtSignature: 's2' }]]);
  });

  it('writes an error event as a Google error chunk and nothing after it', () => {
    const encoder = new GeminiStreamEncoder({ model: 'm' });
    const error = new GatewayError('overloaded', 'try later', { retryAfterMs: 2000 });
    expect(encoder.encode({ type: 'error', error })).toBe(
      `data: ${JSON.stringify({ error: { code: 503, message: 'try later', status: 'UNAVAILABLE', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }] } })}\n\n`,
    );
    expect(encoder.encode(FINISH)).toBe('');
  });
});
