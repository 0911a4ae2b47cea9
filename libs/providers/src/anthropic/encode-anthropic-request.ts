import {
  AssistantMessage,
  ChatMessage,
  ChatRequest,
  FilePart,
  ImagePart,
  ReasoningConfig,
  ResponseFormat,
  SystemPart,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UpstreamRequest,
  UserPart,
  invalidRequest,
  unsupported,
} from '../ir';
import { anthropicMessagesPath } from './anthropic-api';
import { encodeCacheControl } from './anthropic-cache-control';
import {
  AnthropicCreateMessageRequest,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessageParam,
  AnthropicOutputConfig,
  AnthropicRequestContentBlock,
  AnthropicTextBlock,
  AnthropicThinkingConfig,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
  AnthropicToolResultContentBlock,
} from './anthropic.types';
import { parseToolArguments, toAnthropicToolId } from './parse-tool-arguments';
import { Turn, pushTurn } from '../shared/push-turn';

/**
 * max_tokens is required by Anthropic; the IR may have none (OpenAI and
 * Gemini clients may omit it). 4096 is the largest output every current
 * Claude model accepts, so it never fails on an older model; with a thinking
 * budget the default is budget + 4096, because max_tokens must exceed
 * budget_tokens. A client that needs longer answers sets its own limit.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** Base64 image media types the API accepts. */
const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/**
 * ChatRequest → Anthropic Messages upstream body.
 *
 * - Tool messages become user turns of tool_result blocks; consecutive
 *   same-role turns are merged (the API wants alternation and merges them
 *   itself anyway), tool results staying first in their turn.
 * - Mid-conversation system messages are sent in place as `role: "system"`
 *   messages. The API accepts that on some models and answers a clear 400
 *   ("role 'system' is not supported on this model") on others — both seen
 *   in the captures (anthropicMessageWithSystemMessage answered,
 *   anthropicMidConversationSystemMessage refused) — so the upstream decides
 *   and nothing is silently moved or dropped.
 * - Reasoning parts go back only when Anthropic issued them (signature or
 *   redacted data with provider 'anthropic'). Other families' reasoning is
 *   dropped from the history, text included: Anthropic rejects unsigned
 *   thinking blocks, and presenting another model's thoughts as assistant
 *   text would change what the model believes it said (the API discards
 *   earlier turns' thinking anyway).
 * - Ignored IR fields (no effect on the answer, or OpenAI-only by contract):
 *   store, metadata, promptCacheKey, streamUsage (Anthropic always streams
 *   usage), image `detail` (a resolution hint Anthropic has no equivalent
 *   for), json_schema `name` and `strict` (Anthropic structured output is
 *   always enforced).
 */
export function encodeAnthropicRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest {
  refuseUnsupportedFields(request);

  const { thinking, effort } = encodeReasoning(request.reasoning);
  const budget = thinking?.type === 'enabled' ? thinking.budget_tokens : undefined;
  const body: AnthropicCreateMessageRequest = {
    model: upstreamModel,
    max_tokens: request.maxOutputTokens ?? (budget !== undefined ? budget + DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS),
    messages: encodeMessages(request.messages),
  };

  const system = encodeSystem(request.system);
  if (system !== undefined) body.system = system;

  const hasTools = (request.tools?.length ?? 0) > 0;
  if (hasTools) body.tools = request.tools!.map(encodeTool);
  const toolChoice = encodeToolChoice(request.toolChoice, request.parallelToolCalls, hasTools);
  if (toolChoice) body.tool_choice = toolChoice;

  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) body.stop_sequences = [...request.stopSequences];
  if (request.user !== undefined) body.metadata = { user_id: request.user };

  if (thinking) body.thinking = thinking;
  const outputConfig: AnthropicOutputConfig = {};
  if (effort) outputConfig.effort = effort;
  const format = encodeResponseFormat(request.responseFormat);
  if (format) outputConfig.format = format;
  if (Object.keys(outputConfig).length > 0) body.output_config = outputConfig;

  if (request.stream) body.stream = true;
  return { path: anthropicMessagesPath(), body };
}

function refuseUnsupportedFields(request: ChatRequest): void {
  if (request.n !== undefined && request.n !== 1) throw unsupported('n > 1 (several choices)', 'n');
  if (request.seed !== undefined) throw unsupported('seed', 'seed');
  if (request.presencePenalty !== undefined) throw unsupported('presence_penalty', 'presencePenalty');
  if (request.frequencyPenalty !== undefined) throw unsupported('frequency_penalty', 'frequencyPenalty');
  // Anthropic's range is 0..1; scaling OpenAI's 0..2 would be a silent change of meaning.
  if (request.temperature !== undefined && (request.temperature < 0 || request.temperature > 1)) {
    throw unsupported('temperature outside 0..1', 'temperature');
  }
  if (request.topP !== undefined && (request.topP < 0 || request.topP > 1)) throw invalidRequest('topP must be within 0..1', 'topP');
}

function encodeSystem(parts: SystemPart[]): AnthropicCreateMessageRequest['system'] {
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && !parts[0].cacheControl) return parts[0].text;
  return parts.map((part) => textBlock(part.text, part));
}

