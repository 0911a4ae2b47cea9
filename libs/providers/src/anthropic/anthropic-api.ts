/**
 * Where and how to call an Anthropic Messages upstream.
 *
 * The channel's base URL is the provider's base exactly as the official
 * @anthropic-ai/sdk takes it (`baseURL`): WITHOUT the API version, e.g.
 * `https://api.anthropic.com` or `http://proxy:8080`. The caller joins it
 * with the path below, which carries the `/v1`.
 *
 * Vertex AI and Bedrock speak the same body with another path, auth and an
 * `anthropic_version` body field; they are not this module's transport.
 */
export const ANTHROPIC_MESSAGES_PATH = '/v1/messages';

/** The API version every request pins (https://docs.claude.com/en/api/versioning). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Path below the base URL; streaming uses the same endpoint (the body says `stream: true`). */
export function anthropicMessagesPath(): string {
  return ANTHROPIC_MESSAGES_PATH;
}

/**
 * Headers for a channel. `key` null: a keyless Anthropic-compatible proxy
 * gets no x-api-key header at all.
 */
export function buildUpstreamHeaders(key: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': ANTHROPIC_VERSION,
  };
  if (key !== null && key !== '') headers['x-api-key'] = key;
  return headers;
}
