import { PolicyChannel } from '@aigw/contracts';
import { FrameReader, GatewayError, Protocol, UpstreamProtocol } from '@aigw/providers';

/** One request to an upstream, before the channel's adaptor has placed it (URL, auth). */
export interface UpstreamCall {
  /** The wire format of `body` (what protocolFor chose). */
  protocol: UpstreamProtocol;
  /** Path and query below the base URL, as the codec (or the passthrough) built it for the provider's own API. */
  path: string;
  /** The JSON body for that protocol, model already set to the upstream model. */
  body: Record<string, unknown>;
  upstreamModel: string;
  stream: boolean;
  /** content-type, the channel's extra headers and the forwarded protocol headers; the adaptor adds its auth. */
  headers: Record<string, string>;
}

/** What goes on the wire. */
export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * How the gateway talks to one provider type: which wire protocol it speaks
 * for a client protocol, where a request goes and how it is authenticated
 * (API key header, SigV4, OAuth token), and how its streams are framed.
 * Adaptors are stateless per request; what they cache (an OAuth token, a
 * signer) is per channel and refreshed off the hot path.
 */
export interface ChannelAdaptor {
  /**
   * The wire protocol this channel speaks to serve a client of `client` with
   * `upstreamModel` (Bedrock and Vertex speak Anthropic's Messages for Claude
   * models and their own format otherwise); null: it cannot. `endpoint` is
   * the exchange's (the client protocol, or embeddings / completions): an
   * OpenAI-compatible preset serves only the endpoints its capabilities name.
   */
  protocolFor(channel: PolicyChannel, client: Protocol, upstreamModel: string, endpoint?: string): UpstreamProtocol | null;
  /** URL, headers (auth included) and body text for one call. Synchronous unless auth needs I/O. */
  target(channel: PolicyChannel, call: UpstreamCall): UpstreamTarget | Promise<UpstreamTarget>;
  /** Path of the provider's own token counter for a protocol (Anthropic count_tokens, Gemini countTokens); absent or null: estimated locally. */
  countTokensPath?(channel: PolicyChannel, protocol: 'anthropic' | 'gemini', upstreamModel: string): string | null;
  /** The reader for a streamed answer; default: SSE. */
  frames?(channel: PolicyChannel, protocol: UpstreamProtocol): FrameReader;
  /**
   * An error answer, when the provider's error shape is not the wire
   * protocol's (Bedrock answers in AWS's shape whatever the body's protocol);
   * default: the protocol codec's decodeError.
   */
  decodeError?(channel: PolicyChannel, protocol: UpstreamProtocol, status: number, body: unknown, headers: Record<string, string | string[] | undefined>): GatewayError;
}
