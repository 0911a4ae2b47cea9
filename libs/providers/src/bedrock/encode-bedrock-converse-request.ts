import {
  AssistantMessage,
  CacheControl,
  ChatMessage,
  ChatRequest,
  FilePart,
  ImagePart,
  ReasoningConfig,
  ResponseFormat,
  SystemPart,
  TextPart,
  ToolChoice,
  ToolResultPart,
  UpstreamRequest,
  UserPart,
  invalidRequest,
  unsupported,
} from '../ir';
import { parseToolArguments } from '../anthropic/parse-tool-arguments';
import { parseDataUrl } from '../shared/media';
import { pushTurn } from '../shared/push-turn';
import { bedrockConversePath } from './bedrock-api';
import {
  BedrockCachePoint,
  BedrockContentBlock,
  BedrockConverseRequest,
  BedrockDocumentBlock,
  BedrockDocumentFormat,
  BedrockImageBlock,
  BedrockImageFormat,
  BedrockMessage,
  BedrockOutputConfig,
  BedrockSystemBlock,
  BedrockTool,
  BedrockToolChoice,
  BedrockToolResultContent,
} from './bedrock-converse.types';

const IMAGE_FORMATS: Record<string, BedrockImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

const DOCUMENT_FORMATS: Record<string, BedrockDocumentFormat> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/csv': 'csv',
  'text/html': 'html',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/**
 * ChatRequest → Bedrock Converse body (the model id goes in the path).
 *
 * - system → `system` text blocks; a cacheControl marker on a part (system,
 *   message part, tool) becomes a `cachePoint` block right after it, the
 *   Converse form of Anthropic's cache_control.
 * - Tool messages become user turns of toolResult blocks; consecutive
 *   same-role turns are merged (Converse wants user and assistant to
 *   alternate), tool results first in their turn.
 * - Images and documents travel inline (base64 bytes): Converse reads media
 *   by URL only from S3, so an http(s) URL is refused with a 400.
 * - Reasoning goes back only as Bedrock issued it (signed or redacted, no
 *   other provider family's); unsigned or foreign reasoning is dropped from
 *   the history, as the Anthropic encoder does.
 * - json_schema → outputConfig.textFormat (structured output); a strict
 *   tool → toolSpec.strict.
 *
 * Refused (no Converse field; per-model knobs belong in the channel's
 * param_overrides, e.g. additionalModelRequestFields): a mid-conversation
 * system message, n > 1, seed, presence/frequency penalties, top_k,
 * parallel_tool_calls false, tool_choice none with tool calls in the
 * history, reasoning settings, json_object. Ignored, as they do not change
 * the answer: user, metadata, store, promptCacheKey, streamUsage (Converse
 * always reports usage), image detail.
 */
export function encodeBedrockConverseRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest {
  refuseUnsupportedFields(request);
  const body: BedrockConverseRequest = { messages: encodeMessages(request.messages) };

  const system = encodeSystem(request.system);
  if (system.length > 0) body.system = system;

  const inferenceConfig: NonNullable<BedrockConverseRequest['inferenceConfig']> = {};
  if (request.maxOutputTokens !== undefined) inferenceConfig.maxTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) inferenceConfig.temperature = request.temperature;
  if (request.topP !== undefined) inferenceConfig.topP = request.topP;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) inferenceConfig.stopSequences = [...request.stopSequences];
  if (Object.keys(inferenceConfig).length > 0) body.inferenceConfig = inferenceConfig;

  const toolConfig = encodeToolConfig(request, body.messages);
  if (toolConfig) body.toolConfig = toolConfig;

  const outputConfig = encodeResponseFormat(request.responseFormat);
  if (outputConfig) body.outputConfig = outputConfig;

  return { path: bedrockConversePath(upstreamModel, request.stream), body };
}

function refuseUnsupportedFields(request: ChatRequest): void {
  if (request.n !== undefined && request.n !== 1) throw unsupported('n > 1 (several choices)', 'n');
  if (request.seed !== undefined) throw unsupported('seed', 'seed');
  if (request.presencePenalty !== undefined) throw unsupported('presence_penalty', 'presencePenalty');
  if (request.frequencyPenalty !== undefined) throw unsupported('frequency_penalty', 'frequencyPenalty');
  if (request.topK !== undefined) throw unsupported('top_k (Bedrock Converse has no common field for it)', 'topK');
  if (request.parallelToolCalls === false && (request.tools?.length ?? 0) > 0 && request.toolChoice?.type !== 'none') {
    throw unsupported('parallel_tool_calls false (Bedrock Converse cannot limit a turn to one call)', 'parallelToolCalls');
  }
  if (wantsReasoning(request.reasoning)) {
    throw unsupported('reasoning settings for a Bedrock Converse model (set them per channel in param_overrides.additionalModelRequestFields)', 'reasoning');
  }
}

