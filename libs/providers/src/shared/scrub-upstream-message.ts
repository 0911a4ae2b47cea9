/**
 * Removes what must never reach a client or a log line from an upstream
 * error message: API keys providers (or proxies in front of them) echo back
 * ("Incorrect API key provided: sk-proj-…", "API key not valid … AIza…"),
 * account organization / project ids, bearer tokens, other long opaque
 * tokens, and URLs / host names that would reveal a channel's (possibly
 * internal) base URL. Shared by every codec's error decoder.
 */
const SCRUBBERS: Array<[RegExp, string]> = [
  // URLs first, so their host and query string go in one piece.
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>)\]]+/gi, '[url]'],
  // OpenAI / Anthropic (sk-ant-…) / OpenRouter style keys, also when partly masked (sk-abc***xyz).
  [/\bsk-[A-Za-z0-9_*-]{3,}/g, 'sk-***'],
  // OpenAI organization and project ids of the channel's account (rate-limit messages name them).
  [/\borg-[A-Za-z0-9]{6,}/g, 'org-***'],
  [/\bproj_[A-Za-z0-9]{6,}/g, 'proj_***'],
  // Google API keys and OAuth access tokens.
  [/\bAIza[0-9A-Za-z_-]{10,}/g, '[redacted]'],
  [/\bya29\.[0-9A-Za-z_.-]+/g, '[redacted]'],
  // AWS access key ids (long-term AKIA…, temporary ASIA…): AWS errors about signatures name them.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]'],
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

/** OpenAI object ids ("Item with id 'rs_…' not found") are not secrets and help the client fix its input. */
const OPENAI_OBJECT_ID = /^(?:resp|rs|msg|fc|call|ctc|ws|ci)_[A-Za-z0-9]+$/;

export function scrubUpstreamMessage(message: string): string {
  let text = message;
  for (const [pattern, replacement] of SCRUBBERS) text = text.replace(pattern, replacement);
  return text.replace(OPAQUE_TOKEN, (run) => (/[0-9]/.test(run) && !OPENAI_OBJECT_ID.test(run) ? '[redacted]' : run));
}
