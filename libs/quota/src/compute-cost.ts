import { PolicyModel } from '@aigw/contracts';

export interface BillableUsage {
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
    BigInt(Math.max(0, usage.outputTokens)) * BigInt(model.outputPriceMicros);
  const base = ceilDivide(numerator, 1_000_000n);
  return Number(ceilDivide(base * BigInt(groupRatioPpm), 1_000_000n));
}

function clamp(value: number, max: number): number {
  return Math.max(0, Math.min(value, Math.max(0, max)));
}

function ceilDivide(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}
