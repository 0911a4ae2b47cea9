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
  // Exact in doubles while every product and sum is a safe integer (the usual case: no BigInt allocated).
  if (usage.inputTokens > 0 || usage.outputTokens > 0) {
    const numerator = safeSum(
      plain * model.inputPriceMicros,
      cached * (model.cachedInputPriceMicros ?? model.inputPriceMicros),
      written * (model.cacheWritePriceMicros ?? model.inputPriceMicros),
      Math.max(0, usage.outputTokens) * model.outputPriceMicros,
    );
    if (numerator !== null) {
      // Beyond 2⁵³ the product is rounded (899,999,984,800 where 899,999,984,801 is due): BigInt then.
      const scaled = ceilMicros(numerator) * groupRatioPpm;
      if (Number.isSafeInteger(scaled) && scaled >= 0) return ceilMicros(scaled);
    }
  }
  return computeCostMicrosBig(usage, model, groupRatioPpm, cached, written, plain);
}

const MICROS = 1_000_000;

/** The sum of non-negative safe integers, or null when a term or the sum is not one. */
function safeSum(a: number, b: number, c: number, d: number): number | null {
  const sum = a + b + c + d;
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) && Number.isSafeInteger(c) && Number.isSafeInteger(d) && Number.isSafeInteger(sum) && a >= 0 && b >= 0 && c >= 0 && d >= 0
    ? sum
    : null;
}

/**
 * ⌈n / 10⁶⌉ for a non-negative safe integer n, exactly: n / 10⁶ is rounded
 * to the nearest double, the quotient is under 2³⁴, and there half a
 * double's spacing (at most 2⁻²⁰ ≈ 0.95·10⁻⁶) is less than the 10⁻⁶ between
 * a quotient that is not an integer and the nearest integer: it never rounds
 * to one.
 */
function ceilMicros(n: number): number {
  return Math.ceil(n / MICROS);
}

/** The same in BigInt: any size, and media units. */
function computeCostMicrosBig(usage: BillableUsage, model: PolicyModel, groupRatioPpm: number, cached: number, written: number, plain: number): number {
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
