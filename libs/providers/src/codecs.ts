import { anthropicCodec } from './anthropic';
import { bedrockConverseCodec } from './bedrock';
import { cohereCodec } from './cohere';
import { geminiCodec } from './gemini';
import { Protocol, ProtocolCodec, UpstreamCodec, UpstreamProtocol } from './ir/protocol-codec';
import { openAiChatCodec } from './openai-chat';
import { openAiResponsesCodec } from './openai-responses';

const CODECS: Record<Protocol, ProtocolCodec> = {
  'openai-chat': openAiChatCodec,
  'openai-responses': openAiResponsesCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
};

/** Provider-only wire formats (a client never speaks them): one entry each. */
const UPSTREAM_ONLY: Partial<Record<UpstreamProtocol, UpstreamCodec>> = {
  'bedrock-converse': bedrockConverseCodec,
  cohere: cohereCodec,
};

export function codecFor(protocol: Protocol): ProtocolCodec {
  return CODECS[protocol];
}

/** The codec that talks to an upstream in this wire format. */
export function upstreamCodecFor(protocol: UpstreamProtocol): UpstreamCodec {
  const codec = (CODECS as Partial<Record<UpstreamProtocol, UpstreamCodec>>)[protocol] ?? UPSTREAM_ONLY[protocol];
  if (!codec) throw new Error(`no codec for the upstream protocol ${protocol}`);
  return codec;
}

/** True for the four protocols a client can speak (and so pass through unchanged). */
export function isClientProtocol(protocol: UpstreamProtocol): protocol is Protocol {
  return protocol in CODECS;
}
