import { ProtocolCodec } from '../ir';
import { decodeOpenAiChatRequest } from './decode-openai-chat-request';
import { decodeOpenAiChatResponse } from './decode-openai-chat-response';
import { encodeOpenAiChatRequest } from './encode-openai-chat-request';
import { encodeOpenAiChatResponse } from './encode-openai-chat-response';
import { decodeOpenAiChatError, encodeOpenAiChatError } from './openai-chat-errors';
import { OpenAiChatStreamDecoder } from './openai-chat-stream-decoder';
import { OpenAiChatStreamEncoder } from './openai-chat-stream-encoder';

/** OpenAI Chat Completions, client side (/v1/chat/completions) and upstream side ({baseURL}/chat/completions). */
export const openAiChatCodec: ProtocolCodec = {
  protocol: 'openai-chat',
  decodeRequest: decodeOpenAiChatRequest,
  encodeResponse: encodeOpenAiChatResponse,
  createStreamEncoder: (context) => new OpenAiChatStreamEncoder(context),
  encodeError: encodeOpenAiChatError,
  encodeRequest: encodeOpenAiChatRequest,
  decodeResponse: decodeOpenAiChatResponse,
  createStreamDecoder: () => new OpenAiChatStreamDecoder(),
  decodeError: decodeOpenAiChatError,
};
