import {
  AssistantPart,
  ChatMessage,
  FilePart,
  ImagePart,
  MediaSource,
  ReasoningPart,
  SystemPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
  UserPart,
  invalidRequest,
  unsupported,
} from '../ir';
import { isRecord, readArray, readOptionalBoolean, readString, withCache } from './read-anthropic-fields.util';
import { decodeCacheControl } from './anthropic-cache-control';

/*
 * Anthropic `system` and `messages` → IR system parts and messages: content
 * blocks, tool_use / tool_result (split out into IR tool messages), thinking
 * with signatures, images and documents, cache_control.
 */

/** Content block types the API knows but the IR cannot carry (server tools, search results, uploads). */
const UNSUPPORTED_BLOCK_TYPES = new Set([
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
  'mcp_tool_use',
  'mcp_tool_result',
  'tool_reference',
]);

export function decodeSystem(value: unknown): SystemPart[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ text: value }];
  return readArray(value, 'system').map((block, index) => decodeSystemBlock(block, `system[${index}]`));
}

export function decodeSystemBlock(block: unknown, param: string): SystemPart {
  if (!isRecord(block)) throw invalidRequest(`${param}: must be an object`, param);
  if (block.type !== 'text') throw invalidRequest(`${param}.type: system blocks must be of type 'text'`, `${param}.type`);
  rejectCitations(block.citations, `${param}.citations`);
  return withCache({ text: readString(block.text, `${param}.text`) }, decodeCacheControl(block.cache_control, `${param}.cache_control`));
}

export function rejectCitations(value: unknown, param: string): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value) && value.length === 0) return;
  throw unsupported('text citations', param);
}

/**
 * Messages in order. A user message holding tool_result blocks is split:
 * each run of tool results becomes a `tool` message and each run of other
 * content a `user` message, in the order they appear (the API requires the
 * results first, so this is normally: tool message, then user message).
 * `system` messages before the first user/assistant turn join the top-level
 * system; later ones stay in place (the mid-conversation system beta).
 */
export function decodeMessages(value: unknown, system: SystemPart[]): ChatMessage[] {
  if (value === undefined || value === null) throw invalidRequest('messages: Field required', 'messages');
  const list = readArray(value, 'messages');
  if (list.length === 0) throw invalidRequest('messages: at least one message is required', 'messages');

  const messages: ChatMessage[] = [];
  list.forEach((message, index) => {
    const param = `messages[${index}]`;
    if (!isRecord(message)) throw invalidRequest(`${param}: must be an object`, param);
    if (message.content === undefined || message.content === null) {
      throw invalidRequest(`${param}.content: Field required`, `${param}.content`);
    }
    switch (message.role) {
      case 'user':
        messages.push(...decodeUserMessage(message.content, `${param}.content`));
        return;
      case 'assistant':
        messages.push({ role: 'assistant', content: decodeAssistantContent(message.content, `${param}.content`) });
        return;
      case 'system': {
        const parts = decodeSystemMessageContent(message.content, `${param}.content`);
        if (messages.length === 0) system.push(...parts);
        else messages.push({ role: 'system', content: parts });
        return;
      }
      default:
        throw invalidRequest(`${param}.role: must be 'user' or 'assistant'`, `${param}.role`);
    }
  });
  return messages;
}

export function decodeSystemMessageContent(content: unknown, param: string): SystemPart[] {
  if (typeof content === 'string') return [{ text: content }];
  return readArray(content, param).map((block, index) => decodeSystemBlock(block, `${param}[${index}]`));
}

export function contentBlocks(content: unknown, param: string): Array<{ block: Record<string, unknown>; param: string }> {
  if (typeof content === 'string') return [{ block: { type: 'text', text: content }, param }];
  return readArray(content, param).map((block, index) => {
    const blockParam = `${param}[${index}]`;
    if (!isRecord(block)) throw invalidRequest(`${blockParam}: must be an object`, blockParam);
    if (typeof block.type !== 'string') throw invalidRequest(`${blockParam}.type: Field required`, `${blockParam}.type`);
    return { block, param: blockParam };
  });
}

