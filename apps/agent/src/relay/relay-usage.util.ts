import { EMPTY_USAGE, StreamEvent, Usage } from '@aigw/providers';

/** Largest token count a usage field may hold (the usage log's integer columns). */
const MAX_TOKENS_FIELD = 2_147_483_647;

/**
 * Upstream usage is untrusted input: negative, fractional, non-numeric or
 * absurd counts would bill wrongly or break settlement. Clamp to integers in
 * [0, 2^31 − 1].
 */
export function sanitizeUsage(usage: Partial<Usage>): Usage {
  const count = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(Math.floor(value), MAX_TOKENS_FIELD) : 0;
  return {
    inputTokens: count(usage.inputTokens),
    outputTokens: count(usage.outputTokens),
    cachedInputTokens: count(usage.cachedInputTokens),
    cacheWriteInputTokens: count(usage.cacheWriteInputTokens),
    reasoningTokens: count(usage.reasoningTokens),
  };
}

export function sanitizeEventUsage(event: StreamEvent): StreamEvent {
  if (event.type === 'finish') return { ...event, usage: sanitizeUsage(event.usage) };
  if (event.type === 'start' && event.usage) {
    const clean = sanitizeUsage(event.usage);
    const usage = Object.fromEntries(Object.keys(event.usage).map((key) => [key, clean[key as keyof Usage]])) as Partial<Usage>;
    return { ...event, usage };
  }
  return event;
}

/** Usage of an OpenAI embeddings/completions answer (or stream chunk); malformed numbers count as 0. */
export function usageFromOpenAiBody(text: string, fallback: Usage = { ...EMPTY_USAGE }): Usage {
  try {
    const usage = (JSON.parse(text) as { usage?: Record<string, unknown> }).usage;
    if (!usage || typeof usage !== 'object') return fallback;
    const count = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0);
    return { ...EMPTY_USAGE, inputTokens: count(usage.prompt_tokens), outputTokens: count(usage.completion_tokens) };
  } catch {
    return fallback;
  }
}

