import {
  AssistantMessage,
  ChatRequest,
  FilePart,
  ImagePart,
  ReasoningConfig,
  ReasoningEffort,
  SystemPart,
  ToolDefinition,
  ToolMessage,
  UpstreamRequest,
  UserPart,
  invalidRequest,
  unsupported,
} from '../ir';
import { buildDataUrl } from '../shared/media';
import { COHERE_CHAT_PATH } from './cohere-api';
import {
  CohereAssistantMessage,
  CohereChatRequest,
  CohereImageContent,
  CohereMessage,
  CohereTextContent,
  CohereThinking,
  CohereThinkingContent,
  CohereToolMessage,
  CohereUserMessage,
} from './cohere.types';

/** Thinking budgets for an effort without a budget; high and above leave the model its full budget. */
const EFFORT_TO_BUDGET: Partial<Record<ReasoningEffort, number>> = { minimal: 512, low: 1024, medium: 8192 };

/**
 * ChatRequest → POST /v2/chat body (https://docs.cohere.com/reference/chat).
 *
 * Mapped: system parts and mid-conversation system messages stay `system`
 * messages in place; images become `image_url` parts (base64 as a data
 * URL); tool calls and results keep their ids (`tool_call_id`); a tool
 * result with several parts becomes text content items; topP → `p`, topK →
 * `k`; json_schema → `json_object` with `json_schema`; reasoning →
 * `thinking` (disabled for enabled:false / effort none / budget 0, a
 * `token_budget` from budgetTokens, or from a low effort, see
 * EFFORT_TO_BUDGET).
 *
 * Text an assistant wrote next to its tool calls goes back as `tool_plan`,
 * the field Cohere itself fills there (the decoder reads it as text), so a
 * tool round trip replays Cohere's own turn. Reasoning parts of no provider
 * family (Cohere's thinking, as decoded) go back as `thinking` content;
 * other families' reasoning is signed for them and is dropped.
 *
 * A named tool choice has no Cohere equivalent (only REQUIRED / NONE): the
 * request offers that tool alone with REQUIRED, which forces exactly that
 * call. `strict_tools` is one switch for all tools: set when every tool is
 * strict.
 *
 * Refused (`unsupported`): n > 1, files other than images (Cohere reads
 * documents through its RAG `documents`, not message content), images or
 * files in tool results.
 *
 * Documented drops (no Cohere field): parallelToolCalls, tool-result
 * isError, user, promptCacheKey, store, metadata, cacheControl,
 * reasoning.summary / includeThoughts (Cohere returns thinking whenever it
 * thinks), a json_schema's name, description and strict flag.
 */
export function encodeCohereRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest {
  if (request.n !== undefined && request.n > 1) throw unsupported('n > 1 (several choices)', 'n');

  const body: CohereChatRequest = { model: upstreamModel, messages: encodeMessages(request), stream: request.stream };
  encodeTools(request, body);

  const format = request.responseFormat;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  else if (format?.type === 'json_schema') body.response_format = { type: 'json_object', json_schema: format.schema };

  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.p = request.topP;
  if (request.topK !== undefined) body.k = request.topK;
  if (request.stopSequences && request.stopSequences.length > 0) body.stop_sequences = request.stopSequences;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  const thinking = encodeThinking(request.reasoning);
  if (thinking) body.thinking = thinking;
  return { path: COHERE_CHAT_PATH, body };
}

function encodeTools(request: ChatRequest, body: CohereChatRequest): void {
  let tools: ToolDefinition[] = request.tools ?? [];
  const choice = request.toolChoice;
  if (choice?.type === 'tool') {
    const named = tools.find((tool) => tool.name === choice.name);
    if (!named) throw invalidRequest(`tool_choice names the tool ${choice.name}, which is not among the tools`, 'tool_choice');
    tools = [named];
  }
  if (tools.length === 0) return;
  body.tools = tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.parameters,
    },
  }));
  if (tools.every((tool) => tool.strict === true)) body.strict_tools = true;
  if (choice?.type === 'none') body.tool_choice = 'NONE';
  else if (choice?.type === 'required' || choice?.type === 'tool') body.tool_choice = 'REQUIRED';
}

