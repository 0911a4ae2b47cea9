import { Usage } from '../ir';
import { GeminiUsageMetadata } from './gemini.types';

/**
 * usageMetadata → IR usage. Gemini's promptTokenCount already includes the
 * cached tokens (cachedContentTokenCount is a part of it), matching the IR;
 * candidatesTokenCount EXCLUDES thoughts, so outputTokens = candidates +
 * thoughts. toolUsePromptTokenCount (built-in tools, which this gateway
 * refuses) is not counted.
 */
export function mapGeminiUsage(usage: GeminiUsageMetadata | null | undefined): Usage {
  const thoughts = count(usage?.thoughtsTokenCount);
  return {
    inputTokens: count(usage?.promptTokenCount),
    outputTokens: count(usage?.candidatesTokenCount) + thoughts,
    cachedInputTokens: count(usage?.cachedContentTokenCount),
    cacheWriteInputTokens: 0,
    reasoningTokens: thoughts,
  };
}

/** What is known of the usage at the first stream chunk: the prompt side. */
export function mapGeminiPromptUsage(usage: GeminiUsageMetadata | null | undefined): Partial<Usage> | undefined {
  if (!usage || typeof usage.promptTokenCount !== 'number') return undefined;
  const known: Partial<Usage> = { inputTokens: usage.promptTokenCount };
  if (typeof usage.cachedContentTokenCount === 'number') known.cachedInputTokens = usage.cachedContentTokenCount;
  return known;
}

/** IR usage → usageMetadata; zero thought / cache counts are left out, as Gemini does. */
export function toGeminiUsage(usage: Usage): GeminiUsageMetadata {
  const metadata: GeminiUsageMetadata = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - usage.reasoningTokens),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.reasoningTokens > 0) metadata.thoughtsTokenCount = usage.reasoningTokens;
  if (usage.cachedInputTokens > 0) metadata.cachedContentTokenCount = usage.cachedInputTokens;
  return metadata;
}

/** The prompt side only (chunks before the last), mirroring mapGeminiPromptUsage. */
export function toGeminiPromptUsage(usage: Partial<Usage>): GeminiUsageMetadata | undefined {
  if (usage.inputTokens === undefined) return undefined;
  const metadata: GeminiUsageMetadata = { promptTokenCount: usage.inputTokens, totalTokenCount: usage.inputTokens };
  if (usage.cachedInputTokens !== undefined) metadata.cachedContentTokenCount = usage.cachedInputTokens;
  return metadata;
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
