import { PolicyModel } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { imagesWorstCaseMicros, moderationWorstCaseMicros, rerankWorstCaseMicros, speechCostMicros, transcriptionWorstCaseMicros } from './media-quota.util';

const base: PolicyModel = { id: 'm', name: 'm', inputPriceMicros: 0, outputPriceMicros: 0, cachedInputPriceMicros: null, cacheWritePriceMicros: null, createdAt: 0, routing: {} };

describe('media reservations', () => {
  it('images: n at the per-image price, or the token bound of a token-priced model, whichever is more', () => {
    expect(imagesWorstCaseMicros('a cat', 3, 0, { ...base, imagePriceMicros: 40_000 }, 1_000_000)).toBe(120_000);
    // 5 prompt bytes + 2 input images × 2,000 at $5/M, 2 × 8,192 output tokens at $40/M.
    expect(imagesWorstCaseMicros('a cat', 2, 2, { ...base, inputPriceMicros: 5_000_000, outputPriceMicros: 40_000_000 }, 1_000_000)).toBe(20_025 + 655_360);
    expect(imagesWorstCaseMicros('a cat', 2, 0, undefined, 1_000_000)).toBe(0);
  });

  it("transcriptions: the upload's duration when its headers tell it, else its size at 16 kbit/s", () => {
    const whisper = { ...base, audioSecondPriceMicros: 100 };
    expect(transcriptionWorstCaseMicros(3_500, 1_000_000, '', whisper, 1_000_000)).toBe(350);
    expect(transcriptionWorstCaseMicros(null, 1_000_000, '', whisper, 1_000_000)).toBe(50_000);
  });

  it('speech, rerank and moderations from what is known up front', () => {
    expect(speechCostMicros(100, { ...base, characterPriceMicros: 15_000_000 }, 1_000_000)).toBe(1_500);
    expect(rerankWorstCaseMicros(2, { ...base, searchUnitPriceMicros: 2_000 }, 2_000_000)).toBe(8_000);
    expect(moderationWorstCaseMicros('hello', base, 1_000_000)).toBe(0);
    expect(moderationWorstCaseMicros('hello', { ...base, inputPriceMicros: 1_000_000 }, 1_000_000)).toBe(5);
  });
});
