import { AssistantPart, ChatResponse, GatewayError, ToolCallPart } from '../ir';
import { reasoningParts } from './decode-openai-responses-input';
import { decodeOpenAiResponsesErrorCode } from './openai-responses-errors';
import { decodeResponsesFinishReason } from './map-openai-responses-finish-reason';
import { decodeResponsesUsage } from './map-openai-responses-usage';
import { ResponsesMessagePhase, ResponsesResponse, ResponsesTextPart } from './openai-responses.types';

/**
 * Output items of tools OpenAI runs itself. They only appear when the
 * request enabled a built-in tool, which the gateway never sends; their
 * effect is in the message text that follows, so they are skipped. Any
 * other unknown item (custom tool calls, computer use, generated images…)
 * is something the client would have to act on: refused as an upstream error.
 */
export const SERVER_SIDE_ITEM_TYPES = new Set([
  'web_search_call',
  'file_search_call',
  'code_interpreter_call',
  'mcp_call',
  'mcp_list_tools',
  'tool_search_call',
  'tool_search_output',
]);

/** The upstream's JSON answer → ChatResponse. */
export function decodeOpenAiResponsesResponse(body: unknown): ChatResponse {
  const response = body as ResponsesResponse | null;
  if (!response || typeof response !== 'object' || !Array.isArray(response.output)) {
    throw new GatewayError('upstream', 'The upstream answered without a Responses output list.', { retryable: true });
  }
  if (response.status === 'failed') throw decodeOpenAiResponsesErrorCode(response.error?.code, response.error?.message);
  if (response.status === 'queued' || response.status === 'in_progress' || response.status === 'cancelled') {
    throw new GatewayError('upstream', `The upstream answered a response in status '${response.status}'.`, { retryable: false });
  }
  const content = decodeOutputItems(response.output as unknown[]);
  const hasToolCalls = content.some((part) => part.type === 'tool-call');
  const finish = decodeResponsesFinishReason(response.status, response.incomplete_details?.reason, hasToolCalls);
  return {
    id: response.id,
    model: response.model,
    created: response.created_at,
    content,
    finishReason: finish.finishReason,
    rawFinishReason: finish.rawFinishReason,
    usage: decodeResponsesUsage(response.usage),
  };
}

export function decodeOutputItems(output: unknown[]): AssistantPart[] {
  const content: AssistantPart[] = [];
  for (const raw of output) {
    const item = (raw ?? {}) as Record<string, any>;
    switch (item.type) {
      case 'reasoning': {
        const summary = (item.summary ?? []).map((entry: { text?: string }) => entry?.text ?? '');
        const texts = (item.content ?? []).map((entry: { text?: string }) => entry?.text ?? '');
        const parts = reasoningParts(summary, texts);
        for (const part of parts) Object.assign(part, { provider: 'openai', itemId: item.id });
        if (item.encrypted_content) parts[parts.length - 1].encryptedContent = item.encrypted_content;
        content.push(...parts);
        break;
      }
      case 'message':
        for (const part of item.content ?? []) {
          const text: ResponsesTextPart = { type: 'text', text: part?.type === 'refusal' ? (part.refusal ?? '') : (part?.text ?? '') };
          if (item.id) text.itemId = item.id;
          if (item.phase) text.phase = item.phase as ResponsesMessagePhase;
          content.push(text);
        }
        break;
      case 'function_call': {
        const call: ToolCallPart = { type: 'tool-call', id: item.call_id, name: item.name, arguments: item.arguments ?? '' };
        if (item.id && item.id !== item.call_id) call.itemId = item.id;
        content.push(call);
        break;
      }
      default:
        if (!SERVER_SIDE_ITEM_TYPES.has(item.type)) throw untranslatableItem(item.type);
    }
  }
  return content;
}

export function untranslatableItem(type: unknown): GatewayError {
  return new GatewayError('upstream', `The upstream answered an output item of type '${String(type)}', which cannot be translated.`, {
    retryable: false,
  });
}
