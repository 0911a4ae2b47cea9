import { PolicyChannel } from '@aigw/contracts';
import { Protocol } from '@aigw/providers';

/**
 * Which wire protocol a channel speaks for a given client protocol. OpenAI
 * accounts serve both Chat and Responses: a Responses client goes to
 * /responses (no translation, server-side features intact), everything else
 * to /chat/completions, the endpoint every OpenAI-compatible server has.
 */
export function upstreamProtocolFor(channel: PolicyChannel, client: Protocol): Protocol | null {
  switch (channel.type) {
    case 'openai':
      return client === 'openai-responses' ? 'openai-responses' : 'openai-chat';
    case 'openai-compatible':
    case 'azure':
      return 'openai-chat';
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
    default:
      // vertex, bedrock: the provider-breadth issue adds their transports.
      return null;
  }
}

/** Path below the channel's base URL (the base as each official SDK takes it). */
export function upstreamPath(protocol: Protocol, upstreamModel: string, stream: boolean): string {
  switch (protocol) {
    case 'openai-chat':
      return '/chat/completions';
    case 'openai-responses':
      return '/responses';
    case 'anthropic':
      return '/v1/messages';
    case 'gemini':
      return `/v1beta/models/${encodeURIComponent(upstreamModel)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }
}

/** Auth headers for the upstream; the client's own credentials are never forwarded. */
export function upstreamAuthHeaders(protocol: Protocol, key: string | null): Record<string, string> {
  if (!key) return {};
  switch (protocol) {
    case 'openai-chat':
    case 'openai-responses':
      return { authorization: `Bearer ${key}` };
    case 'anthropic':
      return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
    case 'gemini':
      return { 'x-goog-api-key': key };
  }
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
