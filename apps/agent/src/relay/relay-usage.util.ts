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

let isoSecond = Number.NaN;
let isoPrefix = '';

/**
 * `new Date(ms).toISOString()`, for the usage record's `created_at`: the
 * text up to the second is kept between calls, so a request pays for three
 * digits (about a tenth of formatting a Date).
 */
export function isoTimestamp(ms: number = Date.now()): string {
  const second = Math.floor(ms / 1000);
  if (second !== isoSecond) {
    const text = new Date(second * 1000).toISOString(); // YYYY-MM-DDTHH:mm:ss.000Z
    if (text.length !== 24) return new Date(ms).toISOString(); // a year beyond 9999: no cache
    isoSecond = second;
    isoPrefix = text.slice(0, 20);
  }
  const milli = ms - second * 1000;
  return `${isoPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
