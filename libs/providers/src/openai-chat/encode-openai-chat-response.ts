import { ChatResponse, ClientResponseContext } from '../ir';
import { toOpenAiChatFinishReason } from './map-openai-chat-finish-reason';
import { encodeOpenAiChatUsage } from './map-openai-chat-usage';
import { OpenAiChatFunctionToolCall, OpenAiChatResponse } from './openai-chat.types';

/**
 * ChatResponse → a `chat.completion` for a Chat Completions client.
 *
 * Text parts are concatenated into `content` (Chat has one content string;
 * parts split around tool calls lose only their boundary). Reasoning text
 * goes into the non-standard `reasoning_content` (the DeepSeek / vLLM field
 * most Chat clients read); opaque reasoning data (signatures, encrypted
 * content) has no place in Chat and is not sent. `refusal` is always null:
 * a refusal from another protocol arrives as text or as content_filter.
 */
export function encodeOpenAiChatResponse(response: ChatResponse, context: ClientResponseContext): OpenAiChatResponse {
  let text = '';
  let hasText = false;
  let reasoning = '';
  const toolCalls: OpenAiChatFunctionToolCall[] = [];
  for (const part of response.content) {
    if (part.type === 'text') {
      text += part.text;
      hasText = true;
    } else if (part.type === 'reasoning') {
      reasoning += part.text;
    } else {
      toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
    }
  }

  return {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: context.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI sends null content beside tool calls, '' for an empty answer.
          content: hasText ? text : toolCalls.length > 0 ? null : '',
          ...(reasoning !== '' ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: toOpenAiChatFinishReason(response.finishReason),
      },
    ],
    usage: encodeOpenAiChatUsage(response.usage),
  };
}
