import {
  CacheControl,
  ChatRequest,
  ClientRequestContext,
  ReasoningConfig,
  ReasoningEffort,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
  invalidRequest,
  unsupported,
} from '../ir';
import { decodeMessages, decodeSystem } from './decode-anthropic-messages';
import { isRecord, readArray, readInteger, readOptionalBoolean, readOptionalNumber, readString, readStringArray, withCache } from './read-anthropic-fields.util';
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