/** Reasoning switched on or sized; "off" (enabled false, effort none) is every Converse model's default and needs nothing. */
function wantsReasoning(reasoning: ReasoningConfig | undefined): boolean {
  if (!reasoning || reasoning.enabled === false) return false;
  return reasoning.enabled === true || (reasoning.effort !== undefined && reasoning.effort !== 'none') || (reasoning.budgetTokens ?? 0) > 0;
}

function cachePoint(cacheControl: CacheControl): BedrockCachePoint {
  return cacheControl.ttl ? { type: 'default', ttl: cacheControl.ttl } : { type: 'default' };
}

function encodeSystem(parts: SystemPart[]): BedrockSystemBlock[] {
  const blocks: BedrockSystemBlock[] = [];
  for (const part of parts) {
    if (part.text !== '') blocks.push({ text: part.text });
    if (part.cacheControl) blocks.push({ cachePoint: cachePoint(part.cacheControl) });
  }
  return blocks;
}

/** Converse refuses blank text blocks: an empty text part carries only its cache marker, if any. */
function pushText(blocks: BedrockContentBlock[], part: TextPart): void {
  if (part.text !== '') blocks.push({ text: part.text });
  if (part.cacheControl) blocks.push({ cachePoint: cachePoint(part.cacheControl) });
}

function encodeMessages(messages: ChatMessage[]): BedrockMessage[] {
  const turns: BedrockMessage[] = [];
  const push = (role: BedrockMessage['role'], blocks: BedrockContentBlock[]): void =>
    pushTurn(turns, role, blocks, (block) => block.toolResult !== undefined);

  messages.forEach((message, messageIndex) => {
    const param = `messages[${messageIndex}]`;
    switch (message.role) {
      case 'system':
        throw unsupported('a system message in the middle of the conversation (Bedrock Converse takes system text only before it)', param);
      case 'user':
        push('user', encodeUserParts(message.content, `${param}.content`));
        return;
      case 'tool':
        push(
          'user',
          message.content.map((part, partIndex) => encodeToolResult(part, `${param}.content[${partIndex}]`)),
        );
        return;
      case 'assistant':
        push('assistant', encodeAssistantParts(message, param));
        return;
    }
  });
  return turns;
}

function encodeUserParts(parts: UserPart[], param: string): BedrockContentBlock[] {
  const blocks: BedrockContentBlock[] = [];
  parts.forEach((part, index) => {
    const partParam = `${param}[${index}]`;
    if (part.type === 'text') pushText(blocks, part);
    else {
      blocks.push(encodeMedia(part, partParam, index));
      if (part.cacheControl) blocks.push({ cachePoint: cachePoint(part.cacheControl) });
    }
  });
  return blocks;
}

function encodeAssistantParts(message: AssistantMessage, param: string): BedrockContentBlock[] {
  const blocks: BedrockContentBlock[] = [];
  message.content.forEach((part, index) => {
    const partParam = `${param}.content[${index}]`;
    switch (part.type) {
      case 'text':
        pushText(blocks, part);
        return;
      case 'reasoning':
        if (part.provider !== undefined) return;
        if (part.redactedData !== undefined) blocks.push({ reasoningContent: { redactedContent: part.redactedData } });
        else if (part.signature !== undefined && part.signature !== '') {
          blocks.push({ reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } });
        }
        return;
      case 'tool-call': {
        const input = parseToolArguments(part.arguments);
        if (!input) throw invalidRequest(`${partParam}.arguments: tool-call arguments must be a JSON object`, `${partParam}.arguments`);
        if (part.id === '') throw invalidRequest(`${partParam}.id: a tool call needs an id`, `${partParam}.id`);
        blocks.push({ toolUse: { toolUseId: toBedrockToolUseId(part.id), name: part.name, input } });
        return;
      }
    }
  });
  return blocks;
}

/** Converse toolUseId must match [a-zA-Z0-9_-]+; other providers' ids are mapped the same way on both sides. */
function toBedrockToolUseId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

