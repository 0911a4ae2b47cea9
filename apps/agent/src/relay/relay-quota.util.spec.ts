import { PolicyModel } from '@aigw/contracts';
import { ChatRequest } from '@aigw/providers';
import { describe, expect, it } from 'vitest';
import { MEDIA_PART_RESERVED_TOKENS, assertSaneLimits, auxiliaryWorstCaseMicros, chatWorstCaseMicros, promptTokenBound } from './relay-quota.util';

const model: PolicyModel = { id: 'model-1', name: 'm', inputPriceMicros: 1_000_000, outputPriceMicros: 10_000_000, cachedInputPriceMicros: null, cacheWritePriceMicros: null, createdAt: 0, routing: {} };
const chat = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'héllo' }] }], stream: false, ...overrides,
});

describe('quota reservation estimates', () => {
  it('bounds a prompt by its UTF-8 bytes and a fixed amount per media part, without counting base64', () => {
    expect(promptTokenBound('héllo')).toBe(6);
    expect(promptTokenBound([{ type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'A'.repeat(100_000) } }])).toBe(MEDIA_PART_RESERVED_TOKENS);
    expect(promptTokenBound({ a: ['xy', { b: 'z' }] })).toBe(3);
  });

  it('worst case = prompt bound × input price + (max_tokens + thinking budget) × n × output price, times the group ratio; 0 unpriced', () => {
    // 'user' + 'text' + 'héllo' = 14 bytes → 14 µ$; 100 output tokens × 10 µ$.
    expect(chatWorstCaseMicros(chat({ maxOutputTokens: 100 }), model, 1_000_000)).toBe(14 + 1_000);
    expect(chatWorstCaseMicros(chat({ maxOutputTokens: 100, n: 2 }), model, 1_000_000)).toBe(14 + 2_000);
    expect(chatWorstCaseMicros(chat({ maxOutputTokens: 100, reasoning: { budgetTokens: 50 } }), model, 1_000_000)).toBe(14 + 1_500);
    expect(chatWorstCaseMicros(chat({ maxOutputTokens: 100 }), model, 1_500_000)).toBe(1_521);
    expect(chatWorstCaseMicros(chat(), model, 1_000_000)).toBe(14 + 40_960);
    expect(chatWorstCaseMicros(chat({ maxOutputTokens: 100 }), undefined, 1_000_000)).toBe(0);
    // A body forwarded untranslated: its own bytes bound the prompt.
    expect(chatWorstCaseMicros(chat({ maxOutputTokens: 1 }), model, 1_000_000, { input: 'abc' })).toBe(3 + 10);
  });

  it('refuses absurd max_tokens and n as the client error, whatever the price', () => {
    expect(() => assertSaneLimits(2_000_000, 1)).toThrow(expect.objectContaining({ kind: 'invalid_request', options: expect.objectContaining({ param: 'max_tokens' }) }));
    expect(() => assertSaneLimits(0, undefined)).toThrow(/max_tokens/);
    expect(() => assertSaneLimits(10, 129)).toThrow(expect.objectContaining({ options: expect.objectContaining({ param: 'n' }) }));
    expect(() => chatWorstCaseMicros(chat({ maxOutputTokens: 1.5 }), undefined, 1_000_000)).toThrow(/max_tokens/);
    expect(() => assertSaneLimits(1_048_576, 128)).not.toThrow();
  });

  it('embeddings reserve their input; legacy completions their prompt and max_tokens (16 by default) × n', () => {
    expect(auxiliaryWorstCaseMicros('embeddings', { input: ['ab', 'cd'] }, model, 1_000_000)).toBe(4);
    expect(auxiliaryWorstCaseMicros('completions', { prompt: 'abc' }, model, 1_000_000)).toBe(3 + 160);
    expect(auxiliaryWorstCaseMicros('completions', { prompt: 'abc', max_tokens: 10, n: 3 }, model, 1_000_000)).toBe(3 + 300);
    expect(() => auxiliaryWorstCaseMicros('completions', { prompt: 'a', n: 500 }, model, 1_000_000)).toThrow(/n must be/);
  });
});
