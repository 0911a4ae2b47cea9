import { describe, expect, it } from 'vitest';
import { StreamEvent } from '../ir';
import { GeminiStreamDecoder } from './gemini-stream-decoder';

const NOW = () => 1_700_000_000_000;

function decode(...chunks: unknown[]): StreamEvent[] {
  const decoder = new GeminiStreamDecoder(NOW);
  return [...chunks.flatMap((chunk) => decoder.decode({ data: typeof chunk === 'string' ? chunk : JSON.stringify(chunk) })), ...decoder.end()];
}

function chunk(parts: unknown[], extra: Record<string, unknown> = {}): unknown {
  return { candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }], usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 }, modelVersion: 'gemini-2.5-flash', responseId: 'r1' };
}

describe('GeminiStreamDecoder', () => {
  it('joins text chunks into one part and finishes with the last usage', () => {
    expect(
      decode(chunk([{ text: 'Hel' }]), chunk([{ text: 'lo' }]), {
        ...(chunk([{ text: '!' }], { finishReason: 'STOP' }) as object),
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, thoughtsTokenCount: 7, totalTokenCount: 15 },
      }),
    ).toEqual([
      { type: 'start', id: 'r1', model: 'gemini-2.5-flash', created: 1_700_000_000, usage: { inputTokens: 5 } },
      { type: 'text-delta', index: 0, text: 'Hel' },
      { type: 'text-delta', index: 0, text: 'lo' },
      { type: 'text-delta', index: 0, text: '!' },
      { type: 'part-end', index: 0 },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'STOP', usage: { inputTokens: 5, outputTokens: 10, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 7 } },
    ]);
  });

  it('separates thoughts from text and places signatures', () => {
    const events = decode(
      chunk([{ text: 'think', thought: true }]),
      chunk([{ text: ' more', thought: true, thoughtSignature: 's1' }]),
      chunk([{ text: 'answer' }]),
      chunk([{ text: '', thoughtSignature: 's2' }], { finishReason: 'STOP' }),
    ).filter((event) => event.type !== 'start' && event.type !== 'finish');
    expect(events).toEqual([
      { type: 'reasoning-delta', index: 0, text: 'think', provider: 'gemini' },
      { type: 'reasoning-delta', index: 0, text: ' more', signature: 's1', provider: 'gemini' },
      { type: 'part-end', index: 0 },
      { type: 'text-delta', index: 1, text: 'answer' },
      { type: 'part-end', index: 1 },
      { type: 'reasoning-delta', index: 2, signature: 's2', provider: 'gemini' },
      { type: 'part-end', index: 2 },
    ]);
  });

  it('emits each functionCall whole, makes up missing ids, and calls the turn tool_calls', () => {
    const events = decode(chunk([{ functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'sig' }, { functionCall: { name: 'b', args: {}, id: 'given' } }], { finishReason: 'STOP' }));
    expect(events.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'gemini_call_r1_0', name: 'a', thoughtSignature: 'sig' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'part-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'given', name: 'b' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'part-end', index: 1 },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'STOP', usage: expect.any(Object) },
    ]);
  });

  it('keeps MAX_TOKENS as length even after a call', () => {
    const events = decode(chunk([{ functionCall: { name: 'a', args: {} } }], { finishReason: 'MAX_TOKENS' }));
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', finishReason: 'length' });
  });

  it('finishes a blocked prompt with content_filter', () => {
    expect(decode({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 4 }, responseId: 'r2' })).toEqual([
      { type: 'start', id: 'r2', model: '', created: 1_700_000_000, usage: { inputTokens: 4 } },
      { type: 'finish', finishReason: 'content_filter', rawFinishReason: 'PROHIBITED_CONTENT', usage: { inputTokens: 4, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it('turns an in-stream error chunk into an error event and ignores what follows', () => {
    const events = decode(chunk([{ text: 'a' }]), { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }, chunk([{ text: 'b' }], { finishReason: 'STOP' }));
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta', 'error']);
    const error = events[2].type === 'error' ? events[2].error : undefined;
    expect({ kind: error?.kind, retryable: error?.retryable }).toEqual({ kind: 'overloaded', retryable: true });
  });

  it('reports garbage and untranslatable parts as upstream errors', () => {
    expect(decode('not json')).toMatchObject([{ type: 'error', error: { kind: 'upstream' } }]);
    expect(decode(chunk([{ executableCode: { code: 'print(1)' } }]))).toMatchObject([{ type: 'start' }, { type: 'error', error: { kind: 'upstream' } }]);
  });

  it('owes an error when the stream ends without a finishReason', () => {
    expect(decode()).toMatchObject([{ type: 'error', error: { kind: 'upstream', retryable: true } }]);
    expect(decode(chunk([{ text: 'a' }])).map((event) => event.type)).toEqual(['start', 'text-delta', 'error']);
  });
});