function encodeToolResult(part: ToolResultPart, param: string): BedrockContentBlock {
  const content: BedrockToolResultContent[] = [];
  part.content.forEach((inner, index) => {
    const innerParam = `${param}.content[${index}]`;
    if (inner.type === 'text') {
      if (inner.text !== '') content.push({ text: inner.text });
    } else {
      const media = encodeMedia(inner, innerParam, index);
      content.push(media.image ? { image: media.image } : { document: media.document! });
    }
  });
  const block: BedrockContentBlock = {
    toolResult: { toolUseId: toBedrockToolUseId(part.toolCallId), content, ...(part.isError ? { status: 'error' as const } : {}) },
  };
  return block;
}

/** Inline bytes of an image or file part; Converse cannot fetch an http(s) URL. */
function inlineData(part: ImagePart | FilePart, param: string): { mediaType: string; data: string } {
  const source = part.source;
  if (source.type === 'base64') return { mediaType: source.mediaType.toLowerCase(), data: source.data };
  const parsed = parseDataUrl(source.url);
  if (parsed) return parsed;
  const what = part.type === 'image' ? 'image' : 'file';
  throw invalidRequest(
    `${param}: Bedrock needs inline ${what} data (base64 or a data: URL); it cannot fetch ${what}s by URL`,
    `${param}.source`,
  );
}

function encodeMedia(part: ImagePart | FilePart, param: string, index: number): { image?: BedrockImageBlock; document?: BedrockDocumentBlock } {
  const { mediaType, data } = inlineData(part, param);
  const type = part.type === 'file' ? part.mediaType.toLowerCase() : mediaType;
  const imageFormat = IMAGE_FORMATS[type];
  if (imageFormat) return { image: { format: imageFormat, source: { bytes: data } } };
  if (part.type === 'image') throw unsupported(`image media type ${type}`, `${param}.source`);
  const documentFormat = DOCUMENT_FORMATS[type];
  if (!documentFormat) throw unsupported(`file of type ${part.mediaType}`, `${param}.source`);
  return { document: { format: documentFormat, name: documentName(part.filename, index), source: { bytes: data } } };
}

/**
 * Converse document names allow letters, digits, single spaces, hyphens,
 * parentheses and square brackets only; the extension is the `format`.
 */
function documentName(filename: string | undefined, index: number): string {
  const base = (filename ?? '').replace(/\.[A-Za-z0-9]+$/, '');
  const name = base
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  return name === '' ? `document-${index + 1}` : name;
}

function encodeToolConfig(request: ChatRequest, messages: BedrockMessage[]): BedrockConverseRequest['toolConfig'] {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (choice?.type === 'none') {
    // Converse has no "none": without the tools the model cannot call one, but a history with tool blocks needs them.
    const history = messages.some((message) => message.content.some((block) => block.toolUse || block.toolResult));
    if (history && tools.length > 0) throw unsupported('tool_choice none with tool calls in the history', 'toolChoice');
    return undefined;
  }
  if (tools.length === 0) {
    if (choice?.type === 'required' || choice?.type === 'tool') throw invalidRequest('toolChoice: forcing a tool call needs tools', 'toolChoice');
    return undefined;
  }
  const encoded: BedrockTool[] = [];
  for (const tool of tools) {
    // A function declared without parameters still needs an object schema.
    const schema = Object.keys(tool.parameters ?? {}).length === 0 ? { type: 'object', properties: {} } : tool.parameters;
    encoded.push({
      toolSpec: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        inputSchema: { json: schema },
        // Schema-checked calls on request; false is the default and is not sent (not every model knows the field).
        ...(tool.strict ? { strict: true } : {}),
      },
    });
    if (tool.cacheControl) encoded.push({ cachePoint: cachePoint(tool.cacheControl) });
  }
  const toolChoice = encodeToolChoice(choice);
  return toolChoice ? { tools: encoded, toolChoice } : { tools: encoded };
}

function encodeToolChoice(choice: ToolChoice | undefined): BedrockToolChoice | undefined {
  switch (choice?.type) {
    case 'auto':
      return { auto: {} };
    case 'required':
      return { any: {} };
    case 'tool':
      return { tool: { name: choice.name } };
    default:
      return undefined;
  }
}

function encodeResponseFormat(format: ResponseFormat | undefined): BedrockOutputConfig | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') throw unsupported('response_format json_object', 'responseFormat');
  const jsonSchema: BedrockOutputConfig['textFormat']['structure']['jsonSchema'] = { schema: JSON.stringify(format.schema) };
  if (format.name !== undefined) jsonSchema.name = format.name;
  if (format.description !== undefined) jsonSchema.description = format.description;
  return { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
}
