import { Usage } from '../ir';
import { OpenAiChatUsage } from './openai-chat.types';

/**
 * OpenAI usage already follows the IR convention: prompt_tokens includes
 * cached (and explicitly written) prompt tokens, completion_tokens includes
 * reasoning tokens. Cache writes are 0 unless the server reports
 * prompt_tokens_details.cache_write_tokens (explicit breakpoints). DeepSeek
 * reports cache hits as prompt_cache_hit_tokens instead.
 */
export function decodeOpenAiChatUsage(usage: OpenAiChatUsage | null | undefined): Usage {
  return {
    inputTokens: count(usage?.prompt_tokens),
    outputTokens: count(usage?.completion_tokens),
    cachedInputTokens: count(usage?.prompt_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens),
    cacheWriteInputTokens: count(usage?.prompt_tokens_details?.cache_write_tokens),
    reasoningTokens: count(usage?.completion_tokens_details?.reasoning_tokens),
  };
}

/** The client-facing usage object; cache_write_tokens only when there were writes. */
export function encodeOpenAiChatUsage(usage: Usage): Required<Pick<OpenAiChatUsage, 'prompt_tokens' | 'completion_tokens' | 'total_tokens'>> &
  OpenAiChatUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: {
      cached_tokens: usage.cachedInputTokens,
      ...(usage.cacheWriteInputTokens > 0 ? { cache_write_tokens: usage.cacheWriteInputTokens } : {}),
    },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
