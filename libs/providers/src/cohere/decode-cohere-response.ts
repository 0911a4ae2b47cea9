import { AssistantPart, ChatResponse, GatewayError } from '../ir';
import { CohereChatResponse } from './cohere.types';
import { mapCohereFinishReason } from './map-cohere-finish-reason';
import { decodeCohereUsage } from './map-cohere-usage';

/**
 * A /v2/chat answer → ChatResponse. `message.content` items keep their
 * order (thinking → reasoning parts of no provider family, text → text);
 * `tool_plan`, the text Cohere writes before its tool calls, follows as a
 * text part, then the tool calls. Citations are dropped (the IR has no
 * sources). Cohere sends no model name or timestamp.
 */
export function decodeCohereResponse(body: unknown): ChatResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('upstream', 'the Cohere upstream answered with something other than a chat response', { retryable: false });
  }
  const response = body as CohereChatResponse;
  const message = response.message ?? {};
  const content: AssistantPart[] = [];
  for (const item of message.content ?? []) {
    if (item?.type === 'text' && typeof item.text === 'string' && item.text !== '') content.push({ type: 'text', text: item.text });
    else if (item?.type === 'thinking' && typeof item.thinking === 'string' && item.thinking !== '') content.push({ type: 'reasoning', text: item.thinking });
  }
  if (typeof message.tool_plan === 'string' && message.tool_plan !== '') content.push({ type: 'text', text: message.tool_plan });
  for (const call of message.tool_calls ?? []) {
    if (!call) continue;
    content.push({
      type: 'tool-call',
      id: call.id ?? '',
      name: call.function?.name ?? '',
      arguments: toolArguments(call.function?.arguments),
    });
  }
  const raw = response.finish_reason ?? undefined;
  return {
    id: response.id ?? '',
    model: '',
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason: mapCohereFinishReason(raw, content.some((part) => part.type === 'tool-call')),
    ...(raw ? { rawFinishReason: raw } : {}),
    usage: decodeCohereUsage(response.usage),
  };
}

/** Cohere answers `null` (or nothing) as the arguments of a tool that takes none: the IR wants JSON object text. */
export function toolArguments(value: string | null | undefined): string {
  return typeof value !== 'string' || value.trim() === '' || value.trim() === 'null' ? '{}' : value;
}
