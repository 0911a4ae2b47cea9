import {
  AssistantPart,
  CacheControl,
  ChatMessage,
  ChatRequest,
  ClientRequestContext,
  FilePart,
  ImagePart,
  invalidRequest,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  SystemPart,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  unsupported,
  UserPart,
} from '../ir';
import { guessMediaType } from './guess-media-type';
import { parseDataUrl } from './parse-data-url';
import {
  isJsonObject,
  isSet,
  JsonObject,
  readArray,
  readBoolean,
  readInteger,
  readNumber,
  readObject,
  readString,
  requireObject,
  requireString,
} from './read-json.util';

const REASONING_EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
const IMAGE_DETAILS = ['auto', 'low', 'high'] as const;
const AUDIO_MEDIA_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg' };
/** Service tiers that change nothing but the queue (`auto` is the API default, `default` the standard tier). */
const NEUTRAL_SERVICE_TIERS = ['auto', 'default'];

/**
 * A Chat Completions request body → ChatRequest.
 *
 * Refused with `unsupported` (valid OpenAI, but the IR or the answer path
 * cannot carry it): n > 1, logprobs / top_logprobs, a non-empty logit_bias,
 * prediction, audio output (audio, modalities with "audio"),
 * web_search_options, verbosity, moderation, service_tier flex / priority /
 * scale (they change price and latency), legacy functions / function_call /
 * function messages, custom tools and allowed_tools tool choices, file_id
 * references, assistant audio references, and `user` together with a
 * different `safety_identifier` (the IR has one end-user id).
 *
 * Deliberately ignored (no effect on the answer): prompt_cache_options,
 * prompt_cache_retention, stream_options.include_obfuscation, service_tier
 * auto / default, logprobs: false, an empty logit_bias, modalities ["text"],
 * message `name` (a participant label current models hardly use; the IR
 * has no field for it), `annotations` echoed back on assistant messages, and
 * any other unknown top-level field.
 *
 * Cache hints: Anthropic-style `cache_control` (LiteLLM / OpenRouter
 * clients) and OpenAI's `prompt_cache_breakpoint` on content parts both
 * become the part's IR cacheControl. Assistant `refusal` (field or part)
 * becomes text: it is what the assistant said. A non-standard
 * `reasoning_content` / `reasoning` on an assistant message (DeepSeek-style
 * history, or what this gateway sends Chat clients) becomes a reasoning part.
 * Beyond OpenAI, `top_k` (vLLM-style clients) is read into the IR.
 * max_tokens and max_completion_tokens both set maxOutputTokens. A
 * streaming request records whether it asked for usage (streamUsage), so the
 * stream encoder can leave the usage chunk out as OpenAI does.
 */
export function decodeOpenAiChatRequest(body: unknown, context?: ClientRequestContext): ChatRequest {
  const root = requireObject(body, 'body');
  refuseUntranslatableFields(root);

  const model = readString(root, 'model', 'model') ?? context?.model;
  if (!model) throw invalidRequest('model is required', 'model');

  const { system, messages } = decodeMessages(root);
  const request: ChatRequest = { model, system, messages, stream: readBoolean(root, 'stream', 'stream') ?? context?.stream ?? false };

  const tools = decodeTools(root);
  if (tools) request.tools = tools;
  const toolChoice = decodeToolChoice(root.tool_choice);
  if (toolChoice) request.toolChoice = toolChoice;
  assign(request, 'parallelToolCalls', readBoolean(root, 'parallel_tool_calls', 'parallel_tool_calls'));
  const responseFormat = decodeResponseFormat(root);
  if (responseFormat) request.responseFormat = responseFormat;

  assign(request, 'maxOutputTokens', decodeMaxTokens(root));
  assign(request, 'temperature', readNumber(root, 'temperature', 'temperature'));
  assign(request, 'topP', readNumber(root, 'top_p', 'top_p'));
  // Not OpenAI, but vLLM-style clients send it and the IR carries it (Gemini, Anthropic honour it);
  // vLLM's "disabled" values (-1, 0) mean not set.
  const topK = readInteger(root, 'top_k', 'top_k', -1);
  if (topK !== undefined && topK > 0) request.topK = topK;
  assign(request, 'stopSequences', decodeStop(root.stop));
  assign(request, 'seed', readInteger(root, 'seed', 'seed'));
  assign(request, 'presencePenalty', readNumber(root, 'presence_penalty', 'presence_penalty'));
  assign(request, 'frequencyPenalty', readNumber(root, 'frequency_penalty', 'frequency_penalty'));
  assign(request, 'reasoning', decodeReasoningEffort(root));

  // Streaming clients get the usage chunk only when they asked (as from OpenAI).
  const streamOptions = readObject(root, 'stream_options', 'stream_options');
  const includeUsage = streamOptions && readBoolean(streamOptions, 'include_usage', 'stream_options.include_usage');
  if (request.stream) request.streamUsage = includeUsage === true;
  assign(request, 'user', decodeUser(root));
  assign(request, 'promptCacheKey', readString(root, 'prompt_cache_key', 'prompt_cache_key'));
  assign(request, 'store', readBoolean(root, 'store', 'store'));
  assign(request, 'metadata', decodeMetadata(root));

  const n = readInteger(root, 'n', 'n', 1);
  if (n !== undefined && n > 1) throw unsupported('n > 1 (several choices)', 'n');
  assign(request, 'n', n);
  return request;
}

