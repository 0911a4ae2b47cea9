import {
  AssistantMessage,
  AssistantPart,
  ChatMessage,
  ReasoningPart,
  SystemPart,
  ToolCallPart,
  invalidRequest,
  unsupported,
} from '../ir';
import { decodeAssistantContent, decodeInputContent, decodeInstructionContent } from './decode-openai-responses-content';
import { decodeReasoningEnvelope } from './openai-responses-reasoning-envelope';
import { ResponsesMessagePhase } from './openai-responses.types';
import { JsonObject, optionalArray, optionalString, requireObject, requireOneOf, requireString } from './read-openai-responses-fields';

const ROLES = ['user', 'assistant', 'system', 'developer'] as const;

/**
 * `input` (a string or a list of items) → IR system parts and messages.
 * Consecutive assistant-side items (reasoning, message, function_call) form
 * one assistant message; consecutive function_call_output items one tool
 * message. System / developer messages before the first other item join
 * `system`; later ones stay in place as system messages.
 */
export function decodeResponsesInput(input: unknown): { system: SystemPart[]; messages: ChatMessage[] } {
  if (typeof input === 'string') return { system: [], messages: [{ role: 'user', content: [{ type: 'text', text: input }] }] };
  if (!Array.isArray(input)) throw invalidRequest("Invalid type for 'input': expected a string or an array.", 'input');
  if (input.length === 0) throw invalidRequest("Invalid 'input': empty array. Expected at least one item.", 'input');
  const state = new InputState();
  input.forEach((raw, index) => state.add(requireObject(raw, `input[${index}]`), `input[${index}]`));
  return { system: state.system, messages: state.messages };
}

class InputState {
  readonly system: SystemPart[] = [];
  readonly messages: ChatMessage[] = [];
  /** Gemini thought signature (from a gateway envelope) owed to the next function_call. */
  private pendingToolCallSignature: string | undefined;

