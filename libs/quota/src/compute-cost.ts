import { PolicyModel } from '@aigw/contracts';

/** What the non-chat endpoints count besides tokens (all non-negative integers). */
export interface MediaUnits {
  images?: number;
  /** Audio transcribed or translated, in milliseconds (priced per second). */
  audioMs?: number;
  /** Input characters of a speech request (priced per 1M). */
  characters?: number;
  searchUnits?: number;
}

export interface BillableUsage extends MediaUnits {
  /** All prompt tokens, cached and cache-written included (OpenAI convention). */
  inputTokens: number;
  /** All generated tokens, reasoning included. */
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
}

/**
 * Cost in integer micro-USD. Prices are micro-USD per 1M tokens, so the exact
 * cost is Σ tokens × price / 1,000,000; it is computed in BigInt and rounded
 * up once at the end (a fraction of a micro-USD is charged as one), then the
 * group multiplier (parts per million) applies, rounded up again.
 * Cached tokens use the cached price when the model has one, else the input
 * price; cache writes likewise.
 *
 * Media units (images, audio, characters, search units) are billed at the
 * model's unit prices only when the answer reported no tokens: a model priced
 * by tokens (gpt-image-1, gpt-4o-transcribe) reports them and they are the
 * bill; one priced per unit (DALL·E, Whisper, TTS, rerank) reports none.
 */
export function computeCostMicros(usage: BillableUsage, model: PolicyModel, groupRatioPpm = 1_000_000): number {
  const cached = clamp(usage.cachedInputTokens, usage.inputTokens);
  const written = clamp(usage.cacheWriteInputTokens, usage.inputTokens - cached);
  const plain = usage.inputTokens - cached - written;
  const input = BigInt(model.inputPriceMicros);
  const numerator =
    BigInt(plain) * input +
    BigInt(cached) * BigInt(model.cachedInputPriceMicros ?? model.inputPriceMicros) +
    BigInt(written) * BigInt(model.cacheWritePriceMicros ?? model.inputPriceMicros) +
    BigInt(Math.max(0, usage.outputTokens)) * BigInt(model.outputPriceMicros) +
    (usage.inputTokens > 0 || usage.outputTokens > 0 ? 0n : unitsNumerator(usage, model));
  const base = ceilDivide(numerator, 1_000_000n);
  return Number(ceilDivide(base * BigInt(groupRatioPpm), 1_000_000n));
}

/** Media units at the model's unit prices, in micro-USD × 10⁶ (the token terms' scale). */
function unitsNumerator(units: MediaUnits, model: PolicyModel): bigint {
  const count = (value: number | undefined) => BigInt(Math.max(0, Math.floor(value ?? 0)));
  const price = (value: number | null | undefined) => BigInt(value ?? 0);
  return (
    count(units.images) * price(model.imagePriceMicros) * 1_000_000n +
    count(units.audioMs) * price(model.audioSecondPriceMicros) * 1_000n +
    count(units.characters) * price(model.characterPriceMicros) +
    count(units.searchUnits) * price(model.searchUnitPriceMicros) * 1_000_000n
  );
}

function clamp(value: number, max: number): number {
  return Math.max(0, Math.min(value, Math.max(0, max)));
}

function ceilDivide(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}
