import { describe, expect, it } from 'vitest';
import { upstreamCodecFor } from '../codecs';

/**
 * Answers shaped like Cohere's /v2/chat responses (V2ChatResponse in
 * cohere-ai's SDKs; usage with both counts and cached_tokens as real answers
 * carry them).
 */
const codec = upstreamCodecFor('cohere');

describe('Cohere /v2/chat answers → ChatResponse', () => {
  it('text, finish COMPLETE, usage in billed units', () => {
    const response = codec.decodeResponse({
      id: '5f2c0e3a-7d1b-4f3e-9a54-0c1d2e3f4a5b',
      message: { role: 'assistant', content: [{ type: 'text', text: 'The capital of France is Paris.' }] },
      finish_reason: 'COMPLETE',
      usage: { billed_units: { input_tokens: 12, output_tokens: 7 }, tokens: { input_tokens: 507, output_tokens: 10 }, cached_tokens: 448 },
    });
    expect(response).toMatchObject({
      id: '5f2c0e3a-7d1b-4f3e-9a54-0c1d2e3f4a5b',
      content: [{ type: 'text', text: 'The capital of France is Paris.' }],
      finishReason: 'stop',
      rawFinishReason: 'COMPLETE',
      usage: { inputTokens: 12, outputTokens: 7, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 },
    });
  });

  it('tool calls after the tool plan; finish TOOL_CALL; null arguments become {}', () => {
    const response = codec.decodeResponse({
      id: 'r2',
      message: {
        role: 'assistant',
        tool_plan: 'I will check the weather and the time.',
        tool_calls: [
          { id: 'get_weather_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'get_time_def', type: 'function', function: { name: 'get_time', arguments: 'null' } },
        ],
      },
      finish_reason: 'TOOL_CALL',
      usage: { billed_units: { input_tokens: 119, output_tokens: 52 }, tokens: { input_tokens: 1549, output_tokens: 103 } },
    });
    expect(response.content).toEqual([
      { type: 'text', text: 'I will check the weather and the time.' },
      { type: 'tool-call', id: 'get_weather_abc', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'get_time_def', name: 'get_time', arguments: '{}' },
    ]);
    expect(response.finishReason).toBe('tool_calls');
    expect(response.usage).toMatchObject({ inputTokens: 119, outputTokens: 52 });
  });

  it('thinking content is reasoning of no provider family, in order before the text', () => {
    const response = codec.decodeResponse({
      id: 'r3',
      message: {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'The user asks for 2 + 2.' },
          { type: 'text', text: '4.' },
        ],
      },
      finish_reason: 'COMPLETE',
      usage: { billed_units: { input_tokens: 8, output_tokens: 50 }, tokens: { input_tokens: 1394, output_tokens: 54 } },
    });
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'The user asks for 2 + 2.' },
      { type: 'text', text: '4.' },
    ]);
    expect(response.content[0]).not.toHaveProperty('provider');
  });

  it('finish reasons: MAX_TOKENS → length, STOP_SEQUENCE → stop, ERROR → error, unknown → other', () => {
    const finish = (reason: string) =>
      codec.decodeResponse({ id: 'x', message: { role: 'assistant', content: [{ type: 'text', text: 'a' }] }, finish_reason: reason }).finishReason;
    expect(finish('MAX_TOKENS')).toBe('length');
    expect(finish('STOP_SEQUENCE')).toBe('stop');
    expect(finish('ERROR')).toBe('error');
    expect(finish('SOMETHING_NEW')).toBe('other');
  });

  it('usage falls back to the processed tokens when billed units are missing; no usage is zeros', () => {
    expect(codec.decodeResponse({ id: 'x', message: { role: 'assistant', content: [] }, finish_reason: 'COMPLETE', usage: { tokens: { input_tokens: 30, output_tokens: 4 } } }).usage).toMatchObject({
      inputTokens: 30,
      outputTokens: 4,
    });
    expect(codec.decodeResponse({ id: 'x', message: { role: 'assistant' }, finish_reason: 'COMPLETE' }).usage).toMatchObject({ inputTokens: 0, outputTokens: 0 });
  });

  it('a body that is not an object is an upstream error', () => {
    expect(() => codec.decodeResponse('nope')).toThrow(expect.objectContaining({ kind: 'upstream' }));
  });
});
