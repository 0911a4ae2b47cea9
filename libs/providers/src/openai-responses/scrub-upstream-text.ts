/**
 * Removes from an upstream error message what must never reach a client or a
 * log line: API keys echoed back ("Incorrect API key provided: sk-proj-…"),
 * other long opaque tokens, and URLs / host names that would reveal the
 * channel's (possibly internal) base URL.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // Whole URLs first, so scheme, host, path and query go in one piece.
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>)\]]+/gi, '[url]'],
  // OpenAI-style keys, also partly masked ones (sk-proj-abc***xyz).
  [/\bsk-[A-Za-z0-9_*.-]{3,}/g, 'sk-***'],
  // Google API keys.
  [/\bAIza[0-9A-Za-z_-]{10,}/g, '[redacted]'],
  [/\bBearer\s+[^\s'"]+/gi, 'Bearer [redacted]'],
  // IPv4 with optional port, localhost, and dotted host names with a known suffix.
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '[host]'],
  [/\blocalhost(?::\d+)?\b/gi, '[host]'],
  [
    /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|ai|dev|cloud|app|co|internal|local|lan|svc|cluster|corp|azure|amazonaws)(?::\d+)?\b/gi,
    '[host]',
  ],
];

/** Runs of 32+ key-like characters containing a digit (keys, JWT parts); long plain words are kept. */
const OPAQUE_RUN = /[A-Za-z0-9+/_=-]{32,}/g;

/** OpenAI object ids ("Item with id 'rs_…' not found") are not secrets and help the client fix its input. */
const OPENAI_OBJECT_ID = /^(?:resp|rs|msg|fc|call|ctc|ws|ci)_[A-Za-z0-9]+$/;

export function scrubUpstreamText(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of PATTERNS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed.replace(OPAQUE_RUN, (run) =>
    /[0-9]/.test(run) && !OPENAI_OBJECT_ID.test(run) ? '[redacted]' : run,
  );
}