function textBlock(text: string, source: { cacheControl?: TextPart['cacheControl'] }): AnthropicTextBlock {
  const block: AnthropicTextBlock = { type: 'text', text };
  if (source.cacheControl) block.cache_control = encodeCacheControl(source.cacheControl);
  return block;
}

/** The API rejects empty text blocks; an empty text part carries nothing unless it holds a cache marker. */
function keepText(part: TextPart): boolean {
  return part.text !== '' || part.cacheControl !== undefined;
}

function encodeMessages(messages: ChatMessage[]): AnthropicMessageParam[] {
  const turns: Turn<AnthropicMessageParam['role'], AnthropicRequestContentBlock>[] = [];
  const push = (role: AnthropicMessageParam['role'], blocks: AnthropicRequestContentBlock[]): void =>
    pushTurn(turns, role, blocks, (block) => block.type === 'tool_result');

  messages.forEach((message, messageIndex) => {
    const param = `messages[${messageIndex}]`;
    switch (message.role) {
      case 'system':
        push(
          'system',
          message.content.filter((part) => part.text !== '' || part.cacheControl).map((part) => textBlock(part.text, part)),
        );
        return;
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

  return turns.map(({ role, content }) => {
    const only = content[0];
    if (role !== 'assistant' && content.length === 1 && only.type === 'text' && !only.cache_control) {
      return { role, content: only.text };
    }
    return { role, content };
  });
}

function encodeUserParts(parts: UserPart[], param: string): AnthropicRequestContentBlock[] {
  const blocks: AnthropicRequestContentBlock[] = [];
  parts.forEach((part, index) => {
    const partParam = `${param}[${index}]`;
    if (part.type === 'text') {
      if (keepText(part)) blocks.push(textBlock(part.text, part));
    } else if (part.type === 'image') blocks.push(encodeImage(part, partParam));
    else blocks.push(encodeFile(part, partParam));
  });
  return blocks;
}

function encodeAssistantParts(message: AssistantMessage, param: string): AnthropicRequestContentBlock[] {
  const blocks: AnthropicRequestContentBlock[] = [];
  message.content.forEach((part, index) => {
    const partParam = `${param}.content[${index}]`;
    switch (part.type) {
      case 'text':
        if (keepText(part)) blocks.push(textBlock(part.text, part));
        return;
      case 'reasoning':
        if (part.provider !== 'anthropic') return;
        if (part.redactedData !== undefined) blocks.push({ type: 'redacted_thinking', data: part.redactedData });
        else if (part.signature !== undefined && part.signature !== '') {
          blocks.push({ type: 'thinking', thinking: part.text, signature: part.signature });
        }
        return;
      case 'tool-call': {
        const input = parseToolArguments(part.arguments);
        if (!input) throw invalidRequest(`${partParam}.arguments: tool-call arguments must be a JSON object`, `${partParam}.arguments`);
        if (part.id === '') throw invalidRequest(`${partParam}.id: a tool call needs an id`, `${partParam}.id`);
        blocks.push({ type: 'tool_use', id: toAnthropicToolId(part.id), name: part.name, input });
        return;
      }
    }
  });
  return blocks;
}

function encodeToolResult(part: ToolResultPart, param: string): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: toAnthropicToolId(part.toolCallId) };
  const only = part.content[0];
  if (part.content.length === 1 && only.type === 'text' && !only.cacheControl) {
    block.content = only.text;
  } else if (part.content.length > 0) {
    const content: AnthropicToolResultContentBlock[] = [];
    part.content.forEach((inner, index) => {
      const innerParam = `${param}.content[${index}]`;
      if (inner.type === 'text') {
        if (keepText(inner)) content.push(textBlock(inner.text, inner));
      } else if (inner.type === 'image') content.push(encodeImage(inner, innerParam));
      else content.push(encodeFile(inner, innerParam));
    });
    if (content.length > 0) block.content = content;
  }
  if (part.isError !== undefined) block.is_error = part.isError;
  if (part.cacheControl) block.cache_control = encodeCacheControl(part.cacheControl);
  return block;
}

/** `data:<type>;base64,<data>` → its parts (a URL the IR kept as-is). */
function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1], data: match[2] } : undefined;
}

function encodeImage(part: ImagePart | FilePart, param: string): AnthropicImageBlock {
  let block: AnthropicImageBlock;
  const source = part.source;
  const inline = source.type === 'base64' ? { mediaType: source.mediaType, data: source.data } : parseDataUrl(source.url);
  if (inline) {
    if (!IMAGE_MEDIA_TYPES.has(inline.mediaType)) throw unsupported(`image media type ${inline.mediaType}`, `${param}.source`);
    block = { type: 'image', source: { type: 'base64', media_type: inline.mediaType, data: inline.data } };
  } else if (source.type === 'url') {
    block = { type: 'image', source: { type: 'url', url: source.url } };
  } else {
    throw unsupported('this image source', `${param}.source`);
  }
  if (part.cacheControl) block.cache_control = encodeCacheControl(part.cacheControl);
  return block;
}

