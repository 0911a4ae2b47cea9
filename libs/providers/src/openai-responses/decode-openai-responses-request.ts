import {
  ChatRequest,
  ClientRequestContext,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  SystemPart,
  ToolChoice,
  ToolDefinition,
  invalidRequest,
  unsupported,
} from '../ir';
import { decodeResponsesInput } from './decode-openai-responses-input';
import {
  JsonObject,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalPositiveInteger,
  optionalString,
  requireObject,
  requireOneOf,
  requireString,
} from './read-openai-responses-fields';

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
const SUMMARIES = ['auto', 'concise', 'detailed'] as const;

/**
 * Fields that need OpenAI's server-side state or features the IR has no
 * place for: refused with a 400 naming the field. (A same-protocol relay
 * could forward them verbatim; a translated request cannot honour them.)
 */
const REFUSED_FIELDS: Array<[field: string, feature: string]> = [
  ['previous_response_id', 'previous_response_id (conversation state stored by OpenAI; send the whole conversation in input)'],
  ['conversation', 'conversation (conversation state stored by OpenAI; send the whole conversation in input)'],
  ['prompt', 'prompt (prompt templates stored by OpenAI)'],
  ['max_tool_calls', 'max_tool_calls'],
  ['context_management', 'context_management'],
  ['moderation', 'moderation'],
];

/**
 * A client's POST /v1/responses body → ChatRequest.
 *
 * Accepted and ignored, as they do not change what the model writes:
 * `service_tier` (latency / price class), `truncation` (only acts when the
 * input overflows the context window; a translated request then fails with
 * the upstream's context error instead of being silently cut),
 * `stream_options` (obfuscation padding), `prompt_cache_retention` and
 * `prompt_cache_options` (cache lifetime), `include` values other than
 * logprobs (reasoning.encrypted_content is always passed on when the upstream
 * gives it; the others belong to built-in tools, which are refused),
 * `background: false`, `top_logprobs: 0`, and unknown top-level fields.
 */
export function decodeOpenAiResponsesRequest(body: unknown, context: ClientRequestContext = {}): ChatRequest {
  const request = requireObject(body, 'body');
  for (const [field, feature] of REFUSED_FIELDS) if (request[field] != null) throw unsupported(feature, field);
  if (request.background === true) throw unsupported('background (responses run and stored by OpenAI)', 'background');
  if (typeof request.top_logprobs === 'number' && request.top_logprobs > 0) throw unsupported('top_logprobs', 'top_logprobs');

  const model = context.model ?? requireString(request.model, 'model');
  if (!model) throw invalidRequest("Invalid 'model': empty string.", 'model');
  if (request.input === undefined || request.input === null) throw invalidRequest("Missing required parameter: 'input'.", 'input');

  const input = decodeResponsesInput(request.input);
  const instructions = optionalString(request.instructions, 'instructions');
  const system: SystemPart[] = [...(instructions ? [{ text: instructions }] : []), ...input.system];
  const chat: ChatRequest = { model, system, messages: input.messages, stream: context.stream ?? optionalBoolean(request.stream, 'stream') ?? false };

  const tools = decodeTools(request.tools);
  if (tools) chat.tools = tools;
  const toolChoice = decodeToolChoice(request.tool_choice);
  if (toolChoice) chat.toolChoice = toolChoice;
  assign(chat, 'parallelToolCalls', optionalBoolean(request.parallel_tool_calls, 'parallel_tool_calls'));
  const responseFormat = decodeText(request.text);
  if (responseFormat) chat.responseFormat = responseFormat;
  assign(chat, 'maxOutputTokens', optionalPositiveInteger(request.max_output_tokens, 'max_output_tokens'));
  assign(chat, 'temperature', optionalNumber(request.temperature, 'temperature', { min: 0, max: 2 }));
  assign(chat, 'topP', optionalNumber(request.top_p, 'top_p', { min: 0, max: 1 }));
  const reasoning = decodeReasoning(request.reasoning);
  if (reasoning) chat.reasoning = reasoning;
  assign(chat, 'user', decodeUser(request));
  assign(chat, 'promptCacheKey', optionalString(request.prompt_cache_key, 'prompt_cache_key'));
  assign(chat, 'store', optionalBoolean(request.store, 'store'));
  const metadata = decodeMetadata(request.metadata);
  if (metadata) chat.metadata = metadata;
  decodeInclude(request.include);
  return chat;
}

function assign<K extends keyof ChatRequest>(request: ChatRequest, key: K, value: ChatRequest[K] | undefined): void {
  if (value !== undefined) request[key] = value;
}

