import {
  AssistantPart,
  CacheControl,
  ChatMessage,
  FilePart,
  ImagePart,
  invalidRequest,
  SystemPart,
  TextPart,
  ToolResultPart,
  unsupported,
  UserPart,
} from '../ir';
import { guessMediaType } from './guess-media-type';
import { parseDataUrl } from '../shared/media';
import {
  isSet,
  JsonObject,
  readArray,
  readObject,
  readString,
  requireObject,
  requireString,
} from './read-json.util';

/*
 * OpenAI Chat `messages` → IR system parts and messages: system/developer
 * roles, user content parts (text, images, audio, files), assistant content
 * and tool calls, tool results, and cache hints carried by some clients.
 */

const IMAGE_DETAILS = ['auto', 'low', 'high'] as const;
const AUDIO_MEDIA_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg' };

export function decodeMessages(root: JsonObject): { system: SystemPart[]; messages: ChatMessage[] } {
  const raw = readArray(root, 'messages', 'messages');
  if (!raw || raw.length === 0) throw invalidRequest('messages must be a non-empty array', 'messages');

  const system: SystemPart[] = [];
  const messages: ChatMessage[] = [];
  const toolNames = new Map<string, string>();

  raw.forEach((value, index) => {
    const param = `messages[${index}]`;
    const message = requireObject(value, param);
    const role = message.role;
    switch (role) {
      case 'system':
      case 'developer': {
        const parts = decodeSystemContent(message, param, role);
        // Leading instructions are the system prompt; later ones stay in place.
        if (messages.length === 0) system.push(...parts);
        else messages.push({ role: 'system', content: parts });
        return;
      }
      case 'user':
        messages.push({ role: 'user', content: decodeUserContent(message, param) });
        return;
      case 'assistant': {
        const content = decodeAssistantMessage(message, param);
        for (const part of content) if (part.type === 'tool-call') toolNames.set(part.id, part.name);
        messages.push({ role: 'assistant', content });
        return;
      }
      case 'tool': {
        const part = decodeToolMessage(message, param, toolNames);
        const last = messages[messages.length - 1];
        // Consecutive tool messages answer one assistant turn: one IR tool message.
        if (last?.role === 'tool') last.content.push(part);
        else messages.push({ role: 'tool', content: [part] });
        return;
      }
      case 'function':
        throw unsupported('function messages (legacy function calling; use tool messages)', `${param}.role`);
      default:
        throw invalidRequest(
          `${param}.role must be one of system, developer, user, assistant, tool`,
          `${param}.role`,
        );
    }
  });
  return { system, messages };
}

export function decodeSystemContent(message: JsonObject, param: string, role: 'system' | 'developer'): SystemPart[] {
  return decodeTextOnlyContent(message, param).map((part) => {
    const systemPart: SystemPart = { text: part.text, role };
    if (part.cacheControl) systemPart.cacheControl = part.cacheControl;
    return systemPart;
  });
}

/** Content that is a string or an array of text parts (system, developer, tool). */
export function decodeTextOnlyContent(message: JsonObject, param: string): TextPart[] {
  const content = message.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${param}.content must be a string or an array of text parts`, `${param}.content`);
  return content.map((value, index) => {
    const partParam = `${param}.content[${index}]`;
    const part = requireObject(value, partParam);
    if (part.type !== 'text') throw invalidRequest(`${partParam}.type must be text`, `${partParam}.type`);
    return decodeTextPart(part, partParam);
  });
}

export function decodeTextPart(part: JsonObject, param: string): TextPart {
  const textPart: TextPart = { type: 'text', text: requireString(part, 'text', `${param}.text`) };
  const cacheControl = decodeCacheHints(part, param);
  if (cacheControl) textPart.cacheControl = cacheControl;
  return textPart;
}

export function decodeUserContent(message: JsonObject, param: string): UserPart[] {
  const content = message.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${param}.content must be a string or an array of content parts`, `${param}.content`);
  return content.map((value, index) => decodeUserPart(requireObject(value, `${param}.content[${index}]`), `${param}.content[${index}]`));
}

