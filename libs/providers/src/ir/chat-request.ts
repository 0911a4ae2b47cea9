/**
 * The canonical request every client protocol decodes into and every upstream
 * protocol encodes from. Plain data (JSON-safe), no classes, no Nest.
 *
 * Conventions:
 * - `system` holds system *and* developer instructions in order; a
 *   mid-conversation system message is kept in place as a `system` message.
 * - Tool results are their own `tool` messages, one part per result, in the
 *   order the calls were made (Anthropic puts them in a user message, Gemini
 *   in a `functionResponse` part: decoders split them out, encoders merge).
 * - Tool-call arguments are the JSON *text* the model produced, never re-parsed
 *   and re-serialised (keeps key order and numbers exact).
 * - Anything a protocol has that this model cannot carry is refused by the
 *   decoder or encoder with an UnsupportedFeatureError (a clear 400), never
 *   silently dropped.
 */
export interface ChatRequest {
  /** The logical model the client asked for (routing maps it to an upstream model). */
  model: string;
  system: SystemPart[];
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** false: at most one tool call per turn. */
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Upper bound on generated tokens, reasoning included (OpenAI max_completion_tokens semantics). */
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  reasoning?: ReasoningConfig;
  stream: boolean;
  /** Ask for usage in the stream (OpenAI stream_options.include_usage); encoders of OpenAI upstreams always set it. */
  streamUsage?: boolean;
  /** End-user identifier: OpenAI `user`/`safety_identifier`, Anthropic `metadata.user_id`. */
  user?: string;
  /** OpenAI `prompt_cache_key`: a routing hint for provider prompt caches. */
  promptCacheKey?: string;
  /** OpenAI `store` (Responses/Chat); only honoured by OpenAI upstreams. */
  store?: boolean;
  /** OpenAI `metadata` (string map). */
  metadata?: Record<string, string>;
  /** Number of choices; only 1 translates across protocols. */
  n?: number;
}

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface SystemPart {
  text: string;
  /** 'developer' when the client sent an OpenAI developer message (kept so OpenAI upstreams get it back). */
  role?: 'system' | 'developer';
  cacheControl?: CacheControl;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A system/developer message in the middle of a conversation (after the first user turn). */
export interface SystemMessage {
  role: 'system';
  content: SystemPart[];
}

export interface UserMessage {
  role: 'user';
  content: UserPart[];
}

export interface AssistantMessage {
  role: 'assistant';
  content: AssistantPart[];
}

export interface ToolMessage {
  role: 'tool';
  content: ToolResultPart[];
}

export type UserPart = TextPart | ImagePart | FilePart;
export type AssistantPart = TextPart | ReasoningPart | ToolCallPart;

export interface TextPart {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

export type MediaSource =
  | { type: 'url'; url: string; mediaType?: string }
  | { type: 'base64'; mediaType: string; data: string };

export interface ImagePart {
  type: 'image';
  source: MediaSource;
  /** OpenAI image detail. */
  detail?: 'auto' | 'low' | 'high';
  cacheControl?: CacheControl;
}

/** A document (PDF, text) or other file the model reads. */
export interface FilePart {
  type: 'file';
  source: MediaSource;
  mediaType: string;
  filename?: string;
  cacheControl?: CacheControl;
}

/**
 * Model reasoning. Provider-issued opaque values (Anthropic `signature` and
 * `redacted_thinking` data, OpenAI `encrypted_content`, Gemini
 * `thoughtSignature`) are passed back unchanged, and only to the provider
 * family that issued them (`provider`): another family cannot verify them.
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  provider?: ProviderFamily;
  /** Anthropic thinking signature, or Gemini thought signature. */
  signature?: string;
  /** Anthropic redacted_thinking `data`. */
  redactedData?: string;
  /** OpenAI Responses reasoning item id and encrypted_content. */
  itemId?: string;
  encryptedContent?: string;
  /** OpenAI Responses: reasoning summary (vs. raw reasoning text). */
  summary?: boolean;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** JSON text of the arguments, exactly as the model produced it. */
  arguments: string;
  /** Gemini thought signature attached to a functionCall part. */
  thoughtSignature?: string;
  /** OpenAI Responses function_call item id (fc_…), when it differs from the call id. */
  itemId?: string;
}

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Name of the tool (Gemini needs it; OpenAI and Anthropic don't carry it). */
  toolName?: string;
  content: Array<TextPart | ImagePart | FilePart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  /** Must call some tool (OpenAI required, Anthropic any, Gemini ANY). */
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; description?: string; schema: Record<string, unknown>; strict?: boolean };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface ReasoningConfig {
  /** false: thinking explicitly off. */
  enabled?: boolean;
  effort?: ReasoningEffort;
  /** Token budget (Anthropic budget_tokens, Gemini thinkingBudget). */
  budgetTokens?: number;
  /** OpenAI Responses reasoning.summary. */
  summary?: 'auto' | 'concise' | 'detailed';
  /** Return reasoning text to the client (Gemini includeThoughts; Anthropic always does when enabled). */
  includeThoughts?: boolean;
}

export type ProviderFamily = 'openai' | 'anthropic' | 'gemini';