function encodeThinking(reasoning: ReasoningConfig | undefined): CohereThinking | undefined {
  if (!reasoning) return undefined;
  if (reasoning.enabled === false || reasoning.effort === 'none' || reasoning.budgetTokens === 0) return { type: 'disabled' };
  if (reasoning.budgetTokens !== undefined) return { type: 'enabled', token_budget: reasoning.budgetTokens };
  if (reasoning.effort !== undefined) {
    const budget = EFFORT_TO_BUDGET[reasoning.effort];
    return budget === undefined ? { type: 'enabled' } : { type: 'enabled', token_budget: budget };
  }
  return reasoning.enabled === true ? { type: 'enabled' } : undefined;
}

// ---------------------------------------------------------------- messages

function encodeMessages(request: ChatRequest): CohereMessage[] {
  const messages: CohereMessage[] = [];
  if (request.system.length > 0) messages.push(encodeSystem(request.system));
  request.messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
        messages.push(encodeSystem(message.content));
        return;
      case 'user':
        messages.push(encodeUser(message.content, param));
        return;
      case 'assistant':
        messages.push(encodeAssistant(message));
        return;
      case 'tool':
        messages.push(...encodeToolResults(message, param));
        return;
    }
  });
  return messages;
}

function encodeSystem(parts: SystemPart[]): CohereMessage {
  return { role: 'system', content: textContent(parts) };
}

/** One part: a plain string (Cohere's common form); several: text content items. */
function textContent(parts: Array<{ text: string }>): string | CohereTextContent[] {
  if (parts.length === 1) return parts[0].text;
  if (parts.length === 0) return '';
  return parts.map((part) => ({ type: 'text', text: part.text }));
}

function encodeUser(parts: UserPart[], param: string): CohereUserMessage {
  if (parts.every((part) => part.type === 'text')) return { role: 'user', content: textContent(parts as Array<{ text: string }>) };
  return {
    role: 'user',
    content: parts.map((part, index) => {
      switch (part.type) {
        case 'text':
          return { type: 'text', text: part.text };
        case 'image':
          return encodeImage(part);
        case 'file':
          return encodeFile(part, `${param}.content[${index}]`);
      }
    }),
  };
}

function encodeImage(part: ImagePart): CohereImageContent {
  const url = part.source.type === 'url' ? part.source.url : buildDataUrl(part.source.mediaType, part.source.data);
  return { type: 'image_url', image_url: { url, ...(part.detail ? { detail: part.detail } : {}) } };
}

function encodeFile(part: FilePart, param: string): CohereImageContent {
  if (part.mediaType.toLowerCase().startsWith('image/')) return encodeImage({ type: 'image', source: part.source });
  throw unsupported(`${part.mediaType} files (Cohere chat messages carry text and images only)`, param);
}

function encodeAssistant(message: AssistantMessage): CohereAssistantMessage {
  const texts: string[] = [];
  const thinking: CohereThinkingContent[] = [];
  const toolCalls: NonNullable<CohereAssistantMessage['tool_calls']> = [];
  const ordered: Array<CohereTextContent | CohereThinkingContent> = [];
  for (const part of message.content) {
    if (part.type === 'text') {
      texts.push(part.text);
      ordered.push({ type: 'text', text: part.text });
    } else if (part.type === 'tool-call') {
      toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
    } else if (part.provider === undefined && part.text !== '') {
      const item: CohereThinkingContent = { type: 'thinking', thinking: part.text };
      thinking.push(item);
      ordered.push(item);
    }
  }
  if (toolCalls.length > 0) {
    return {
      role: 'assistant',
      ...(thinking.length > 0 ? { content: thinking } : {}),
      ...(texts.length > 0 ? { tool_plan: texts.join('') } : {}),
      tool_calls: toolCalls,
    };
  }
  if (thinking.length === 0) return { role: 'assistant', content: texts.join('') };
  return { role: 'assistant', content: ordered };
}

/** One IR tool message with several results → one Cohere tool message per result. */
function encodeToolResults(message: ToolMessage, param: string): CohereToolMessage[] {
  return message.content.map((result, resultIndex) => {
    const texts = result.content.map((part, partIndex) => {
      if (part.type !== 'text') {
        throw unsupported('images or files in tool results (Cohere tool messages carry text)', `${param}.content[${resultIndex}].content[${partIndex}]`);
      }
      return part;
    });
    return { role: 'tool', tool_call_id: result.toolCallId, content: textContent(texts) };
  });
}
