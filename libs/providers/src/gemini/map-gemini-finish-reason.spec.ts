import { describe, expect, it } from 'vitest';
import { mapGeminiBlockReason, mapGeminiFinishReason, toGeminiFinishReason } from './map-gemini-finish-reason';

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'error'],
    ['UNEXPECTED_TOOL_CALL', true, 'error'],
    ['LANGUAGE', false, 'other'],
    ['OTHER', false, 'other'],
    ['NO_IMAGE', false, 'other'],
    ['SOMETHING_NEW', false, 'other'],
    [undefined, false, 'other'],
  ] as const)('%s (calls: %s) → %s', (raw, calls, reason) => {
    expect(mapGeminiFinishReason(raw, calls)).toBe(reason);
  });

  it.each([
    ['SAFETY', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['NEW_REASON', 'other'],
  ] as const)('block reason %s → %s', (raw, reason) => {
    expect(mapGeminiBlockReason(raw)).toBe(reason);
  });
});

describe('toGeminiFinishReason', () => {
  it.each([
    ['stop', undefined, 'STOP'],
    ['stop', 'end_turn', 'STOP'],
    ['tool_calls', 'tool_use', 'STOP'],
    ['tool_calls', 'STOP', 'STOP'],
    ['length', 'max_tokens', 'MAX_TOKENS'],
    ['content_filter', undefined, 'SAFETY'],
    ['content_filter', 'RECITATION', 'RECITATION'],
    ['error', 'MALFORMED_FUNCTION_CALL', 'MALFORMED_FUNCTION_CALL'],
    ['error', undefined, 'OTHER'],
    ['other', 'LANGUAGE', 'LANGUAGE'],
    ['other', 'pause_turn', 'OTHER'],
    ['stop', 'MAX_TOKENS', 'STOP'],
  ] as const)('%s (raw %s) → %s', (reason, raw, gemini) => {
    expect(toGeminiFinishReason(reason, raw)).toBe(gemini);
  });
});
