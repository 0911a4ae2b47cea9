import {
  ChatRequest,
  ClientRequestContext,
  invalidRequest,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
  unsupported,
} from '../ir';
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
import { decodeCacheHints, decodeMessages } from './decode-openai-chat-messages';

const REASONING_EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];
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
