import { Usage } from '../ir';
import { ResponsesUsage } from './openai-responses.types';

/**
 * Responses usage already follows the IR convention: input_tokens counts
 * cached (and cache-written) tokens, output_tokens counts reasoning tokens.
 */
export function decodeResponsesUsage(usage: ResponsesUsage | null | undefined): Usage {
  return {
    inputTokens: count(usage?.input_tokens),
    outputTokens: count(usage?.output_tokens),
    cachedInputTokens: count(usage?.input_tokens_details?.cached_tokens),
    cacheWriteInputTokens: count(usage?.input_tokens_details?.cache_write_tokens),
    reasoningTokens: count(usage?.output_tokens_details?.reasoning_tokens),
  };
}

export function encodeResponsesUsage(usage: Usage): Required<Pick<ResponsesUsage, 'input_tokens' | 'output_tokens' | 'total_tokens'>> &
  ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
