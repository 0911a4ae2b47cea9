/**
 * Removes what must never reach a client or a log line from an upstream
 * error message: API keys Google echoes back ("API key not valid … AIza…"),
 * OAuth tokens, other long opaque tokens, and URLs / host names that would
 * reveal the channel's (possibly internal) base URL.
 */
const SCRUBBERS: Array<[RegExp, string]> = [
  // URLs first, so their host and query string (…?key=AIza…) go in one piece.
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>)\]]+/gi, '[url]'],
  [/\bAIza[0-9A-Za-z_-]{10,}/g, '[redacted]'],
  [/\bya29\.[0-9A-Za-z_.-]+/g, '[redacted]'],
  [/\bsk-[A-Za-z0-9_*.-]{3,}/g, 'sk-***'],
  [/\bBearer\s+[^\s'"]+/gi, 'Bearer [redacted]'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '[host]'],
  [/\blocalhost(?::\d+)?\b/gi, '[host]'],
  [
    /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|ai|dev|cloud|app|co|internal|local|lan|svc|cluster|corp)(?::\d+)?\b/gi,
    '[host]',
  ],
];

/** Long hex / base64 runs (keys, signatures); a run without a digit is a word and is kept. */
const OPAQUE_TOKEN = /[A-Za-z0-9+/_=-]{32,}/g;

export function scrubUpstreamMessage(message: string): string {
  let text = message;
  for (const [pattern, replacement] of SCRUBBERS) text = text.replace(pattern, replacement);
  return text.replace(OPAQUE_TOKEN, (run) => (/[0-9]/.test(run) ? '[redacted]' : run));
}