export function decodeUserPart(part: JsonObject, param: string): UserPart {
  switch (part.type) {
    case 'text':
      return decodeTextPart(part, param);
    case 'image_url':
      return decodeImagePart(part, param);
    case 'input_audio':
      return decodeAudioPart(part, param);
    case 'file':
      return decodeFilePart(part, param);
    default:
      throw invalidRequest(`${param}.type must be one of text, image_url, input_audio, file`, `${param}.type`);
  }
}

export function decodeImagePart(part: JsonObject, param: string): ImagePart {
  const image = readObject(part, 'image_url', `${param}.image_url`);
  if (!image) throw invalidRequest(`${param}.image_url is required`, `${param}.image_url`);
  const url = requireString(image, 'url', `${param}.image_url.url`);
  const imagePart: ImagePart = { type: 'image', source: decodeMediaUrl(url, `${param}.image_url.url`) };
  const detail = readString(image, 'detail', `${param}.image_url.detail`);
  if (detail !== undefined) {
    if (!(IMAGE_DETAILS as readonly string[]).includes(detail)) {
      throw invalidRequest(`${param}.image_url.detail must be one of auto, low, high`, `${param}.image_url.detail`);
    }
    imagePart.detail = detail as ImagePart['detail'];
  }
  const cacheControl = decodeCacheHints(part, param);
  if (cacheControl) imagePart.cacheControl = cacheControl;
  return imagePart;
}

export function decodeMediaUrl(url: string, param: string): ImagePart['source'] {
  if (url.startsWith('data:')) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw invalidRequest(`${param} must be a base64 data URL (data:<media type>;base64,<data>)`, param);
    return { type: 'base64', mediaType: parsed.mediaType, data: parsed.data };
  }
  if (url.trim() === '') throw invalidRequest(`${param} must not be empty`, param);
  return { type: 'url', url };
}

export function decodeAudioPart(part: JsonObject, param: string): FilePart {
  const audio = readObject(part, 'input_audio', `${param}.input_audio`);
  if (!audio) throw invalidRequest(`${param}.input_audio is required`, `${param}.input_audio`);
  const data = requireString(audio, 'data', `${param}.input_audio.data`);
  const format = requireString(audio, 'format', `${param}.input_audio.format`);
  const mediaType = AUDIO_MEDIA_TYPES[format];
  if (!mediaType) throw invalidRequest(`${param}.input_audio.format must be wav or mp3`, `${param}.input_audio.format`);
  const filePart: FilePart = { type: 'file', mediaType, source: { type: 'base64', mediaType, data } };
  const cacheControl = decodeCacheHints(part, param);
  if (cacheControl) filePart.cacheControl = cacheControl;
  return filePart;
}

/**
 * `file_data` is a base64 data URL (what OpenAI accepts). A URL instead
 * (https, gs) is kept as a URL source: OpenAI refuses it, but an upstream
 * that fetches files (Gemini, Anthropic PDFs) can serve it; the media type
 * is then guessed from the file name.
 */
export function decodeFilePart(part: JsonObject, param: string): FilePart {
  const file = readObject(part, 'file', `${param}.file`);
  if (!file) throw invalidRequest(`${param}.file is required`, `${param}.file`);
  const filename = readString(file, 'filename', `${param}.file.filename`);
  const fileData = readString(file, 'file_data', `${param}.file.file_data`);
  if (fileData === undefined) {
    if (isSet(file.file_id)) throw unsupported('file_id (uploaded file references)', `${param}.file.file_id`);
    throw invalidRequest(`${param}.file needs file_data`, `${param}.file.file_data`);
  }
  let filePart: FilePart;
  const parsed = parseDataUrl(fileData);
  if (parsed) {
    filePart = { type: 'file', mediaType: parsed.mediaType, source: { type: 'base64', mediaType: parsed.mediaType, data: parsed.data } };
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(fileData)) {
    const mediaType = guessMediaType(filename, fileData);
    filePart = { type: 'file', mediaType, source: { type: 'url', url: fileData, mediaType } };
  } else {
    throw invalidRequest(
      `${param}.file.file_data must be a base64 data URL (data:<media type>;base64,<data>)`,
      `${param}.file.file_data`,
    );
  }
  if (filename !== undefined) filePart.filename = filename;
  const cacheControl = decodeCacheHints(part, param);
  if (cacheControl) filePart.cacheControl = cacheControl;
  return filePart;
}

