import {
  AssistantMessage,
  ChatRequest,
  FilePart,
  ImagePart,
  ReasoningConfig,
  SystemPart,
  TextPart,
  ToolMessage,
  unsupported,
  UpstreamRequest,
  UserPart,
} from '../ir';
import { openAiChatCompletionsPath } from './openai-chat-api';
import {
  OpenAiChatAssistantMessage,
  OpenAiChatFunctionToolCall,
  OpenAiChatMessage,
  OpenAiChatReasoningEffort,
  OpenAiChatRequest,
  OpenAiChatTextPart,
  OpenAiChatToolChoice,
  OpenAiChatUserContentPart,
} from './openai-chat.types';
import { buildDataUrl } from '../shared/media';

const AUDIO_FORMATS: Record<string, 'wav' | 'mp3'> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
};

/**
 * ChatRequest → POST {baseURL}/chat/completions body.
 *
 * Refused (`unsupported`): topK (no top_k in Chat Completions), n > 1 (the
 * answer path carries one choice), images or files inside tool results
 * (tool messages are text only), file URLs and media types other than
 * images, wav/mp3 audio and PDF (OpenAI reads files as base64 PDF only; the
 * same set as vercel/ai's convert-to-openai-chat-messages).
 *
 * Documented safe drops:
 * - cacheControl everywhere: OpenAI caches prompt prefixes by itself;
 *   explicit `prompt_cache_breakpoint`s are not sent either, because
 *   OpenAI-compatible servers reject unknown part fields.
 * - Reasoning parts in assistant history: Chat Completions has no field to
 *   replay reasoning (and DeepSeek rejects `reasoning_content` in input).
 * - Tool-result isError, tool names, Gemini thought signatures and Responses
 *   item ids: no Chat field; the tool's text says what happened.
 * - reasoning.summary / includeThoughts: OpenAI Chat never returns reasoning
 *   text; compatible servers that do (reasoning_content) need no flag.
 * - reasoning.enabled false without an effort: Chat has no universal off
 *   switch (`none` exists only on gpt-5.1+ and non-reasoning models reject
 *   the field), so the model default applies.
 * - parallelToolCalls and a `none`/`auto` tool choice without tools: OpenAI
 *   refuses them without `tools` and they mean nothing there.
 * - metadata unless store is true: it only tags stored completions, and
 *   OpenAI answers 400 "The 'metadata' parameter is only allowed when
 *   'store' is enabled" (a Responses client's metadata relies on Responses'
 *   store-by-default, which Chat does not have; storing is not switched on
 *   behind the client's back).
 *
 * A reasoning budget without an effort becomes an effort (Chat has no
 * budget): < 4096 tokens low, < 16384 medium, otherwise high.
 * The end-user id goes out as `user`, the field every OpenAI-compatible
 * server knows (`safety_identifier` is OpenAI-only and capped at 64 chars).
 * Streaming always asks for usage (stream_options.include_usage).
 */
export function encodeOpenAiChatRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest {
  if (request.topK !== undefined) throw unsupported('top_k', 'topK');
  if (request.n !== undefined && request.n > 1) throw unsupported('n > 1 (several choices)', 'n');

  const body: OpenAiChatRequest = { model: upstreamModel, messages: encodeMessages(request) };

  const hasTools = (request.tools?.length ?? 0) > 0;
  if (hasTools) {
    body.tools = request.tools!.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    }));
  }
  if (request.toolChoice && (hasTools || (request.toolChoice.type !== 'none' && request.toolChoice.type !== 'auto'))) {
    body.tool_choice = encodeToolChoice(request.toolChoice);
  }
  if (request.parallelToolCalls !== undefined && hasTools) body.parallel_tool_calls = request.parallelToolCalls;

  if (request.responseFormat) {
    const format = request.responseFormat;
    body.response_format =
      format.type === 'json_schema'
        ? {
            type: 'json_schema',
            json_schema: {
              // OpenAI requires a name; other protocols (Gemini, Anthropic) have none.
              name: format.name ?? 'response',
              ...(format.description !== undefined ? { description: format.description } : {}),
              schema: format.schema,
              ...(format.strict !== undefined ? { strict: format.strict } : {}),
            },
          }
        : { type: format.type };
  }

  if (request.maxOutputTokens !== undefined) body.max_completion_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences && request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  const effort = encodeReasoningEffort(request.reasoning);
  if (effort) body.reasoning_effort = effort;
  if (request.user !== undefined) body.user = request.user;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  if (request.metadata !== undefined && request.store === true) body.metadata = request.metadata;
  if (request.store !== undefined) body.store = request.store;
  if (request.n !== undefined) body.n = request.n;
  if (request.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { path: openAiChatCompletionsPath(), body };
}

