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

describe('computeCostMicros against an exact BigInt oracle', () => {
  /** ⌈⌈Σ tokens × price / 10⁶⌉ × ratio / 10⁶⌉, every step in BigInt. */
  const oracle = (usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteInputTokens: number }, m: PolicyModel, ratio: number) => {
    const ceil = (n: bigint, d: bigint) => (n + d - 1n) / d;
    const cached = Math.max(0, Math.min(usage.cachedInputTokens, usage.inputTokens));
    const written = Math.max(0, Math.min(usage.cacheWriteInputTokens, usage.inputTokens - cached));
    const plain = usage.inputTokens - cached - written;
    const sum =
      BigInt(plain) * BigInt(m.inputPriceMicros) +
      BigInt(cached) * BigInt(m.cachedInputPriceMicros ?? m.inputPriceMicros) +
      BigInt(written) * BigInt(m.cacheWritePriceMicros ?? m.inputPriceMicros) +
      BigInt(usage.outputTokens) * BigInt(m.outputPriceMicros);
    return Number(ceil(ceil(sum, 1_000_000n) * BigInt(ratio), 1_000_000n));
  };

  it('goes to BigInt where the group multiplier takes the product past 2^53', () => {
    const usage = { inputTokens: 938, outputTokens: 1_000_000_000, cachedInputTokens: 0, cacheWriteInputTokens: 0 };
    const m: PolicyModel = { ...model, inputPriceMicros: 1_000_000, outputPriceMicros: 8_999_999, cachedInputPriceMicros: null };
    // ⌈8,999,999,938,000,000 / 10⁶⌉ = 8,999,999,938; × 99,999,999 / 10⁶, rounded up = 899,999,984,801 (doubles say …800).
    expect(computeCostMicros(usage, m, 99_999_999)).toBe(899_999_984_801);
    expect(oracle(usage, m, 99_999_999)).toBe(899_999_984_801);
  });

  it('goes to BigInt where the token terms pass 2^53', () => {
    // 2·10⁹ × 5,000,000 + 1 × 1 = 10¹⁶ + 1 (a double rounds it to 10¹⁶): ⌈10¹⁰ + 1 at half price⌉ = 5,000,000,001.
    const usage = { inputTokens: 1, outputTokens: 2_000_000_000, cachedInputTokens: 0, cacheWriteInputTokens: 0 };
    const m: PolicyModel = { ...model, inputPriceMicros: 1, outputPriceMicros: 5_000_000, cachedInputPriceMicros: null };
    expect(computeCostMicros(usage, m, 500_000)).toBe(5_000_000_001);
  });

  it('agrees to the micro-unit on small, large and overflowing inputs (the double fast path and the BigInt one)', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = (...scales: number[]) => Math.floor(random() * scales[Math.floor(random() * scales.length)]);
    for (let i = 0; i < 20_000; i += 1) {
      const inputTokens = pick(10, 1_000, 1_000_000, 2_147_483_647);
      const usage = {
        inputTokens,
        outputTokens: pick(10, 10_000, 2_147_483_647),
        cachedInputTokens: pick(10, inputTokens + 1, 2_147_483_647),
        cacheWriteInputTokens: pick(10, inputTokens + 1),
      };
      if (usage.inputTokens === 0 && usage.outputTokens === 0) continue;
      const m: PolicyModel = {
        ...model,
        inputPriceMicros: pick(1_000, 1_000_000, 100_000_000, 10_000_000_000),
        outputPriceMicros: pick(1_000, 1_000_000, 100_000_000, 10_000_000_000),
        cachedInputPriceMicros: random() < 0.3 ? null : pick(1_000_000, 10_000_000_000),
        cacheWritePriceMicros: random() < 0.5 ? null : pick(1_000_000, 10_000_000_000),
      };
      const ratio = pick(2_000_000, 100_000_000);
      expect(computeCostMicros(usage, m, ratio)).toBe(oracle(usage, m, ratio));
    }
  });
});
