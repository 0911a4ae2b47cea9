import { Usage } from '../ir';
import { AnthropicUsage } from './anthropic.types';

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Anthropic usage → IR usage. Anthropic's input_tokens EXCLUDES cache reads
 * and cache writes; the IR counts every prompt token, so they are added.
 * Reasoning tokens are only known when the model reports
 * output_tokens_details.thinking_tokens (newer models); otherwise 0.
 */
export function decodeAnthropicUsage(usage: AnthropicUsage | null | undefined): Usage {
  const cacheRead = count(usage?.cache_read_input_tokens);
  const cacheWrite = count(usage?.cache_creation_input_tokens);
  return {
    inputTokens: count(usage?.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(usage?.output_tokens),
    cachedInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
    reasoningTokens: count(usage?.output_tokens_details?.thinking_tokens),
  };
}

/** The wire shape of Anthropic usage fields (cache counts split back out of input_tokens). */
export interface EncodedAnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  output_tokens_details?: { thinking_tokens: number };
}

/**
 * IR usage → Anthropic usage: subtracts the cache reads and writes again
 * (never below 0, should another provider report cached > total). Reasoning
 * tokens go out as output_tokens_details only when known, like the API.
 */
export function encodeAnthropicUsage(usage: Partial<Usage> | undefined): EncodedAnthropicUsage {
  const cacheRead = count(usage?.cachedInputTokens);
  const cacheWrite = count(usage?.cacheWriteInputTokens);
  const encoded: EncodedAnthropicUsage = {
    input_tokens: Math.max(0, count(usage?.inputTokens) - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: count(usage?.outputTokens),
  };
  const reasoning = count(usage?.reasoningTokens);
  if (reasoning > 0) encoded.output_tokens_details = { thinking_tokens: reasoning };
  return encoded;
}
