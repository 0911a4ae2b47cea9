import { anthropicCodec } from './anthropic';
import { geminiCodec } from './gemini';
import { Protocol, ProtocolCodec } from './ir/protocol-codec';
import { openAiChatCodec } from './openai-chat';
import { openAiResponsesCodec } from './openai-responses';

const CODECS: Record<Protocol, ProtocolCodec> = {
  'openai-chat': openAiChatCodec,
  'openai-responses': openAiResponsesCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
};

export function codecFor(protocol: Protocol): ProtocolCodec {
  return CODECS[protocol];
}
