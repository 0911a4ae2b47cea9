/**
 * Cohere Chat API v2 wire types (POST /v2/chat), minimal and null-tolerant.
 * Source: Cohere's API reference (https://docs.cohere.com/reference/chat) and
 * the generated SDK types of cohere-ai/cohere-typescript
 * (src/serialization/types: V2ChatRequest, ChatMessageV2, Content, ImageUrl,
 * ToolContent, ToolCallV2, ResponseFormatV2, Thinking, V2ChatResponse,
 * AssistantMessageResponseContentItem, Usage, StreamedChatResponseV2).
 */

// ------------------------------------------------------------------ request

export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  tools?: CohereTool[];
  /** All tool calls follow their tool's schema exactly (one switch for every tool). */
  strict_tools?: boolean;
  tool_choice?: 'REQUIRED' | 'NONE';
  response_format?: CohereResponseFormat;
  max_tokens?: number;
  stop_sequences?: string[];
  temperature?: number;
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  /** top-k, 0–500 (0 disables). */
  k?: number;
  /** top-p, 0.01–0.99. */
  p?: number;
  thinking?: CohereThinking;
  stream: boolean;
}

export type CohereMessage = CohereSystemMessage | CohereUserMessage | CohereAssistantMessage | CohereToolMessage;

export interface CohereTextContent {
  type: 'text';
  text: string;
}

export interface CohereImageContent {
  type: 'image_url';
  /** A web URL or a base64 data URL. */
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export interface CohereThinkingContent {
  type: 'thinking';
  thinking: string;
}

export interface CohereSystemMessage {
  role: 'system';
  content: string | CohereTextContent[];
}

export interface CohereUserMessage {
  role: 'user';
  content: string | Array<CohereTextContent | CohereImageContent>;
}

export interface CohereAssistantMessage {
  role: 'assistant';
  content?: string | Array<CohereTextContent | CohereThinkingContent>;
  /** The model's plan written before its tool calls. */
  tool_plan?: string;
  tool_calls?: CohereToolCall[];
}

export interface CohereToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string | CohereTextContent[];
}

export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export type CohereResponseFormat = { type: 'text' } | { type: 'json_object'; json_schema?: Record<string, unknown> };

export interface CohereThinking {
  type: 'enabled' | 'disabled';
  token_budget?: number;
}

// ------------------------------------------------------------------ response

export type CohereFinishReason = 'COMPLETE' | 'STOP_SEQUENCE' | 'MAX_TOKENS' | 'TOOL_CALL' | 'ERROR';

export interface CohereUsage {
  /** What Cohere invoices. */
  billed_units?: { input_tokens?: number | null; output_tokens?: number | null } | null;
  /** What the model processed, Cohere's own prompt template included. */
  tokens?: { input_tokens?: number | null; output_tokens?: number | null } | null;
  /** Prompt tokens served from Cohere's cache (seen in real answers, not in the SDK types). */
  cached_tokens?: number | null;
}

export interface CohereChatResponse {
  id?: string | null;
  finish_reason?: string | null;
  message?: {
    role?: string;
    content?: Array<{ type?: string; text?: string | null; thinking?: string | null }> | null;
    tool_plan?: string | null;
    tool_calls?: Array<Partial<CohereToolCall> & { function?: { name?: string | null; arguments?: string | null } | null }> | null;
  } | null;
  usage?: CohereUsage | null;
}

// ------------------------------------------------------------------ stream

/**
 * One streamed event: SSE `event: <type>` with `data: {"type": <type>, …}`.
 * The stream ends after `message-end` (some deployments then send
 * `data: [DONE]`, which the SDK treats as its terminator).
 */
export interface CohereStreamEvent {
  type?: string;
  id?: string | null;
  index?: number | null;
  delta?: {
    message?: {
      content?: { type?: string | null; text?: string | null; thinking?: string | null } | null;
      tool_plan?: string | null;
      tool_calls?: { id?: string | null; function?: { name?: string | null; arguments?: string | null } | null } | null;
    } | null;
    finish_reason?: string | null;
    /** Set when the generation failed mid-stream. */
    error?: string | null;
    usage?: CohereUsage | null;
  } | null;
}

// ------------------------------------------------------------------ errors

/** Cohere's error body: `{"id": "…", "message": "…"}` (id optional). */
export interface CohereErrorBody {
  id?: string;
  message?: string;
}
