export { openAiChatCodec } from './openai-chat.codec';
export {
  buildUpstreamHeaders as buildOpenAiChatUpstreamHeaders,
  OPENAI_CHAT_COMPLETIONS_PATH,
  openAiChatApi,
  openAiChatCompletionsPath,
} from './openai-chat-api';
export type { OpenAiChatResponseContext } from './openai-chat-stream-encoder';