/**
 * Files: PDFs (base64 or URL) and plain text (base64 of UTF-8, sent back as
 * a text source) are documents; images are image blocks; anything else has
 * no Anthropic form.
 */
function encodeFile(part: FilePart, param: string): AnthropicImageBlock | AnthropicDocumentBlock {
  const mediaType = part.mediaType.toLowerCase();
  if (mediaType.startsWith('image/')) return encodeImage(part, param);
  const source = part.source;
  const inline = source.type === 'base64' ? { mediaType, data: source.data } : parseDataUrl(source.url);
  let block: AnthropicDocumentBlock;
  if (mediaType === 'application/pdf') {
    block = inline
      ? { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: inline.data } }
      : { type: 'document', source: { type: 'url', url: (source as { url: string }).url } };
  } else if (mediaType === 'text/plain' && inline) {
    block = {
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: Buffer.from(inline.data, 'base64').toString('utf8') },
    };
  } else {
    throw unsupported(`file of type ${part.mediaType}${source.type === 'url' ? ' by URL' : ''}`, `${param}.source`);
  }
  if (part.filename !== undefined) block.title = part.filename;
  if (part.cacheControl) block.cache_control = encodeCacheControl(part.cacheControl);
  return block;
}

function encodeTool(tool: ToolDefinition): AnthropicTool {
  // Anthropic requires an object schema; OpenAI allows a function without parameters.
  const schema = Object.keys(tool.parameters ?? {}).length === 0 ? { type: 'object', properties: {} } : tool.parameters;
  const encoded: AnthropicTool =
    tool.description !== undefined
      ? { name: tool.name, description: tool.description, input_schema: schema }
      : { name: tool.name, input_schema: schema };
  if (tool.cacheControl) encoded.cache_control = encodeCacheControl(tool.cacheControl);
  if (tool.strict !== undefined) encoded.strict = tool.strict;
  return encoded;
}

/**
 * Anthropic refuses tool_choice without tools. `auto` and `none` without
 * tools mean nothing and are left out; forcing a tool without tools is the
 * client's mistake.
 */
function encodeToolChoice(
  choice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
  hasTools: boolean,
): AnthropicToolChoice | undefined {
  if (!hasTools) {
    if (choice?.type === 'required' || choice?.type === 'tool') throw invalidRequest('toolChoice: forcing a tool call needs tools', 'toolChoice');
    return undefined;
  }
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallelToolCalls === false ? { type: 'auto', disable_parallel_tool_use: true } : undefined;
    case 'auto':
      return { type: 'auto', ...disableParallel };
    case 'required':
      return { type: 'any', ...disableParallel };
    case 'tool':
      return { type: 'tool', name: choice.name, ...disableParallel };
    case 'none':
      return { type: 'none' };
  }
}

/**
 * IR reasoning → thinking + output_config.effort.
 * enabled false or effort none → thinking disabled (a budget of 0, Gemini's
 * "off", too); a budget → enabled with budget_tokens; enabled without a
 * budget → adaptive (the model decides, steered by effort); effort alone
 * stays effort alone. `minimal` has no Anthropic level: refused, not raised
 * to low. includeThoughts → display summarized / omitted. OpenAI's summary
 * setting has no counterpart (Claude's returned thinking is already a
 * summary) and is ignored.
 */
function encodeReasoning(reasoning: ReasoningConfig | undefined): {
  thinking?: AnthropicThinkingConfig;
  effort?: AnthropicOutputConfig['effort'];
} {
  if (!reasoning) return {};
  if (reasoning.effort === 'minimal') throw unsupported('reasoning effort minimal', 'reasoning.effort');
  let thinking: AnthropicThinkingConfig | undefined;
  if (reasoning.enabled === false || reasoning.effort === 'none' || reasoning.budgetTokens === 0) {
    thinking = { type: 'disabled' };
  } else if (reasoning.budgetTokens !== undefined) {
    thinking = { type: 'enabled', budget_tokens: reasoning.budgetTokens };
  } else if (reasoning.enabled === true) {
    thinking = { type: 'adaptive' };
  }
  if (thinking && thinking.type !== 'disabled' && reasoning.includeThoughts !== undefined) {
    thinking.display = reasoning.includeThoughts ? 'summarized' : 'omitted';
  }
  const effort = reasoning.effort !== undefined && reasoning.effort !== 'none' ? reasoning.effort : undefined;
  return { thinking, effort };
}

/**
 * json_schema → output_config.format. A schema description from OpenAI's
 * response_format travels inside the schema (JSON Schema's own
 * `description`), the only place Anthropic has for it. json_object (valid
 * JSON of any shape) has no Anthropic mode.
 */
function encodeResponseFormat(format: ResponseFormat | undefined): AnthropicOutputConfig['format'] {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') throw unsupported('response_format json_object', 'responseFormat');
  let schema = format.schema;
  if (format.description !== undefined) {
    if (schema.description === undefined) schema = { ...schema, description: format.description };
    else if (schema.description !== format.description) {
      throw unsupported('a response_format description different from the schema description', 'responseFormat.description');
    }
  }
  return { type: 'json_schema', schema };
}