function assign<K extends keyof ChatRequest>(request: ChatRequest, key: K, value: ChatRequest[K] | undefined): void {
  if (value !== undefined) request[key] = value;
}

function refuseUntranslatableFields(root: JsonObject): void {
  if (isSet(root.functions)) throw unsupported('functions (legacy function calling; use tools)', 'functions');
  if (isSet(root.function_call)) throw unsupported('function_call (legacy function calling; use tool_choice)', 'function_call');
  if (root.logprobs === true) throw unsupported('logprobs', 'logprobs');
  if (isSet(root.top_logprobs)) throw unsupported('top_logprobs', 'top_logprobs');
  if (isSet(root.logit_bias) && !(isJsonObject(root.logit_bias) && Object.keys(root.logit_bias).length === 0)) {
    throw unsupported('logit_bias', 'logit_bias');
  }
  if (isSet(root.prediction)) throw unsupported('prediction (predicted outputs)', 'prediction');
  if (isSet(root.audio)) throw unsupported('audio output', 'audio');
  if (isSet(root.modalities)) {
    const modalities = root.modalities;
    if (!Array.isArray(modalities) || modalities.some((modality) => modality !== 'text')) {
      throw unsupported('modalities other than text', 'modalities');
    }
  }
  if (isSet(root.web_search_options)) throw unsupported('web_search_options', 'web_search_options');
  if (isSet(root.verbosity)) throw unsupported('verbosity', 'verbosity');
  if (isSet(root.moderation)) throw unsupported('moderation', 'moderation');
  const serviceTier = readString(root, 'service_tier', 'service_tier');
  if (serviceTier !== undefined && !NEUTRAL_SERVICE_TIERS.includes(serviceTier)) {
    throw unsupported(`service_tier ${serviceTier}`, 'service_tier');
  }
}

// ---------------------------------------------------------------- messages

