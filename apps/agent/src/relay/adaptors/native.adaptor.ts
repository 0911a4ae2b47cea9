import { PolicyChannel } from '@aigw/contracts';
import { Protocol, UpstreamProtocol } from '@aigw/providers';
import { joinUrl } from '../upstream-target.util';
import { ChannelAdaptor, UpstreamCall, UpstreamTarget } from './channel-adaptor';

/**
 * Providers that speak one of the four client protocols at their own base
 * URL with an API key: OpenAI (Chat and Responses), OpenAI-compatible
 * servers (Chat), Anthropic (Messages) and Gemini (generateContent).
 */
export const nativeAdaptor: ChannelAdaptor = {
  protocolFor(channel: PolicyChannel, client: Protocol): UpstreamProtocol | null {
    return nativeProtocolFor(channel.type, client);
  },
  target(channel: PolicyChannel, call: UpstreamCall): UpstreamTarget {
    return {
      url: joinUrl(channel.baseUrl, call.path),
      headers: { ...call.headers, ...apiKeyHeaders(call.protocol, channel.key) },
      body: JSON.stringify(call.body),
    };
  },
  countTokensPath(channel: PolicyChannel, protocol: 'anthropic' | 'gemini', upstreamModel: string): string | null {
    if (protocol === 'anthropic') return '/v1/messages/count_tokens';
    return `/v1beta/models/${encodeURIComponent(upstreamModel)}:countTokens`;
  },
};

/**
 * Which wire protocol a native channel speaks for a client protocol. OpenAI
 * accounts serve both Chat and Responses: a Responses client goes to
 * /responses (no translation, server-side features intact), everything else
 * to /chat/completions, the endpoint every OpenAI-compatible server has.
 */
export function nativeProtocolFor(type: string, client: Protocol): Protocol | null {
  switch (type) {
    case 'openai':
      return client === 'openai-responses' ? 'openai-responses' : 'openai-chat';
    case 'openai-compatible':
      return 'openai-chat';
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
    default:
      return null;
  }
}

/** The API-key header each protocol's provider expects; the client's own credentials are never forwarded. */
export function apiKeyHeaders(protocol: UpstreamProtocol, key: string | null): Record<string, string> {
  if (!key) return {};
  switch (protocol) {
    case 'anthropic':
      return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
    case 'gemini':
      return { 'x-goog-api-key': key };
    default:
      return { authorization: `Bearer ${key}` };
  }
}