  add(item: JsonObject, param: string): void {
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message':
        return this.addMessage(item, param);
      case 'function_call':
        return this.addFunctionCall(item, param);
      case 'function_call_output':
        return this.addFunctionCallOutput(item, param);
      case 'reasoning':
        return this.addReasoning(item, param);
      case 'item_reference':
        throw unsupported('item_reference (items stored server-side by OpenAI)', param);
      case undefined:
        throw invalidRequest(`Missing required parameter: '${param}.role'.`, `${param}.role`);
      default:
        throw unsupported(`Input items of type '${String(type)}'`, `${param}.type`);
    }
  }

  private addMessage(item: JsonObject, param: string): void {
    const role = requireOneOf(item.role, ROLES, `${param}.role`);
    if (item.content === undefined || item.content === null) throw invalidRequest(`Missing required parameter: '${param}.content'.`, `${param}.content`);
    const contentParam = `${param}.content`;
    if (role === 'system' || role === 'developer') {
      const parts = decodeInstructionContent(item.content, contentParam).map(
        ({ text, cacheControl }): SystemPart => (cacheControl ? { text, role, cacheControl } : { text, role }),
      );
      if (this.messages.length === 0) this.system.push(...parts);
      else this.messages.push({ role: 'system', content: parts });
    } else if (role === 'user') {
      this.messages.push({ role: 'user', content: decodeInputContent(item.content, contentParam) });
    } else {
      const phase = item.phase === 'commentary' || item.phase === 'final_answer' ? (item.phase as ResponsesMessagePhase) : undefined;
      const id = optionalString(item.id, `${param}.id`);
      this.assistant().content.push(...decodeAssistantContent(item.content, contentParam, { id, phase }));
    }
  }

  private addFunctionCall(item: JsonObject, param: string): void {
    if (item.namespace != null) throw unsupported('function_call.namespace (tool namespaces)', `${param}.namespace`);
    if (item.caller != null) throw unsupported('function_call.caller (programmatic tool calling)', `${param}.caller`);
    const call: ToolCallPart = {
      type: 'tool-call',
      id: requireString(item.call_id, `${param}.call_id`),
      name: requireString(item.name, `${param}.name`),
      arguments: requireString(item.arguments, `${param}.arguments`),
    };
    const itemId = optionalString(item.id, `${param}.id`);
    if (itemId && itemId !== call.id) call.itemId = itemId;
    if (this.pendingToolCallSignature) call.thoughtSignature = this.pendingToolCallSignature;
    this.pendingToolCallSignature = undefined;
    this.assistant().content.push(call);
  }

  private addFunctionCallOutput(item: JsonObject, param: string): void {
    if (item.caller != null) throw unsupported('function_call_output.caller (programmatic tool calling)', `${param}.caller`);
    const toolCallId = requireString(item.call_id, `${param}.call_id`);
    if (item.output === undefined || item.output === null) throw invalidRequest(`Missing required parameter: '${param}.output'.`, `${param}.output`);
    const content = decodeInputContent(item.output, `${param}.output`);
    const last = this.messages.at(-1);
    const part = { type: 'tool-result' as const, toolCallId, content };
    if (last?.role === 'tool') last.content.push(part);
    else this.messages.push({ role: 'tool', content: [part] });
  }

  private addReasoning(item: JsonObject, param: string): void {
    const summary = (optionalArray(item.summary, `${param}.summary`) ?? []).map((raw, index) =>
      requireString(requireObject(raw, `${param}.summary[${index}]`).text, `${param}.summary[${index}].text`),
    );
    const content = (optionalArray(item.content, `${param}.content`) ?? []).map((raw, index) =>
      requireString(requireObject(raw, `${param}.content[${index}]`).text, `${param}.content[${index}].text`),
    );
    const encrypted = optionalString(item.encrypted_content, `${param}.encrypted_content`);
    const id = optionalString(item.id, `${param}.id`);
    const envelope = decodeReasoningEnvelope(encrypted);
    const parts = reasoningParts(summary, content);
    if (envelope) {
      // A reasoning item the gateway wrote for another family: its id is ours, not OpenAI's.
      this.pendingToolCallSignature = envelope.toolCallSignature;
      const opaque = envelope.signature !== undefined || envelope.redactedData !== undefined;
      if (!opaque && parts.every((part) => part.text === '')) return;
      for (const part of parts) if (envelope.provider) part.provider = envelope.provider;
      const last = parts[parts.length - 1];
      if (envelope.signature) last.signature = envelope.signature;
      if (envelope.redactedData) last.redactedData = envelope.redactedData;
    } else {
      if (!id) throw invalidRequest(`Missing required parameter: '${param}.id'.`, `${param}.id`);
      for (const part of parts) Object.assign(part, { provider: 'openai', itemId: id });
      if (encrypted) parts[parts.length - 1].encryptedContent = encrypted;
    }
    this.assistant().content.push(...parts);
  }

  /** The assistant message being built: the last message when it is one, else a new one. */
  private assistant(): AssistantMessage & { content: AssistantPart[] } {
    const last = this.messages.at(-1);
    if (last?.role === 'assistant') return last;
    const message: AssistantMessage = { role: 'assistant', content: [] };
    this.messages.push(message);
    return message;
  }
}

/**
 * One IR reasoning part per summary entry, then one per raw reasoning text
 * entry; an item with neither still yields one empty part (it carries the
 * item id / encrypted content). Opaque values go on the last part, as the
 * stream decoder does (they arrive with output_item.done).
 */
export function reasoningParts(summary: string[], content: string[]): ReasoningPart[] {
  const parts: ReasoningPart[] = [
    ...summary.map((text): ReasoningPart => ({ type: 'reasoning', text, summary: true })),
    ...content.map((text): ReasoningPart => ({ type: 'reasoning', text, summary: false })),
  ];
  return parts.length ? parts : [{ type: 'reasoning', text: '' }];
}
