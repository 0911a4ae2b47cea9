import { AssistantPart, ReasoningPart, ToolCallPart } from '../ir';
import { generateResponsesId } from './openai-responses-ids';
import { encodeReasoningEnvelope } from './openai-responses-reasoning-envelope';
import {
  ResponsesOutputFunctionCall,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesOutputReasoning,
  ResponsesTextPart,
} from './openai-responses.types';

/**
 * IR answer parts → Responses output items, in order:
 * - consecutive text parts share one message item (a new item starts when the
 *   upstream's message id changes);
 * - OpenAI reasoning parts with the same item id form one reasoning item
 *   (summary parts, raw reasoning text, encrypted_content);
 * - reasoning of another family becomes its own reasoning item with a
 *   generated id, its opaque values packed into encrypted_content;
 * - a Gemini thought signature on a tool call rides in a reasoning item
 *   just before the function_call item.
 * Upstream ids are kept so a Responses client talking to an OpenAI upstream
 * can send the items back as they were issued.
 */
export function encodeOutputItems(parts: AssistantPart[]): ResponsesOutputItem[] {
  const items: ResponsesOutputItem[] = [];
  let message: ResponsesOutputMessage | undefined;
  let reasoning: ResponsesOutputReasoning | undefined;
  let reasoningItemId: string | undefined;
  for (const part of parts) {
    if (part.type === 'text') {
      reasoning = undefined;
      const text = part as ResponsesTextPart;
      if (!message || (text.itemId && message.id !== text.itemId)) {
        message = newMessageItem(text);
        items.push(message);
      }
      message.content.push({ type: 'output_text', text: text.text, annotations: [], logprobs: [] });
      continue;
    }
    message = undefined;
    if (part.type === 'tool-call') {
      reasoning = undefined;
      if (part.thoughtSignature) items.push(toolCallSignatureItem(part.thoughtSignature));
      items.push(functionCallItem(part, part.arguments, 'completed'));
    } else if (isIssuedByOpenAi(part)) {
      if (!reasoning || reasoningItemId !== part.itemId) {
        reasoning = { type: 'reasoning', id: part.itemId, summary: [] };
        reasoningItemId = part.itemId;
        items.push(reasoning);
      }
      addReasoning(reasoning, part);
    } else {
      reasoning = undefined;
      items.push(foreignReasoningItem(part));
    }
  }
  return items;
}

export function newMessageItem(text: Pick<ResponsesTextPart, 'itemId' | 'phase'>, status: ResponsesOutputMessage['status'] = 'completed'): ResponsesOutputMessage {
  const message: ResponsesOutputMessage = { type: 'message', id: text.itemId ?? generateResponsesId('msg'), status, role: 'assistant', content: [] };
  if (text.phase) message.phase = text.phase;
  return message;
}

export function functionCallItem(
  call: Pick<ToolCallPart, 'id' | 'name' | 'itemId'>,
  args: string,
  status: ResponsesOutputFunctionCall['status'],
): ResponsesOutputFunctionCall {
  return { type: 'function_call', id: call.itemId ?? generateResponsesId('fc'), call_id: call.id, name: call.name, arguments: args, status };
}

export function isIssuedByOpenAi<T extends Pick<ReasoningPart, 'provider' | 'itemId'>>(part: T): part is T & { itemId: string } {
  return part.provider === 'openai' && typeof part.itemId === 'string' && part.itemId !== '';
}

/** Adds one IR reasoning part's text and opaque value to an OpenAI reasoning item. */
export function addReasoning(item: ResponsesOutputReasoning, part: ReasoningPart): void {
  if (part.text) {
    if (part.summary === false) (item.content ??= []).push({ type: 'reasoning_text', text: part.text });
    else item.summary.push({ type: 'summary_text', text: part.text });
  }
  if (part.encryptedContent) item.encrypted_content = part.encryptedContent;
}

/**
 * Reasoning from another family (or of unknown origin). Its text shows as a
 * summary (what Anthropic and Gemini return is summarised thinking) unless
 * marked as raw reasoning; the envelope also marks the id as the gateway's.
 */
export function foreignReasoningItem(part: ReasoningPart): ResponsesOutputReasoning {
  const item: ResponsesOutputReasoning = { type: 'reasoning', id: generateResponsesId('rs'), summary: [] };
  addReasoning(item, { ...part, encryptedContent: undefined });
  item.encrypted_content = encodeReasoningEnvelope({ provider: part.provider, signature: part.signature, redactedData: part.redactedData });
  return item;
}

export function toolCallSignatureItem(signature: string): ResponsesOutputReasoning {
  return {
    type: 'reasoning',
    id: generateResponsesId('rs'),
    summary: [],
    encrypted_content: encodeReasoningEnvelope({ provider: 'gemini', toolCallSignature: signature }),
  };
}
