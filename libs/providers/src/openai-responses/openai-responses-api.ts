/**
 * Where and how to call an OpenAI Responses upstream.
 *
 * The channel's base URL is the provider base exactly as the official SDK
 * takes it, `/v1` included: `https://api.openai.com/v1` (or an
 * OpenAI-compatible `https://host/openai/v1`). The caller joins it with
 * RESPONSES_PATH; streaming uses the same path with `stream: true` in the body.
 */
export const RESPONSES_PATH = '/responses';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Headers for every upstream call; no Authorization when the channel has no key (a keyless local server). */
export function buildUpstreamHeaders(key: string | null): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  return headers;
}

export function responsesPath(): string {
  return RESPONSES_PATH;
}
