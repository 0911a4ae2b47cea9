import { ChatRequest, ReasoningConfig, ResponseFormat, ToolChoice, ToolDefinition, UpstreamRequest, unsupported } from '../ir';
import { responsesPath } from './openai-responses-api';
import { encodeResponsesInput } from './encode-openai-responses-input';
import { ResponsesFunctionTool, ResponsesReasoningParam, ResponsesRequest, ResponsesTextFormat, ResponsesToolChoice } from './openai-responses.types';

/**
 * ChatRequest → POST {base}/responses body. What Responses cannot honour is
 * refused, never dropped: stop sequences, seed, top_k, penalties, n > 1 and
 * a reasoning token budget (Responses only takes an effort level; turning a
 * budget into a level would be a guess).
 */
export function encodeOpenAiResponsesRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest {
  refuseUntranslatable(request);
  const { instructions, input } = encodeResponsesInput(request.system, request.messages, request.store);
  const body: ResponsesRequest = { model: upstreamModel, input };
  if (instructions !== undefined) body.instructions = instructions;
  if (request.tools?.length) body.tools = request.tools.map(encodeTool);
  if (request.toolChoice) body.tool_choice = encodeToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat) body.text = { format: encodeFormat(request.responseFormat) };
  if (request.maxOutputTokens !== undefined) body.max_output_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  const reasoning = request.reasoning && encodeReasoning(request.reasoning);
  if (reasoning) body.reasoning = reasoning;
  // safety_identifier replaces the deprecated `user` for abuse tracking.
  if (request.user !== undefined) body.safety_identifier = request.user;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  if (request.metadata && Object.keys(request.metadata).length) body.metadata = request.metadata;
  if (request.store !== undefined) body.store = request.store;
  // Without stored state, reasoning survives to the next turn only as encrypted_content.
  if (request.store === false && reasoning && reasoning.effort !== 'none') body.include = ['reasoning.encrypted_content'];
  if (request.stream) body.stream = true;
  return { path: responsesPath(), body };
}

function refuseUntranslatable(request: ChatRequest): void {
  if (request.stopSequences?.length) throw unsupported('Stop sequences', 'stop');
  if (request.seed !== undefined) throw unsupported('seed', 'seed');
  if (request.topK !== undefined) throw unsupported('top_k', 'top_k');
  if (request.presencePenalty !== undefined) throw unsupported('presence_penalty', 'presence_penalty');
  if (request.frequencyPenalty !== undefined) throw unsupported('frequency_penalty', 'frequency_penalty');
  if (request.n !== undefined && request.n > 1) throw unsupported('n > 1 (several choices)', 'n');
  if (request.reasoning?.budgetTokens !== undefined) throw unsupported('A reasoning token budget (OpenAI takes an effort level)', 'reasoning.budget_tokens');
}

/** strict defaults to false: an omitted `strict` would let Responses switch the schema to strict mode. */
function encodeTool(tool: ToolDefinition): ResponsesFunctionTool {
  const encoded: ResponsesFunctionTool = { type: 'function', name: tool.name };
  if (tool.description !== undefined) encoded.description = tool.description;
  encoded.parameters = tool.parameters;
  encoded.strict = tool.strict ?? false;
  return encoded;
}

function encodeToolChoice(choice: ToolChoice): ResponsesToolChoice {
  return choice.type === 'tool' ? { type: 'function', name: choice.name } : choice.type;
}

function encodeFormat(format: ResponseFormat): ResponsesTextFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  // Responses requires a schema name; Gemini-style requests have none.
  const encoded: ResponsesTextFormat = { type: 'json_schema', name: format.name ?? 'response', schema: format.schema };
  if (format.description !== undefined) encoded.description = format.description;
  if (format.strict !== undefined) encoded.strict = format.strict;
  return encoded;
}

function encodeReasoning(config: ReasoningConfig): ResponsesReasoningParam | undefined {
  const reasoning: ResponsesReasoningParam = {};
  if (config.enabled === false) reasoning.effort = 'none';
  else if (config.effort) reasoning.effort = config.effort;
  const summary = config.summary ?? (config.includeThoughts ? 'auto' : undefined);
  if (summary && reasoning.effort !== 'none') reasoning.summary = summary;
  return Object.keys(reasoning).length ? reasoning : undefined;
}