export function refuseBlockType(type: string, param: string, role: string): never {
  if (UNSUPPORTED_BLOCK_TYPES.has(type)) throw unsupported(`${type} content blocks`, `${param}.type`);
  throw invalidRequest(`${param}.type: '${type}' blocks are not allowed in ${role} messages`, `${param}.type`);
}

export function decodeUserMessage(content: unknown, param: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const push = (part: UserPart | ToolResultPart): void => {
    const last = messages[messages.length - 1];
    if (part.type === 'tool-result') {
      if (last?.role === 'tool') last.content.push(part);
      else messages.push({ role: 'tool', content: [part] });
    } else if (last?.role === 'user') last.content.push(part);
    else messages.push({ role: 'user', content: [part] });
  };
  for (const { block, param: blockParam } of contentBlocks(content, param)) {
    const type = block.type as string;
    switch (type) {
      case 'text':
        push(decodeTextBlock(block, blockParam));
        break;
      case 'image':
        push(decodeImageBlock(block, blockParam));
        break;
      case 'document':
        push(decodeDocumentBlock(block, blockParam));
        break;
      case 'tool_result':
        push(decodeToolResultBlock(block, blockParam));
        break;
      default:
        refuseBlockType(type, blockParam, 'user');
    }
  }
  // An empty content array still is a (useless) user turn: keep it rather than lose the message.
  return messages.length > 0 ? messages : [{ role: 'user', content: [] }];
}

export function decodeAssistantContent(content: unknown, param: string): AssistantPart[] {
  return contentBlocks(content, param).map(({ block, param: blockParam }) => {
    const type = block.type as string;
    switch (type) {
      case 'text':
        return decodeTextBlock(block, blockParam);
      case 'thinking':
        return decodeThinkingBlock(block, blockParam);
      case 'redacted_thinking':
        return {
          type: 'reasoning',
          text: '',
          provider: 'anthropic',
          redactedData: readString(block.data, `${blockParam}.data`),
        } satisfies ReasoningPart;
      case 'tool_use':
        return decodeToolUseBlock(block, blockParam);
      default:
        return refuseBlockType(type, blockParam, 'assistant');
    }
  });
}

export function decodeTextBlock(block: Record<string, unknown>, param: string): TextPart {
  rejectCitations(block.citations, `${param}.citations`);
  const text = readString(block.text, `${param}.text`);
  return withCache({ type: 'text', text }, decodeCacheControl(block.cache_control, `${param}.cache_control`));
}

export function decodeImageBlock(block: Record<string, unknown>, param: string): ImagePart {
  const sourceParam = `${param}.source`;
  const source = block.source;
  if (!isRecord(source)) throw invalidRequest(`${sourceParam}: Field required`, sourceParam);
  let media: MediaSource;
  switch (source.type) {
    case 'base64':
      media = {
        type: 'base64',
        mediaType: readString(source.media_type, `${sourceParam}.media_type`),
        data: readString(source.data, `${sourceParam}.data`),
      };
      break;
    case 'url':
      media = { type: 'url', url: readString(source.url, `${sourceParam}.url`) };
      break;
    case 'file':
      throw unsupported('Files API file_id sources', `${sourceParam}.type`);
    default:
      throw invalidRequest(`${sourceParam}.type: must be 'base64' or 'url'`, `${sourceParam}.type`);
  }
  return withCache({ type: 'image', source: media }, decodeCacheControl(block.cache_control, `${param}.cache_control`));
}

/**
 * Documents become FileParts. A plain-text source (`type: text`) carries the
 * text itself; the IR has only URL and base64 sources, so it is kept as
 * base64 of its UTF-8 bytes with media type text/plain (the encoder turns
 * that back into a text source). The document title is the file name.
 */