export function decodeAssistantMessage(message: JsonObject, param: string): AssistantPart[] {
  if (isSet(message.function_call)) {
    throw unsupported('function_call (legacy function calling; use tool_calls)', `${param}.function_call`);
  }
  if (isSet(message.audio)) throw unsupported('assistant audio references', `${param}.audio`);

  const parts: AssistantPart[] = [];
  const reasoning = readString(message, 'reasoning_content', `${param}.reasoning_content`) ?? readString(message, 'reasoning', `${param}.reasoning`);
  if (reasoning) parts.push({ type: 'reasoning', text: reasoning });

  const content = message.content;
  if (typeof content === 'string') {
    if (content !== '') parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((value, index) => {
      const partParam = `${param}.content[${index}]`;
      const part = requireObject(value, partParam);
      if (part.type === 'text') parts.push(decodeTextPart(part, partParam));
      else if (part.type === 'refusal') parts.push({ type: 'text', text: requireString(part, 'refusal', `${partParam}.refusal`) });
      else throw invalidRequest(`${partParam}.type must be text or refusal`, `${partParam}.type`);
    });
  } else if (isSet(content)) {
    throw invalidRequest(`${param}.content must be a string, an array of content parts or null`, `${param}.content`);
  }

  const refusal = readString(message, 'refusal', `${param}.refusal`);
  if (refusal) parts.push({ type: 'text', text: refusal });

  const toolCalls = readArray(message, 'tool_calls', `${param}.tool_calls`) ?? [];
  toolCalls.forEach((value, index) => {
    const callParam = `${param}.tool_calls[${index}]`;
    const call = requireObject(value, callParam);
    if (call.type === 'custom') throw unsupported('custom tool calls', `${callParam}.type`);
    if (isSet(call.type) && call.type !== 'function') throw invalidRequest(`${callParam}.type must be function`, `${callParam}.type`);
    const fn = readObject(call, 'function', `${callParam}.function`);
    if (!fn) throw invalidRequest(`${callParam}.function is required`, `${callParam}.function`);
    parts.push({
      type: 'tool-call',
      id: requireString(call, 'id', `${callParam}.id`),
      name: requireString(fn, 'name', `${callParam}.function.name`),
      arguments: requireString(fn, 'arguments', `${callParam}.function.arguments`),
    });
  });
  return parts;
}

export function decodeToolMessage(message: JsonObject, param: string, toolNames: Map<string, string>): ToolResultPart {
  const toolCallId = requireString(message, 'tool_call_id', `${param}.tool_call_id`);
  const content = decodeTextOnlyContent(message, param);
  const part: ToolResultPart = { type: 'tool-result', toolCallId, content };
  // Chat tool messages carry no name; Gemini needs it, and the call that it answers has it.
  const toolName = toolNames.get(toolCallId);
  if (toolName) part.toolName = toolName;
  return part;
}

export function decodeCacheHints(part: JsonObject, param: string): CacheControl | undefined {
  const cacheControl = readObject(part, 'cache_control', `${param}.cache_control`);
  if (cacheControl) {
    if (cacheControl.type !== 'ephemeral') throw invalidRequest(`${param}.cache_control.type must be ephemeral`, `${param}.cache_control.type`);
    const ttl = readString(cacheControl, 'ttl', `${param}.cache_control.ttl`);
    if (ttl === undefined) return { type: 'ephemeral' };
    if (ttl !== '5m' && ttl !== '1h') throw invalidRequest(`${param}.cache_control.ttl must be 5m or 1h`, `${param}.cache_control.ttl`);
    return { type: 'ephemeral', ttl };
  }
  const breakpoint = readObject(part, 'prompt_cache_breakpoint', `${param}.prompt_cache_breakpoint`);
  if (breakpoint) {
    if (isSet(breakpoint.mode) && breakpoint.mode !== 'explicit') {
      throw invalidRequest(`${param}.prompt_cache_breakpoint.mode must be explicit`, `${param}.prompt_cache_breakpoint.mode`);
    }
    return { type: 'ephemeral' };
  }
  return undefined;
}

// ---------------------------------------------------------------- tools and formats

