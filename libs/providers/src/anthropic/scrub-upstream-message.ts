/**
 * Removes what must never reach a client or a log line from an upstream
 * error message: API keys the provider echoes back (Anthropic answers
 * "invalid x-api-key" without it, but proxies in front of it do echo),
 * other long opaque tokens, and URLs / host names that would reveal the
 * channel's (possibly internal) base URL.
 */
const SCRUBBERS: Array<[RegExp, string]> = [
  // URLs first, so their host and query string go in one piece.
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>)\]]+/gi, '[url]'],
  // Anthropic (sk-ant-…), OpenAI and OpenRouter style keys, also partly masked (sk-ant-***abc).
  [/\bsk-[A-Za-z0-9_*.-]{3,}/g, 'sk-***'],
  // Google API keys.
  [/\bAIza[0-9A-Za-z_-]{10,}/g, '[redacted]'],
  // Bearer tokens.
  [/\bBearer\s+[^\s'"]+/gi, 'Bearer [redacted]'],
  // IPv4 addresses with an optional port.
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '[host]'],
  [/\blocalhost(?::\d+)?\b/gi, '[host]'],
  // Host names with a common public or internal suffix (not "messages.0.content": the suffix list is closed).
  [
    /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|ai|dev|cloud|app|co|internal|local|lan|svc|cluster|corp|azure|amazonaws)(?::\d+)?\b/gi,
    '[host]',
  ],
];

/** Long hex / base64 / base64url runs (keys, JWT parts, signatures); a run without a digit is a word, kept. */
const OPAQUE_TOKEN = /[A-Za-z0-9+/_=-]{32,}/g;

export function scrubUpstreamMessage(message: string): string {
  let text = message;
  for (const [pattern, replacement] of SCRUBBERS) text = text.replace(pattern, replacement);
  return text.replace(OPAQUE_TOKEN, (run) => (/[0-9]/.test(run) ? '[redacted]' : run));
}