function encodeToolChoice(choice: NonNullable<ChatRequest['toolChoice']>): OpenAiChatToolChoice {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

function encodeReasoningEffort(reasoning: ReasoningConfig | undefined): OpenAiChatReasoningEffort | undefined {
  if (!reasoning) return undefined;
  if (reasoning.effort) return reasoning.effort;
  if (reasoning.enabled === false) return undefined;
  if (reasoning.budgetTokens !== undefined) {
    if (reasoning.budgetTokens < 4096) return 'low';
    if (reasoning.budgetTokens < 16384) return 'medium';
    return 'high';
  }
  return undefined;
}

// ---------------------------------------------------------------- messages

function encodeMessages(request: ChatRequest): OpenAiChatMessage[] {
  const messages: OpenAiChatMessage[] = encodeSystemParts(request.system);
  request.messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
        messages.push(...encodeSystemParts(message.content));
        return;
      case 'user':
        messages.push({ role: 'user', content: encodeUserContent(message.content, param) });
        return;
      case 'assistant':
        messages.push(encodeAssistantMessage(message));
        return;
      case 'tool':
        messages.push(...encodeToolMessage(message, param));
        return;
    }
  });
  return messages;
}

/** Consecutive parts of the same role (system or developer) become one message. */
function encodeSystemParts(parts: SystemPart[]): OpenAiChatMessage[] {
  const messages: OpenAiChatMessage[] = [];
  let run: SystemPart[] = [];
  const flush = () => {
    if (run.length === 0) return;
    messages.push({ role: run[0].role ?? 'system', content: textContent(run) });
    run = [];
  };
  for (const part of parts) {
    if (run.length > 0 && (run[0].role ?? 'system') !== (part.role ?? 'system')) flush();
    run.push(part);
  }
  flush();
  return messages;
}

/** One part: a plain string (what every compatible server accepts); several: text parts. */
function textContent(parts: Array<{ text: string }>): string | OpenAiChatTextPart[] {
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0].text;
  return parts.map((part) => ({ type: 'text', text: part.text }));
}

function encodeUserContent(parts: UserPart[], param: string): string | OpenAiChatUserContentPart[] {
  if (parts.every((part) => part.type === 'text')) return textContent(parts as TextPart[]);
  return parts.map((part, index) => encodeUserPart(part, `${param}.content[${index}]`));
}

function encodeUserPart(part: UserPart, param: string): OpenAiChatUserContentPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image':
      return encodeImage(part);
    case 'file':
      return encodeFile(part, param);
  }
}

function encodeImage(part: ImagePart): OpenAiChatUserContentPart {
  const url = part.source.type === 'url' ? part.source.url : buildDataUrl(part.source.mediaType, part.source.data);
  return { type: 'image_url', image_url: { url, ...(part.detail ? { detail: part.detail } : {}) } };
}

function encodeFile(part: FilePart, param: string): OpenAiChatUserContentPart {
  const mediaType = part.mediaType.toLowerCase();
  if (mediaType.startsWith('image/')) return encodeImage({ type: 'image', source: part.source });
  if (part.source.type === 'url') throw unsupported('file URLs (OpenAI Chat reads files only as base64 data)', param);
  const audioFormat = AUDIO_FORMATS[mediaType];
  if (audioFormat) return { type: 'input_audio', input_audio: { data: part.source.data, format: audioFormat } };
  if (mediaType === 'application/pdf') {
    return {
      type: 'file',
      // OpenAI wants a file name with inline data; vercel/ai makes one up the same way.
      file: { filename: part.filename ?? 'document.pdf', file_data: buildDataUrl(mediaType, part.source.data) },
    };
  }
  throw unsupported(`${part.mediaType} files (OpenAI Chat reads images, wav/mp3 audio and PDF)`, param);
}

function encodeAssistantMessage(message: AssistantMessage): OpenAiChatAssistantMessage {
  const texts: TextPart[] = [];
  const toolCalls: OpenAiChatFunctionToolCall[] = [];
  for (const part of message.content) {
    if (part.type === 'text') texts.push(part);
    else if (part.type === 'tool-call') {
      toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
    }
    // Reasoning parts: not replayable through Chat Completions (see the file comment).
  }
  const encoded: OpenAiChatAssistantMessage = {
    role: 'assistant',
    content: texts.length > 0 ? textContent(texts) : toolCalls.length > 0 ? null : '',
  };
  if (toolCalls.length > 0) encoded.tool_calls = toolCalls;
  return encoded;
}

/** One IR tool message with several results → one Chat tool message per result. */
function encodeToolMessage(message: ToolMessage, param: string): OpenAiChatMessage[] {
  return message.content.map((result, resultIndex) => {
    const texts = result.content.map((part, partIndex) => {
      if (part.type !== 'text') {
        throw unsupported('images or files in tool results (Chat tool messages are text only)', `${param}.content[${resultIndex}].content[${partIndex}]`);
      }
      return part;
    });
    return { role: 'tool', tool_call_id: result.toolCallId, content: textContent(texts) };
  });
}
