import {
  AssistantPart,
  CacheControl,
  ChatMessage,
  ChatRequest,
  ClientRequestContext,
  FilePart,
  ImagePart,
  MediaSource,
  ReasoningConfig,
  ReasoningEffort,
  ReasoningPart,
  ResponseFormat,
  SystemPart,
  TextPart,
  ToolCallPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserPart,
  invalidRequest,
  unsupported,
} from '../ir';
import { decodeCacheControl } from './anthropic-cache-control';

/**
 * Anthropic Messages client body → ChatRequest.
 *
 * Top-level fields:
 * - translated: model, max_tokens, messages, system, tools, tool_choice,
 *   temperature, top_p, top_k, stop_sequences, metadata.user_id, thinking,
 *   output_config (effort, format), output_format (deprecated beta spelling
 *   of output_config.format), stream, cache_control (top-level automatic
 *   breakpoint: placed on the last cacheable block, which is what the API
 *   does with it).
 * - ignored: `anthropic_version` (the Vertex/Bedrock body spelling of the
 *   version header; the gateway pins its own), `service_tier: "auto"` (the
 *   API default: omitting it changes nothing).
 * - refused as unsupported (they change what the model does or where it
 *   runs, and the IR cannot carry them): container, context_management,
 *   mcp_servers, inference_geo, speed, user_profile_id,
 *   service_tier "standard_only".
 * - anything else: invalid_request, as the API itself answers
 *   "Extra inputs are not permitted".
 */
export function decodeAnthropicRequest(body: unknown, context?: ClientRequestContext): ChatRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object');

  for (const key of Object.keys(body)) {
    if (HANDLED_FIELDS.has(key) || IGNORED_FIELDS.has(key)) continue;
    if (UNSUPPORTED_FIELDS.has(key)) {
      if (body[key] !== undefined && body[key] !== null) throw unsupported(key, key);
      continue;
    }
    throw invalidRequest(`${key}: Extra inputs are not permitted`, key);
  }

  const model = body.model ?? context?.model;
  if (typeof model !== 'string' || model === '') throw invalidRequest('model: Field required', 'model');

  if (body.max_tokens === undefined || body.max_tokens === null) throw invalidRequest('max_tokens: Field required', 'max_tokens');
  const maxOutputTokens = readInteger(body.max_tokens, 'max_tokens', 0);

  if (body.service_tier !== undefined && body.service_tier !== null && body.service_tier !== 'auto') {
    if (body.service_tier !== 'standard_only') throw invalidRequest("service_tier: must be 'auto' or 'standard_only'", 'service_tier');
    throw unsupported('service_tier standard_only', 'service_tier');
  }

  const system = decodeSystem(body.system);
  const messages = decodeMessages(body.messages, system);

  const request: ChatRequest = {
    model,
    system,
    messages,
    maxOutputTokens,
    stream: readOptionalBoolean(body.stream, 'stream') ?? context?.stream ?? false,
  };

  if (body.tools !== undefined && body.tools !== null) request.tools = decodeTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    const { toolChoice, parallelToolCalls } = decodeToolChoice(body.tool_choice);
    request.toolChoice = toolChoice;
    if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;
  }

  const temperature = readOptionalNumber(body.temperature, 'temperature');
  if (temperature !== undefined) request.temperature = temperature;
  const topP = readOptionalNumber(body.top_p, 'top_p');
  if (topP !== undefined) request.topP = topP;
  if (body.top_k !== undefined && body.top_k !== null) request.topK = readInteger(body.top_k, 'top_k', 0);
  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    request.stopSequences = readStringArray(body.stop_sequences, 'stop_sequences');
  }

  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isRecord(body.metadata)) throw invalidRequest('metadata: must be an object', 'metadata');
    const userId = body.metadata.user_id;
    if (userId !== undefined && userId !== null) {
      if (typeof userId !== 'string') throw invalidRequest('metadata.user_id: must be a string', 'metadata.user_id');
      request.user = userId;
    }
  }

  const reasoning = decodeReasoning(body.thinking, body.output_config);
  if (reasoning) request.reasoning = reasoning;
  const responseFormat = decodeResponseFormat(body.output_config, body.output_format);
  if (responseFormat) request.responseFormat = responseFormat;

  const topLevelCache = decodeCacheControl(body.cache_control, 'cache_control');
  if (topLevelCache) applyAutomaticCacheControl(request, topLevelCache);

  return request;
}

