import { Usage } from '../ir';
import { BedrockTokenUsage } from './bedrock-converse.types';

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Converse usage → IR usage. Like Anthropic's, Bedrock's `inputTokens`
 * excludes cache reads and writes (they are reported beside it and
 * `totalTokens` sums all four: https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html);
 * the IR counts every prompt token, so they are added. Converse does not
 * break reasoning out of `outputTokens`: 0.
 */
export function decodeBedrockUsage(usage: BedrockTokenUsage | null | undefined): Usage {
  const cacheRead = count(usage?.cacheReadInputTokens);
  const cacheWrite = count(usage?.cacheWriteInputTokens);
  return {
    inputTokens: count(usage?.inputTokens) + cacheRead + cacheWrite,
    outputTokens: count(usage?.outputTokens),
    cachedInputTokens: cacheRead,
    cacheWriteInputTokens: cacheWrite,
    reasoningTokens: 0,
  };
}
