/**
 * Wire types of OpenAI Chat Completions (POST /v1/chat/completions), kept
 * minimal and null-tolerant: every field a real server may omit or send as
 * null is optional and nullable. Only what the codec reads or writes is
 * typed; the published schema is /work/shared/specs/openai-openapi.yaml
 * (CreateChatCompletionRequest, CreateChatCompletionResponse,
 * CreateChatCompletionStreamResponse).
 */

/** Anthropic-style cache hint some OpenAI-compatible clients put on content parts (LiteLLM, OpenRouter). */
export interface OpenAiChatCacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/** OpenAI's own explicit prompt-cache breakpoint on a content part. */
export interface OpenAiChatPromptCacheBreakpoint {
  mode: 'explicit';
}

interface CacheHints {
  cache_control?: OpenAiChatCacheControl | null;
  prompt_cache_breakpoint?: OpenAiChatPromptCacheBreakpoint | null;
}

export interface OpenAiChatTextPart extends CacheHints {
  type: 'text';
  text: string;
}

export interface OpenAiChatRefusalPart {
  type: 'refusal';
  refusal: string;
}

export interface OpenAiChatImagePart extends CacheHints {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' | null };
}

export interface OpenAiChatAudioPart extends CacheHints {
  type: 'input_audio';
  input_audio: { data: string; format: 'wav' | 'mp3' };
}

export interface OpenAiChatFilePart extends CacheHints {
  type: 'file';
  file: { filename?: string | null; file_data?: string | null; file_id?: string | null };
}

export type OpenAiChatUserContentPart = OpenAiChatTextPart | OpenAiChatImagePart | OpenAiChatAudioPart | OpenAiChatFilePart;

export interface OpenAiChatFunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAiChatSystemMessage {
  role: 'system' | 'developer';
  content: string | OpenAiChatTextPart[];
  name?: string;
}

export interface OpenAiChatUserMessage {
  role: 'user';
  content: string | OpenAiChatUserContentPart[];
  name?: string;
}

export interface OpenAiChatAssistantMessage {
  role: 'assistant';
  content?: string | Array<OpenAiChatTextPart | OpenAiChatRefusalPart> | null;
  refusal?: string | null;
  tool_calls?: OpenAiChatFunctionToolCall[] | null;
  /**
   * Not OpenAI: DeepSeek / vLLM style reasoning text. The gateway writes it in
   * answers to Chat clients; it never sends it upstream.
   */
  reasoning_content?: string | null;
  name?: string;
}

export interface OpenAiChatToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string | OpenAiChatTextPart[];
}

export type OpenAiChatMessage =
  | OpenAiChatSystemMessage
  | OpenAiChatUserMessage
  | OpenAiChatAssistantMessage
  | OpenAiChatToolMessage;

export interface OpenAiChatFunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
  /** LiteLLM-style cache hint on a tool; never sent to OpenAI. */
  cache_control?: OpenAiChatCacheControl | null;
}

export type OpenAiChatToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; function: { name: string } };

export type OpenAiChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null };
    };

export type OpenAiChatReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** The request body, as the gateway sends it upstream (client bodies are read field by field). */
export interface OpenAiChatRequest {
  model: string;
  messages: OpenAiChatMessage[];
  tools?: OpenAiChatFunctionTool[];
  tool_choice?: OpenAiChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: OpenAiChatResponseFormat;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  reasoning_effort?: OpenAiChatReasoningEffort;
  user?: string;
  prompt_cache_key?: string;
  metadata?: Record<string, string>;
  store?: boolean;
  n?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface OpenAiChatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: {
    cached_tokens?: number | null;
    /** Explicit prompt-cache writes (newer models, see PromptCacheOptionsParam). */
    cache_write_tokens?: number | null;
    audio_tokens?: number | null;
  } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number | null;
    audio_tokens?: number | null;
    accepted_prediction_tokens?: number | null;
    rejected_prediction_tokens?: number | null;
  } | null;
  /** DeepSeek: cached prompt tokens reported outside prompt_tokens_details. */
  prompt_cache_hit_tokens?: number | null;
}

export type OpenAiChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface OpenAiChatResponseMessage {
  role?: 'assistant' | null;
  content?: string | null;
  refusal?: string | null;
  tool_calls?: Array<{ id?: string | null; type?: string | null; function?: { name?: string | null; arguments?: string | null } | null }> | null;
  /** DeepSeek / older vLLM reasoning text. */
  reasoning_content?: string | null;
  /** vLLM (0.10+) / OpenRouter reasoning text. */
  reasoning?: string | null;
  annotations?: unknown[] | null;
}

export interface OpenAiChatResponse {
  id?: string | null;
  object?: 'chat.completion' | string | null;
  created?: number | null;
  model?: string | null;
  choices?: Array<{
    index?: number | null;
    message?: OpenAiChatResponseMessage | null;
    finish_reason?: string | null;
    /** vLLM: the stop string (or token id) that ended generation. */
    stop_reason?: string | number | null;
    logprobs?: unknown;
  }> | null;
  usage?: OpenAiChatUsage | null;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}

export interface OpenAiChatToolCallDelta {
  index?: number | null;
  id?: string | null;
  type?: 'function' | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export interface OpenAiChatStreamDelta {
  role?: string | null;
  content?: string | null;
  refusal?: string | null;
  tool_calls?: OpenAiChatToolCallDelta[] | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/** One `data:` message of a stream (`chat.completion.chunk`). */
export interface OpenAiChatChunk {
  id?: string | null;
  object?: 'chat.completion.chunk' | string | null;
  created?: number | null;
  model?: string | null;
  choices?: Array<{
    index?: number | null;
    delta?: OpenAiChatStreamDelta | null;
    finish_reason?: string | null;
    stop_reason?: string | number | null;
  }> | null;
  usage?: OpenAiChatUsage | null;
  /** In-stream failure (OpenAI sends it as a data message, then closes). */
  error?: OpenAiChatErrorObject | null;
}

export interface OpenAiChatErrorObject {
  message?: string | null;
  type?: string | null;
  param?: string | null;
  code?: string | number | null;
}

/** Error answers: `{ "error": { message, type, param, code } }`. */
export interface OpenAiChatErrorBody {
  error: OpenAiChatErrorObject;
}