const HANDLED_FIELDS = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'metadata',
  'thinking',
  'output_config',
  'output_format',
  'stream',
  'cache_control',
  'service_tier',
]);
const IGNORED_FIELDS = new Set(['anthropic_version']);
const UNSUPPORTED_FIELDS = new Set(['container', 'context_management', 'mcp_servers', 'inference_geo', 'speed', 'user_profile_id']);

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalidRequest(`${param}: must be a string`, param);
  return value;
}

function readInteger(value: unknown, param: string, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw invalidRequest(`${param}: must be an integer >= ${minimum}`, param);
  }
  return value;
}

function readOptionalNumber(value: unknown, param: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidRequest(`${param}: must be a number`, param);
  return value;
}

function readOptionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${param}: must be a boolean`, param);
  return value;
}

function readStringArray(value: unknown, param: string): string[] {
  if (!Array.isArray(value)) throw invalidRequest(`${param}: must be an array of strings`, param);
  return value.map((item, index) => readString(item, `${param}[${index}]`));
}

function readArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(`${param}: must be an array`, param);
  return value;
}

function withCache<T extends object>(part: T, cacheControl: CacheControl | undefined): T {
  return cacheControl ? { ...part, cacheControl } : part;
}

function decodeSystem(value: unknown): SystemPart[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ text: value }];
  return readArray(value, 'system').map((block, index) => decodeSystemBlock(block, `system[${index}]`));
}

function decodeSystemBlock(block: unknown, param: string): SystemPart {
  if (!isRecord(block)) throw invalidRequest(`${param}: must be an object`, param);
  if (block.type !== 'text') throw invalidRequest(`${param}.type: system blocks must be of type 'text'`, `${param}.type`);
  rejectCitations(block.citations, `${param}.citations`);
  return withCache({ text: readString(block.text, `${param}.text`) }, decodeCacheControl(block.cache_control, `${param}.cache_control`));
}

function rejectCitations(value: unknown, param: string): void {
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
function decodeMessages(value: unknown, system: SystemPart[]): ChatMessage[] {
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

function decodeSystemMessageContent(content: unknown, param: string): SystemPart[] {
  if (typeof content === 'string') return [{ text: content }];
  return readArray(content, param).map((block, index) => decodeSystemBlock(block, `${param}[${index}]`));
}

function contentBlocks(content: unknown, param: string): Array<{ block: Record<string, unknown>; param: string }> {
  if (typeof content === 'string') return [{ block: { type: 'text', text: content }, param }];
  return readArray(content, param).map((block, index) => {
    const blockParam = `${param}[${index}]`;
    if (!isRecord(block)) throw invalidRequest(`${blockParam}: must be an object`, blockParam);
    if (typeof block.type !== 'string') throw invalidRequest(`${blockParam}.type: Field required`, `${blockParam}.type`);
    return { block, param: blockParam };
  });
}

function refuseBlockType(type: string, param: string, role: string): never {
  if (UNSUPPORTED_BLOCK_TYPES.has(type)) throw unsupported(`${type} content blocks`, `${param}.type`);
  throw invalidRequest(`${param}.type: '${type}' blocks are not allowed in ${role} messages`, `${param}.type`);
}

function decodeUserMessage(content: unknown, param: string): ChatMessage[] {
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

function decodeAssistantContent(content: unknown, param: string): AssistantPart[] {
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

function decodeTextBlock(block: Record<string, unknown>, param: string): TextPart {
  rejectCitations(block.citations, `${param}.citations`);
  const text = readString(block.text, `${param}.text`);
  return withCache({ type: 'text', text }, decodeCacheControl(block.cache_control, `${param}.cache_control`));
}

function decodeImageBlock(block: Record<string, unknown>, param: string): ImagePart {
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
function decodeDocumentBlock(block: Record<string, unknown>, param: string): FilePart {
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

function decodeToolResultBlock(block: Record<string, unknown>, param: string): ToolResultPart {
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
function decodeThinkingBlock(block: Record<string, unknown>, param: string): ReasoningPart {
  const text = readString(block.thinking, `${param}.thinking`);
  const signature = block.signature === undefined || block.signature === null ? '' : readString(block.signature, `${param}.signature`);
  return signature === '' ? { type: 'reasoning', text } : { type: 'reasoning', text, provider: 'anthropic', signature };
}

function decodeToolUseBlock(block: Record<string, unknown>, param: string): ToolCallPart {
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

function decodeTools(value: unknown): ToolDefinition[] {
  return readArray(value, 'tools').map((tool, index) => {
    const param = `tools[${index}]`;
    if (!isRecord(tool)) throw invalidRequest(`${param}: must be an object`, param);
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      throw unsupported(`Anthropic-defined tool ${String(tool.type)}`, `${param}.type`);
    }
    if (tool.allowed_callers !== undefined && tool.allowed_callers !== null) {
      throw unsupported('programmatic tool calling (allowed_callers)', `${param}.allowed_callers`);
    }
    if (tool.defer_loading === true) throw unsupported('deferred tool loading (defer_loading)', `${param}.defer_loading`);
    if (Array.isArray(tool.input_examples) && tool.input_examples.length > 0) {
      throw unsupported('tool input_examples', `${param}.input_examples`);
    }
    // eager_input_streaming only changes how finely tool input is streamed: ignored.
    const name = readString(tool.name, `${param}.name`);
    if (!isRecord(tool.input_schema)) throw invalidRequest(`${param}.input_schema: Field required`, `${param}.input_schema`);
    const definition: ToolDefinition = { name, parameters: tool.input_schema };
    if (tool.description !== undefined && tool.description !== null) {
      definition.description = readString(tool.description, `${param}.description`);
    }
    const strict = readOptionalBoolean(tool.strict, `${param}.strict`);
    if (strict !== undefined) definition.strict = strict;
    return withCache(definition, decodeCacheControl(tool.cache_control, `${param}.cache_control`));
  });
}

function decodeToolChoice(value: unknown): { toolChoice: ToolChoice; parallelToolCalls?: boolean } {
  if (!isRecord(value)) throw invalidRequest('tool_choice: must be an object', 'tool_choice');
  const disableParallel = readOptionalBoolean(value.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
  // disable_parallel_tool_use false is the default: nothing to carry.
  const parallelToolCalls = disableParallel === true ? false : undefined;
  switch (value.type) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, parallelToolCalls };
    case 'any':
      return { toolChoice: { type: 'required' }, parallelToolCalls };
    case 'tool':
      return { toolChoice: { type: 'tool', name: readString(value.name, 'tool_choice.name') }, parallelToolCalls };
    case 'none':
      return { toolChoice: { type: 'none' } };
    default:
      throw invalidRequest("tool_choice.type: must be 'auto', 'any', 'tool' or 'none'", 'tool_choice.type');
  }
}

const EFFORTS: ReadonlySet<string> = new Set(['low', 'medium', 'high', 'xhigh', 'max']);

/**
 * thinking + output_config.effort → IR reasoning:
 * enabled {budget_tokens} → enabled + budgetTokens; adaptive → enabled
 * without a budget; disabled → enabled false. `display` says whether the
 * thinking text comes back (summarized) or not (omitted): includeThoughts.
 */
function decodeReasoning(thinking: unknown, outputConfig: unknown): ReasoningConfig | undefined {
  const reasoning: ReasoningConfig = {};
  if (thinking !== undefined && thinking !== null) {
    if (!isRecord(thinking)) throw invalidRequest('thinking: must be an object', 'thinking');
    switch (thinking.type) {
      case 'enabled':
        if (thinking.budget_tokens === undefined || thinking.budget_tokens === null) {
          throw invalidRequest('thinking.budget_tokens: Field required', 'thinking.budget_tokens');
        }
        reasoning.enabled = true;
        reasoning.budgetTokens = readInteger(thinking.budget_tokens, 'thinking.budget_tokens', 0);
        break;
      case 'adaptive':
        reasoning.enabled = true;
        break;
      case 'disabled':
        reasoning.enabled = false;
        break;
      default:
        throw invalidRequest("thinking.type: must be 'enabled', 'adaptive' or 'disabled'", 'thinking.type');
    }
    if (thinking.type !== 'disabled' && thinking.display !== undefined && thinking.display !== null) {
      if (thinking.display === 'summarized') reasoning.includeThoughts = true;
      else if (thinking.display === 'omitted') reasoning.includeThoughts = false;
      else throw invalidRequest("thinking.display: must be 'summarized' or 'omitted'", 'thinking.display');
    }
  }
  if (outputConfig !== undefined && outputConfig !== null) {
    if (!isRecord(outputConfig)) throw invalidRequest('output_config: must be an object', 'output_config');
    for (const key of Object.keys(outputConfig)) {
      if (key !== 'effort' && key !== 'format') throw invalidRequest(`output_config.${key}: Extra inputs are not permitted`, `output_config.${key}`);
    }
    const effort = outputConfig.effort;
    if (effort !== undefined && effort !== null) {
      if (typeof effort !== 'string' || !EFFORTS.has(effort)) {
        throw invalidRequest('output_config.effort: must be one of low, medium, high, xhigh, max', 'output_config.effort');
      }
      reasoning.effort = effort as ReasoningEffort;
    }
  }
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
}

function decodeResponseFormat(outputConfig: unknown, outputFormat: unknown): ResponseFormat | undefined {
  const format = isRecord(outputConfig) ? outputConfig.format : undefined;
  const hasFormat = format !== undefined && format !== null;
  const hasLegacy = outputFormat !== undefined && outputFormat !== null;
  if (hasFormat && hasLegacy) {
    throw invalidRequest('output_format: use output_config.format only (both were given)', 'output_format');
  }
  if (hasFormat) return decodeJsonOutputFormat(format, 'output_config.format');
  if (hasLegacy) return decodeJsonOutputFormat(outputFormat, 'output_format');
  return undefined;
}

function decodeJsonOutputFormat(value: unknown, param: string): ResponseFormat {
  if (!isRecord(value)) throw invalidRequest(`${param}: must be an object`, param);
  if (value.type !== 'json_schema') throw invalidRequest(`${param}.type: must be 'json_schema'`, `${param}.type`);
  if (!isRecord(value.schema)) throw invalidRequest(`${param}.schema: Field required`, `${param}.schema`);
  return { type: 'json_schema', schema: value.schema };
}

/**
 * The top-level `cache_control` puts a breakpoint on the last cacheable block
 * of the request. Doing that here keeps the meaning for every upstream.
 * Thinking blocks are not cacheable and are skipped, like the API does; a
 * tool_use block as the last cacheable block cannot carry the marker in the
 * IR: refused.
 */
function applyAutomaticCacheControl(request: ChatRequest, cacheControl: CacheControl): void {
  for (let messageIndex = request.messages.length - 1; messageIndex >= 0; messageIndex -= 1) {
    const message = request.messages[messageIndex];
    const parts = message.content as Array<{ type?: string; cacheControl?: CacheControl }>;
    for (let partIndex = parts.length - 1; partIndex >= 0; partIndex -= 1) {
      const part = parts[partIndex];
      if (part.type === 'reasoning') continue;
      if (part.type === 'tool-call') throw unsupported('cache_control on a tool_use block', 'cache_control');
      if (!part.cacheControl) part.cacheControl = cacheControl;
      return;
    }
  }
  const lastSystem = request.system[request.system.length - 1];
  if (lastSystem) {
    lastSystem.cacheControl ??= cacheControl;
    return;
  }
  const lastTool = request.tools?.[request.tools.length - 1];
  if (lastTool) lastTool.cacheControl ??= cacheControl;
}
