import { Usage } from '../ir';
import { CohereUsage } from './cohere.types';

/**
 * Cohere usage → IR Usage, counted in `billed_units`.
 *
 * Cohere reports two counts: `tokens` (what the model processed, including
 * the prompt template and special tokens Cohere adds itself — a one-word
 * question costs ~500 input tokens there) and `billed_units` (what Cohere
 * invoices: "tokens you don't have control over, you are not charged for",
 * https://docs.cohere.com/docs/how-does-cohere-pricing-work). The gateway
 * prices with Cohere's per-token list prices, which apply to billed units,
 * so those are the counts it bills and shows; `tokens` fill in a count
 * billed_units lacks.
 *
 * `cached_tokens` counts Cohere's own cached template tokens: they exceed
 * the billed input (448 cached of 12 billed in a real answer) and earn no
 * discount, so they are not reported as cached input. Cohere does not split
 * reasoning tokens out of the output.
 */
export function decodeCohereUsage(usage: CohereUsage | null | undefined): Usage {
  const billed = usage?.billed_units ?? {};
  const tokens = usage?.tokens ?? {};
  return {
    inputTokens: count(billed.input_tokens) ?? count(tokens.input_tokens) ?? 0,
    outputTokens: count(billed.output_tokens) ?? count(tokens.output_tokens) ?? 0,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
  };
}

function count(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}
