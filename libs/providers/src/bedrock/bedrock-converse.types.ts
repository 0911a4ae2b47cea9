/**
 * Minimal, null-tolerant wire types of the Bedrock Converse API
 * (POST /model/{modelId}/converse and /converse-stream), as JSON on the
 * wire: blobs (image, document, redacted reasoning bytes) are base64 text.
 * Reference: the ConverseRequest / ConverseResponse / ConverseStreamOutput
 * shapes of @aws-sdk/client-bedrock-runtime and
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */

export interface BedrockCachePoint {
  type: 'default';
  ttl?: '5m' | '1h';
}

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type BedrockDocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

export interface BedrockImageBlock {
  format: BedrockImageFormat;
  source: { bytes: string };
}

export interface BedrockDocumentBlock {
  format: BedrockDocumentFormat;
  name: string;
  source: { bytes: string };
}

export interface BedrockToolUseBlock {
  toolUseId: string;
  name: string;
  /** A JSON document (an object for every tool the IR can express). */
  input: unknown;
}

export type BedrockToolResultContent =
  | { text: string }
  | { json: unknown }
  | { image: BedrockImageBlock }
  | { document: BedrockDocumentBlock };

export interface BedrockToolResultBlock {
  toolUseId: string;
  content: BedrockToolResultContent[];
  status?: 'success' | 'error';
}

export type BedrockReasoningContent = { reasoningText: { text: string; signature?: string } } | { redactedContent: string };

/** One content block: a union with exactly one member set. */
export interface BedrockContentBlock {
  text?: string;
  image?: BedrockImageBlock;
  document?: BedrockDocumentBlock;
  toolUse?: BedrockToolUseBlock;
  toolResult?: BedrockToolResultBlock;
  reasoningContent?: BedrockReasoningContent;
  cachePoint?: BedrockCachePoint;
}

export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

export type BedrockSystemBlock = { text: string } | { cachePoint: BedrockCachePoint };

export type BedrockTool =
  | { toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> }; strict?: boolean } }
  | { cachePoint: BedrockCachePoint };

export type BedrockToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface BedrockInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface BedrockOutputConfig {
  textFormat: {
    type: 'json_schema';
    /** The schema travels as JSON text. */
    structure: { jsonSchema: { schema: string; name?: string; description?: string } };
  };
}

/** The request body; the model id is in the URL, never in the body. */
export interface BedrockConverseRequest {
  messages: BedrockMessage[];
  system?: BedrockSystemBlock[];
  inferenceConfig?: BedrockInferenceConfig;
  toolConfig?: { tools: BedrockTool[]; toolChoice?: BedrockToolChoice };
  outputConfig?: BedrockOutputConfig;
}

export type BedrockStopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'malformed_model_output'
  | 'malformed_tool_use'
  | 'model_context_window_exceeded';

/** Converse usage: `inputTokens` excludes the cache reads and writes, which are reported beside it. */
export interface BedrockTokenUsage {
  inputTokens?: number | null;
  outputTokens?: number | null;
  totalTokens?: number | null;
  cacheReadInputTokens?: number | null;
  cacheWriteInputTokens?: number | null;
}
