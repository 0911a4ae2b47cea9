import { AssistantPart, ChatResponse, GatewayError } from '../ir';
import { decodeOpenAiChatInBandError } from './openai-chat-errors';
import { mapOpenAiChatFinishReason } from './map-openai-chat-finish-reason';
import { decodeOpenAiChatUsage } from './map-openai-chat-usage';
import { OpenAiChatResponse } from './openai-chat.types';
import { isJsonObject } from './read-json.util';

/**
 * An upstream `chat.completion` → ChatResponse. choices[0] only (the gateway
 * never asks for n > 1). Content order: reasoning (DeepSeek / vLLM
 * `reasoning_content`, vLLM 0.10+ / OpenRouter `reasoning`), text, a refusal
 * as text, tool calls. Legacy `function_call`, `audio` and `annotations` are
 * never requested by the gateway and are not read.
 */
export function decodeOpenAiChatResponse(body: unknown): ChatResponse {
  if (!isJsonObject(body)) throw garbage('the upstream answer is not a JSON object');
  const response = body as OpenAiChatResponse;
  // Some compatible servers answer 200 with an error object instead of a choice.
  const error = (body as { error?: unknown }).error;
  if (isJsonObject(error)) throw decodeOpenAiChatInBandError(error, false);
  const choice = Array.isArray(response.choices) ? (response.choices.find((entry) => (entry?.index ?? 0) === 0) ?? response.choices[0]) : undefined;
  if (!choice) throw garbage('the upstream answer has no choices');

  const message = choice.message ?? {};
  const content: AssistantPart[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  if (typeof message.refusal === 'string' && message.refusal !== '') content.push({ type: 'text', text: message.refusal });
  (Array.isArray(message.tool_calls) ? message.tool_calls : []).forEach((call, index) => {
    if (!call || (call.type != null && call.type !== 'function')) throw garbage(`the upstream returned a ${call?.type} tool call`);
    content.push({
      type: 'tool-call',
      // Some compatible servers omit ids; the client needs one to answer the call.
      id: call.id || `call_${index}`,
      name: call.function?.name ?? '',
      arguments: call.function?.arguments ?? '',
    });
  });

  const hasToolCalls = content.some((part) => part.type === 'tool-call');
  const result: ChatResponse = {
    id: response.id ?? '',
    model: response.model ?? '',
    created: response.created ?? Math.floor(Date.now() / 1000),
    content,
    finishReason: mapOpenAiChatFinishReason(choice.finish_reason, hasToolCalls),
    usage: decodeOpenAiChatUsage(response.usage),
  };
  if (choice.finish_reason) result.rawFinishReason = choice.finish_reason;
  if (typeof choice.stop_reason === 'string') result.stopSequence = choice.stop_reason;
  return result;
}

function garbage(message: string): GatewayError {
  return new GatewayError('upstream', message, { retryable: true });
}