export function decodeDocumentBlock(block: Record<string, unknown>, param: string): FilePart {
  const sourceParam = `${param}.source`;
  const source = block.source;
  if (!isRecord(source)) throw invalidRequest(`${sourceParam}: Field required`, sourceParam);
  if (block.context !== undefined && block.context !== null) throw unsupported('document context', `${param}.context`);
  if (isRecord(block.citations) && block.citations.enabled === true) throw unsupported('document citations', `${param}.citations`);

  let part: FilePart;
  switch (source.type) {
    case 'base64': {
      const mediaType = readString(source.media_type, `${sourceParam}.media_type`);
      part = { type: 'file', mediaType, source: { type: 'base64', mediaType, data: readString(source.data, `${sourceParam}.data`) } };
      break;
    }
    case 'text': {
      const text = readString(source.data, `${sourceParam}.data`);
      part = {
        type: 'file',
        mediaType: 'text/plain',
        source: { type: 'base64', mediaType: 'text/plain', data: Buffer.from(text, 'utf8').toString('base64') },
      };
      break;
    }
    case 'url':
      // URL documents are PDFs (URLPDFSource).
      part = {
        type: 'file',
        mediaType: 'application/pdf',
        source: { type: 'url', url: readString(source.url, `${sourceParam}.url`), mediaType: 'application/pdf' },
      };
      break;
    case 'content':
      throw unsupported('document content sources', `${sourceParam}.type`);
    case 'file':
      throw unsupported('Files API file_id sources', `${sourceParam}.type`);
    default:
      throw invalidRequest(`${sourceParam}.type: must be 'base64', 'text' or 'url'`, `${sourceParam}.type`);
  }
  if (block.title !== undefined && block.title !== null) part.filename = readString(block.title, `${param}.title`);
  return withCache(part, decodeCacheControl(block.cache_control, `${param}.cache_control`));
}

export function decodeToolResultBlock(block: Record<string, unknown>, param: string): ToolResultPart {
  const toolCallId = readString(block.tool_use_id, `${param}.tool_use_id`);
  const content: ToolResultPart['content'] = [];
  if (typeof block.content === 'string') {
    content.push({ type: 'text', text: block.content });
  } else if (block.content !== undefined && block.content !== null) {
    for (const { block: inner, param: innerParam } of contentBlocks(block.content, `${param}.content`)) {
      const type = inner.type as string;
      if (type === 'text') content.push(decodeTextBlock(inner, innerParam));
      else if (type === 'image') content.push(decodeImageBlock(inner, innerParam));
      else if (type === 'document') content.push(decodeDocumentBlock(inner, innerParam));
      else refuseBlockType(type, innerParam, 'tool_result');
    }
  }
  const part: ToolResultPart = { type: 'tool-result', toolCallId, content };
  const isError = readOptionalBoolean(block.is_error, `${param}.is_error`);
  if (isError !== undefined) part.isError = isError;
  return withCache(part, decodeCacheControl(block.cache_control, `${param}.cache_control`));
}

/**
 * A thinking block keeps its signature for Anthropic upstreams only. One
 * without a signature (e.g. reasoning the gateway relayed from another
 * provider) is plain reasoning text of no family.
 */
export function decodeThinkingBlock(block: Record<string, unknown>, param: string): ReasoningPart {
  const text = readString(block.thinking, `${param}.thinking`);
  const signature = block.signature === undefined || block.signature === null ? '' : readString(block.signature, `${param}.signature`);
  return signature === '' ? { type: 'reasoning', text } : { type: 'reasoning', text, provider: 'anthropic', signature };
}

export function decodeToolUseBlock(block: Record<string, unknown>, param: string): ToolCallPart {
  const id = readString(block.id, `${param}.id`);
  const name = readString(block.name, `${param}.name`);
  if (!isRecord(block.input)) throw invalidRequest(`${param}.input: must be an object`, `${param}.input`);
  if (block.cache_control !== undefined && block.cache_control !== null) {
    // The IR has no cache marker on tool calls (see the proposed IR change).
    throw unsupported('cache_control on tool_use blocks', `${param}.cache_control`);
  }
  if (isRecord(block.caller) && block.caller.type !== 'direct') {
    throw unsupported('programmatic tool calling (tool_use caller)', `${param}.caller`);
  }
  // The input is an object on this wire; the IR keeps arguments as JSON text.
  return { type: 'tool-call', id, name, arguments: JSON.stringify(block.input) };
}