function decodeTools(value: unknown): ToolDefinition[] | undefined {
  const tools = optionalArray(value, 'tools');
  if (!tools?.length) return undefined;
  return tools.map((raw, index) => {
    const param = `tools[${index}]`;
    const tool = requireObject(raw, param);
    if (tool.type !== 'function') {
      if (typeof tool.type !== 'string') throw invalidRequest(`Missing required parameter: '${param}.type'.`, `${param}.type`);
      throw unsupported(`The built-in '${tool.type}' tool`, `${param}.type`);
    }
    if (tool.output_schema != null) throw unsupported('function output_schema (programmatic tool calling)', `${param}.output_schema`);
    if (tool.allowed_callers != null) throw unsupported('function allowed_callers (programmatic tool calling)', `${param}.allowed_callers`);
    if (tool.defer_loading === true) throw unsupported('function defer_loading (tool search)', `${param}.defer_loading`);
    const definition: ToolDefinition = {
      name: requireString(tool.name, `${param}.name`),
      parameters: tool.parameters == null ? { type: 'object', properties: {} } : requireObject(tool.parameters, `${param}.parameters`),
    };
    const description = optionalString(tool.description, `${param}.description`);
    if (description !== undefined) definition.description = description;
    const strict = optionalBoolean(tool.strict, `${param}.strict`);
    if (strict !== undefined) definition.strict = strict;
    return definition;
  });
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { type: requireOneOf(value, ['auto', 'none', 'required'] as const, 'tool_choice') };
  const choice = requireObject(value, 'tool_choice');
  if (choice.type === 'function') return { type: 'tool', name: requireString(choice.name, 'tool_choice.name') };
  if (choice.type === 'allowed_tools') throw unsupported('tool_choice allowed_tools', 'tool_choice');
  throw unsupported(`tool_choice of type '${String(choice.type)}'`, 'tool_choice.type');
}

function decodeText(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const text = requireObject(value, 'text');
  if (text.verbosity != null && text.verbosity !== 'medium') {
    // The IR has no verbosity; low / high change the answer's length.
    requireOneOf(text.verbosity, ['low', 'medium', 'high'] as const, 'text.verbosity');
    throw unsupported(`text.verbosity '${String(text.verbosity)}'`, 'text.verbosity');
  }
  if (text.format === undefined || text.format === null) return undefined;
  const format = requireObject(text.format, 'text.format');
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const schema: ResponseFormat = {
        type: 'json_schema',
        name: requireString(format.name, 'text.format.name'),
        schema: requireObject(format.schema, 'text.format.schema'),
      };
      const description = optionalString(format.description, 'text.format.description');
      if (description !== undefined) schema.description = description;
      const strict = optionalBoolean(format.strict, 'text.format.strict');
      if (strict !== undefined) schema.strict = strict;
      return schema;
    }
    default:
      throw invalidRequest("Invalid value for 'text.format.type': expected 'text', 'json_object' or 'json_schema'.", 'text.format.type');
  }
}

function decodeReasoning(value: unknown): ReasoningConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const reasoning = requireObject(value, 'reasoning');
  if (reasoning.mode != null && reasoning.mode !== 'standard') throw unsupported(`reasoning.mode '${String(reasoning.mode)}'`, 'reasoning.mode');
  if (reasoning.context != null && reasoning.context !== 'auto') throw unsupported(`reasoning.context '${String(reasoning.context)}'`, 'reasoning.context');
  const config: ReasoningConfig = {};
  if (reasoning.effort != null) {
    config.effort = requireOneOf(reasoning.effort, EFFORTS, 'reasoning.effort');
    if (config.effort === 'none') config.enabled = false;
  }
  const summaryField = reasoning.summary != null ? 'summary' : 'generate_summary';
  const summary = reasoning[summaryField];
  if (summary != null) {
    config.summary = requireOneOf(summary, SUMMARIES, `reasoning.${summaryField}`);
    config.includeThoughts = true;
  }
  return Object.keys(config).length ? config : undefined;
}

/** `user` is deprecated in favour of `safety_identifier`; the IR has one end-user field for both. */
function decodeUser(request: JsonObject): string | undefined {
  const user = optionalString(request.user, 'user');
  const safetyIdentifier = optionalString(request.safety_identifier, 'safety_identifier');
  if (user !== undefined && safetyIdentifier !== undefined && user !== safetyIdentifier) {
    throw unsupported('user together with a different safety_identifier', 'user');
  }
  return safetyIdentifier ?? user;
}

function decodeMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const metadata = requireObject(value, 'metadata');
  for (const [key, entry] of Object.entries(metadata)) {
    if (typeof entry !== 'string') throw invalidRequest(`Invalid type for 'metadata.${key}': expected a string.`, `metadata.${key}`);
  }
  return Object.keys(metadata).length ? (metadata as Record<string, string>) : undefined;
}

function decodeInclude(value: unknown): void {
  const include = optionalArray(value, 'include') ?? [];
  include.forEach((entry, index) => {
    if (typeof entry !== 'string') throw invalidRequest(`Invalid type for 'include[${index}]': expected a string.`, `include[${index}]`);
    if (entry === 'message.output_text.logprobs') throw unsupported('include message.output_text.logprobs (logprobs)', `include[${index}]`);
  });
}
