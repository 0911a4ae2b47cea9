/**
 * What every codec's error decoder reads the same way from an upstream's
 * error answer: a header whatever its case, the wait the provider asked for,
 * and a body that may still be JSON text.
 */

export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/** A header's (first) value, matched without regard to case. */
export function headerValue(headers: UpstreamHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** `retry-after-ms` (milliseconds: OpenAI, Anthropic) wins over `Retry-After` (seconds or an HTTP date); undefined when neither says. */
export function readRetryAfterMs(headers: UpstreamHeaders | undefined, now = Date.now()): number | undefined {
  const milliseconds = headerValue(headers, 'retry-after-ms');
  if (milliseconds !== undefined && milliseconds.trim() !== '' && Number.isFinite(Number(milliseconds)) && Number(milliseconds) >= 0) {
    return Math.round(Number(milliseconds));
  }
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter === undefined || retryAfter.trim() === '') return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error body parsed when it came as JSON text; anything else as it came. */
export function parseErrorBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}