function decodeMessages(root: JsonObject): { system: SystemPart[]; messages: ChatMessage[] } {
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

function decodeSystemContent(message: JsonObject, param: string, role: 'system' | 'developer'): SystemPart[] {
  return decodeTextOnlyContent(message, param).map((part) => {
    const systemPart: SystemPart = { text: part.text, role };
    if (part.cacheControl) systemPart.cacheControl = part.cacheControl;
    return systemPart;
  });
}

/** Content that is a string or an array of text parts (system, developer, tool). */
function decodeTextOnlyContent(message: JsonObject, param: string): TextPart[] {
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

function decodeTextPart(part: JsonObject, param: string): TextPart {
  const textPart: TextPart = { type: 'text', text: requireString(part, 'text', `${param}.text`) };
  const cacheControl = decodeCacheHints(part, param);
  if (cacheControl) textPart.cacheControl = cacheControl;
  return textPart;
}

function decodeUserContent(message: JsonObject, param: string): UserPart[] {
  const content = message.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${param}.content must be a string or an array of content parts`, `${param}.content`);
  return content.map((value, index) => decodeUserPart(requireObject(value, `${param}.content[${index}]`), `${param}.content[${index}]`));
}

function decodeUserPart(part: JsonObject, param: string): UserPart {
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

function decodeImagePart(part: JsonObject, param: string): ImagePart {
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

function decodeMediaUrl(url: string, param: string): ImagePart['source'] {
  if (url.startsWith('data:')) {
    const parsed = parseDataUrl(url);
    if (!parsed) throw invalidRequest(`${param} must be a base64 data URL (data:<media type>;base64,<data>)`, param);
    return { type: 'base64', mediaType: parsed.mediaType, data: parsed.data };
  }
  if (url.trim() === '') throw invalidRequest(`${param} must not be empty`, param);
  return { type: 'url', url };
}

function decodeAudioPart(part: JsonObject, param: string): FilePart {
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
function decodeFilePart(part: JsonObject, param: string): FilePart {
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

function decodeAssistantMessage(message: JsonObject, param: string): AssistantPart[] {
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

function decodeToolMessage(message: JsonObject, param: string, toolNames: Map<string, string>): ToolResultPart {
  const toolCallId = requireString(message, 'tool_call_id', `${param}.tool_call_id`);
  const content = decodeTextOnlyContent(message, param);
  const part: ToolResultPart = { type: 'tool-result', toolCallId, content };
  // Chat tool messages carry no name; Gemini needs it, and the call that it answers has it.
  const toolName = toolNames.get(toolCallId);
  if (toolName) part.toolName = toolName;
  return part;
}

function decodeCacheHints(part: JsonObject, param: string): CacheControl | undefined {
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

function decodeTools(root: JsonObject): ToolDefinition[] | undefined {
  const raw = readArray(root, 'tools', 'tools');
  if (!raw) return undefined;
  return raw.map((value, index) => {
    const param = `tools[${index}]`;
    const tool = requireObject(value, param);
    if (tool.type === 'custom') throw unsupported('custom tools', `${param}.type`);
    if (tool.type !== 'function') throw invalidRequest(`${param}.type must be function`, `${param}.type`);
    const fn = readObject(tool, 'function', `${param}.function`);
    if (!fn) throw invalidRequest(`${param}.function is required`, `${param}.function`);
    // OpenAI: "Omitting parameters defines a function with an empty parameter list."
    const parameters = readObject(fn, 'parameters', `${param}.function.parameters`) ?? { type: 'object', properties: {} };
    const definition: ToolDefinition = { name: requireString(fn, 'name', `${param}.function.name`), parameters };
    const description = readString(fn, 'description', `${param}.function.description`);
    if (description !== undefined) definition.description = description;
    const strict = readBoolean(fn, 'strict', `${param}.function.strict`);
    if (strict !== undefined) definition.strict = strict;
    const cacheControl = decodeCacheHints(tool, param);
    if (cacheControl) definition.cacheControl = cacheControl;
    return definition;
  });
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (!isSet(value)) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (isJsonObject(value)) {
    if (value.type === 'function') {
      const fn = readObject(value, 'function', 'tool_choice.function');
      if (!fn) throw invalidRequest('tool_choice.function is required', 'tool_choice.function');
      return { type: 'tool', name: requireString(fn, 'name', 'tool_choice.function.name') };
    }
    if (value.type === 'allowed_tools') throw unsupported('tool_choice allowed_tools', 'tool_choice');
    if (value.type === 'custom') throw unsupported('custom tools', 'tool_choice');
  }
  throw invalidRequest('tool_choice must be auto, none, required or {"type":"function","function":{"name":…}}', 'tool_choice');
}

function decodeResponseFormat(root: JsonObject): ResponseFormat | undefined {
  const format = readObject(root, 'response_format', 'response_format');
  if (!format) return undefined;
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const jsonSchema = readObject(format, 'json_schema', 'response_format.json_schema');
      if (!jsonSchema) throw invalidRequest('response_format.json_schema is required', 'response_format.json_schema');
      const result: ResponseFormat = {
        type: 'json_schema',
        name: requireString(jsonSchema, 'name', 'response_format.json_schema.name'),
        schema: readObject(jsonSchema, 'schema', 'response_format.json_schema.schema') ?? {},
      };
      const description = readString(jsonSchema, 'description', 'response_format.json_schema.description');
      if (description !== undefined) result.description = description;
      const strict = readBoolean(jsonSchema, 'strict', 'response_format.json_schema.strict');
      if (strict !== undefined) result.strict = strict;
      return result;
    }
    default:
      throw invalidRequest('response_format.type must be text, json_object or json_schema', 'response_format.type');
  }
}

// ---------------------------------------------------------------- scalars

/** max_tokens (deprecated) and max_completion_tokens mean the same bound here. */
function decodeMaxTokens(root: JsonObject): number | undefined {
  const maxCompletionTokens = readInteger(root, 'max_completion_tokens', 'max_completion_tokens', 1);
  const maxTokens = readInteger(root, 'max_tokens', 'max_tokens', 1);
  if (maxCompletionTokens !== undefined && maxTokens !== undefined && maxCompletionTokens !== maxTokens) {
    throw invalidRequest('max_tokens and max_completion_tokens disagree; send only max_completion_tokens', 'max_tokens');
  }
  return maxCompletionTokens ?? maxTokens;
}

function decodeStop(value: unknown): string[] | undefined {
  if (!isSet(value)) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value.length > 0 ? (value as string[]) : undefined;
  throw invalidRequest('stop must be a string or an array of strings', 'stop');
}

function decodeReasoningEffort(root: JsonObject): ReasoningConfig | undefined {
  const effort = readString(root, 'reasoning_effort', 'reasoning_effort');
  if (effort === undefined) return undefined;
  if (!(REASONING_EFFORTS as readonly string[]).includes(effort)) {
    throw invalidRequest(`reasoning_effort must be one of ${REASONING_EFFORTS.join(', ')}`, 'reasoning_effort');
  }
  return effort === 'none' ? { enabled: false, effort: 'none' } : { effort: effort as ReasoningEffort };
}

/** `user` (deprecated) and `safety_identifier` both name the end user; the IR has one slot. */
function decodeUser(root: JsonObject): string | undefined {
  const user = readString(root, 'user', 'user');
  const safetyIdentifier = readString(root, 'safety_identifier', 'safety_identifier');
  if (user !== undefined && safetyIdentifier !== undefined && user !== safetyIdentifier) {
    throw unsupported('user together with a different safety_identifier', 'safety_identifier');
  }
  return safetyIdentifier ?? user;
}

function decodeMetadata(root: JsonObject): Record<string, string> | undefined {
  const metadata = readObject(root, 'metadata', 'metadata');
  if (!metadata) return undefined;
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw invalidRequest(`metadata.${key} must be a string`, `metadata.${key}`);
  }
  return metadata as Record<string, string>;
}
