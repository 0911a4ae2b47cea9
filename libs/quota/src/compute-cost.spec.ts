import { PolicyModel } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { computeCostMicros } from './compute-cost';

const model: PolicyModel = {
  id: 'model-1',
  name: 'gpt-4.1-mini',
  inputPriceMicros: 400_000, // $0.40 / 1M
  outputPriceMicros: 1_600_000, // $1.60 / 1M
  cachedInputPriceMicros: 100_000, // $0.10 / 1M
  cacheWritePriceMicros: null,
  createdAt: 0,
  routing: {},
};

describe('computeCostMicros', () => {
  it.each([
    [{ inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 }, 400_000],
    [{ inputTokens: 0, outputTokens: 1_000_000, cachedInputTokens: 0, cacheWriteInputTokens: 0 }, 1_600_000],
    // 1000 in (200 cached) + 500 out: 800×0.4 + 200×0.1 + 500×1.6 = 320 + 20 + 800 = 1140 micro-USD
    [{ inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200, cacheWriteInputTokens: 0 }, 1140],
    // 1 token = 0.4 micro-USD → rounds up to 1
    [{ inputTokens: 1, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 }, 1],
    [{ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 }, 0],
    // cache writes without their own price cost the input price
    [{ inputTokens: 1000, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 1000 }, 400],
    // absurd cached count larger than the input is clamped, never negative
    [{ inputTokens: 10, outputTokens: 0, cachedInputTokens: 50, cacheWriteInputTokens: 0 }, 1],
  ])('%j costs %d micro-USD', (usage, micros) => {
    expect(computeCostMicros(usage, model)).toBe(micros);
  });

  it('applies the group ratio in integer arithmetic, rounding up', () => {
    const usage = { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200, cacheWriteInputTokens: 0 };
    expect(computeCostMicros(usage, model, 1_500_000)).toBe(1710);
    expect(computeCostMicros(usage, model, 333_333)).toBe(380);
    expect(computeCostMicros(usage, model, 0)).toBe(0);
  });

  it('stays exact for huge counts', () => {
    const usage = { inputTokens: 2 ** 40, outputTokens: 2 ** 40, cachedInputTokens: 0, cacheWriteInputTokens: 0 };
    expect(computeCostMicros(usage, model)).toBe(Number((2n ** 40n * 2_000_000n) / 1_000_000n));
  });

  describe('media units', () => {
    const media: PolicyModel = {
      ...model,
      imagePriceMicros: 40_000, // $0.04 an image
      audioSecondPriceMicros: 100, // $0.006 a minute
      characterPriceMicros: 15_000_000, // $15 / 1M characters
      searchUnitPriceMicros: 2_000, // $2 / 1000 searches
    };
    const none = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 };

    it.each([
      [{ images: 3 }, 120_000],
      // 12.345 s at 100 µ$/s = 1234.5 → 1235
      [{ audioMs: 12_345 }, 1_235],
      // 100 characters at $15/1M = 1500 µ$
      [{ characters: 100 }, 1_500],
      [{ searchUnits: 2 }, 4_000],
      [{ images: 1, searchUnits: 1 }, 42_000],
    ])('%j costs %d micro-USD', (units, micros) => {
      expect(computeCostMicros({ ...none, ...units }, media)).toBe(micros);
    });

    it('bills the reported tokens instead of the units when there are any (token-priced image and audio models)', () => {
      expect(computeCostMicros({ ...none, inputTokens: 1000, outputTokens: 500, images: 2 }, media)).toBe(1_200);
    });

    it('is free for a model without unit prices', () => {
      expect(computeCostMicros({ ...none, images: 5, audioMs: 60_000, characters: 4096, searchUnits: 9 }, model)).toBe(0);
    });

    it('applies the group ratio to units too', () => {
      expect(computeCostMicros({ ...none, images: 1 }, media, 1_500_000)).toBe(60_000);
    });
  });
});
