import { AssistantPart, ChatMessage, FilePart, ImagePart, ReasoningPart, SystemPart, TextPart, ToolResultPart, UserPart } from '../ir';
import { mediaSourceToUrl } from './openai-responses-media';
import {
  ResponsesFunctionCallItem,
  ResponsesFunctionCallOutputItem,
  ResponsesInputContent,
  ResponsesInputItem,
  ResponsesMessageItem,
  ResponsesOutputText,
  ResponsesReasoningItem,
  ResponsesTextPart,
} from './openai-responses.types';

/**
 * IR system parts and messages → `instructions` and Responses input items.
 *
 * - The first system part, when it has no role (Anthropic / Gemini system
 *   text, or Responses `instructions`), becomes `instructions`; every other
 *   part is a system / developer message in place.
 * - Reasoning goes back as reasoning items only when OpenAI issued it (item
 *   id, optional encrypted_content); reasoning of another family keeps its
 *   text as assistant text (Responses cannot take reasoning it did not
 *   issue) and its opaque values are dropped.
 * - Cache markers are dropped: OpenAI caches prompt prefixes by itself.
 * - `store: false` means OpenAI kept nothing: reasoning without
 *   encrypted_content (it only references stored state) keeps just its text,
 *   and message / function_call ids are left out so they cannot point at
 *   items that do not exist.
 */
export function encodeResponsesInput(
  system: SystemPart[],
  messages: ChatMessage[],
  store: boolean | undefined,
): { instructions?: string; input: ResponsesInputItem[] } {
  const input: ResponsesInputItem[] = [];
  let instructions: string | undefined;
  system.forEach((part, index) => {
    if (index === 0 && !part.role) instructions = part.text;
    else input.push(instructionMessage(part));
  });
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        input.push(...message.content.map(instructionMessage));
        break;
      case 'user':
        input.push({ role: 'user', content: encodeUserContent(message.content) });
        break;
      case 'assistant':
        input.push(...encodeAssistantItems(message.content, store));
        break;
      case 'tool':
        input.push(...message.content.map(encodeToolResult));
        break;
    }
  }
  return instructions === undefined ? { input } : { instructions, input };
}

function instructionMessage(part: SystemPart): ResponsesMessageItem {
  return { role: part.role ?? 'system', content: part.text };
}

function encodeUserContent(parts: UserPart[]): string | ResponsesInputContent[] {
  if (parts.length === 1 && parts[0].type === 'text') return parts[0].text;
  return parts.map(encodeInputPart);
}

function encodeInputPart(part: TextPart | ImagePart | FilePart): ResponsesInputContent {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return { type: 'input_image', image_url: mediaSourceToUrl(part.source), detail: part.detail ?? 'auto' };
    case 'file': {
      const file: ResponsesInputContent =
        part.source.type === 'url'
          ? { type: 'input_file', file_url: part.source.url }
          : { type: 'input_file', file_data: mediaSourceToUrl(part.source) };
      if (part.filename) file.filename = part.filename;
      return file;
    }
  }
}

/**
 * OpenAI has no error flag on function_call_output: a failed tool's output
 * is marked in its text so the model still learns the call failed.
 */
function encodeToolResult(result: ToolResultPart): ResponsesFunctionCallOutputItem {
  const content = result.isError ? markError(result.content) : result.content;
  const output = content.length === 1 && content[0].type === 'text' ? content[0].text : content.map(encodeInputPart);
  return { type: 'function_call_output', call_id: result.toolCallId, output };
}

function markError(content: ToolResultPart['content']): ToolResultPart['content'] {
  const [first, ...rest] = content;
  if (first?.type === 'text') return [{ ...first, text: `Error: ${first.text}` }, ...rest];
  return [{ type: 'text', text: 'Error:' }, ...content];
}

function encodeAssistantItems(parts: AssistantPart[], store: boolean | undefined): ResponsesInputItem[] {
  const stateless = store === false;
  // Item ids matter only to pair messages / calls with the OpenAI reasoning item before them.
  const keepIds = !stateless && parts.some((part) => part.type === 'reasoning' && isOpenAiReasoning(part));
  const replayable = new Set(
    parts.flatMap((part) => (part.type === 'reasoning' && isOpenAiReasoning(part) && (!stateless || part.encryptedContent) ? [part.itemId] : [])),
  );
  const items: ResponsesInputItem[] = [];
  let message: ResponsesMessageItem | undefined;
  let reasoning: ResponsesReasoningItem | undefined;
  /**
   * With its id, an assistant message is replayed as the output message it
   * was (output_text parts); without one, as an easy input message with
   * string content, the only id-less assistant form the published schema has.
   */
  const addText = (part: ResponsesTextPart | TextPart) => {
    const text = part as ResponsesTextPart;
    const itemId = keepIds ? text.itemId : undefined;
    if (!itemId) {
      message = undefined;
      items.push({ role: 'assistant', content: text.text, ...(text.phase ? { phase: text.phase } : {}) });
      return;
    }
    if (message?.id !== itemId) {
      message = { type: 'message', id: itemId, role: 'assistant', status: 'completed', content: [] };
      if (text.phase) message.phase = text.phase;
      items.push(message);
    }
    (message.content as ResponsesOutputText[]).push({ type: 'output_text', text: text.text, annotations: [], logprobs: [] });
  };
  for (const part of parts) {
    if (part.type === 'text') {
      reasoning = undefined;
      addText(part);
      continue;
    }
    message = undefined;
    if (part.type === 'tool-call') {
      reasoning = undefined;
      const call: ResponsesFunctionCallItem = { type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments };
      if (keepIds && part.itemId) call.id = part.itemId;
      items.push(call);
    } else if (isOpenAiReasoning(part) && replayable.has(part.itemId)) {
      if (reasoning?.id !== part.itemId) {
        reasoning = { type: 'reasoning', id: part.itemId, summary: [] };
        items.push(reasoning);
      }
      addReasoningText(reasoning, part);
    } else {
      // Reasoning OpenAI cannot take back (another family's, or unstored): its text only.
      reasoning = undefined;
      if (part.text) addText({ type: 'text', text: part.text });
      message = undefined;
    }
  }
  return items;
}

function isOpenAiReasoning(part: ReasoningPart): part is ReasoningPart & { itemId: string } {
  return part.provider === 'openai' && typeof part.itemId === 'string' && part.itemId !== '';
}

function addReasoningText(item: ResponsesReasoningItem, part: ReasoningPart): void {
  if (part.text) {
    if (part.summary === false) (item.content ??= []).push({ type: 'reasoning_text', text: part.text });
    else item.summary.push({ type: 'summary_text', text: part.text });
  }
  if (part.encryptedContent) item.encrypted_content = part.encryptedContent;
}
