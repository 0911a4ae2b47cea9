/**
 * Wire shapes of the Gemini API (`generateContent` / `streamGenerateContent`),
 * https://ai.google.dev/api/generate-content. Minimal and null-tolerant: only
 * what the codec reads or writes, every field optional on the way in.
 *
 * Proto-JSON: the API also accepts the snake_case spelling of every field
 * (`system_instruction`, `inline_data`, as in Google's own curl examples);
 * decoders read both (see gemini-json.util.ts), encoders write camelCase.
 */

export type GeminiRole = 'user' | 'model';

export interface GeminiBlob {
  mimeType?: string | null;
  /** Base64. */
  data?: string | null;
}

export interface GeminiFileData {
  mimeType?: string | null;
  fileUri?: string | null;
}

export interface GeminiFunctionCall {
  name?: string | null;
  args?: Record<string, unknown> | null;
  /** Gemini 3 sets one; Gemini 2.x usually does not. */
  id?: string | null;
}

/** Media inside a function response (Gemini 3 multimodal function responses). */
export interface GeminiFunctionResponsePart {
  inlineData?: GeminiBlob | null;
  fileData?: GeminiFileData | null;
}

export interface GeminiFunctionResponse {
  name?: string | null;
  /** `{output}` / `{error}` by convention; any other object is the output as a whole. */
  response?: Record<string, unknown> | null;
  id?: string | null;
  parts?: GeminiFunctionResponsePart[] | null;
}

export interface GeminiPart {
  text?: string | null;
  /** The text is a thought (summary) rather than answer text. */
  thought?: boolean | null;
  /** Opaque; must go back on the same part in the next turn (mandatory on Gemini 3 function calls). */
  thoughtSignature?: string | null;
  inlineData?: GeminiBlob | null;
  fileData?: GeminiFileData | null;
  functionCall?: GeminiFunctionCall | null;
  functionResponse?: GeminiFunctionResponse | null;
  executableCode?: unknown;
  codeExecutionResult?: unknown;
}

export interface GeminiContent {
  role?: string | null;
  parts?: GeminiPart[] | null;
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** OpenAPI-subset Schema (upper-case types, no additionalProperties). */
  parameters?: Record<string, unknown>;
  /** Full JSON Schema; what this codec sends. */
  parametersJsonSchema?: Record<string, unknown>;
}

export interface GeminiTool {
  functionDeclarations?: GeminiFunctionDeclaration[];
}

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED';

export interface GeminiToolConfig {
  functionCallingConfig?: {
    mode?: GeminiFunctionCallingMode;
    allowedFunctionNames?: string[];
  };
}

export type GeminiThinkingLevel = 'MINIMAL' | 'LOW' | 'MEDIUM' | 'HIGH';

export interface GeminiThinkingConfig {
  /** 0 off, -1 dynamic, otherwise a token budget. */
  thinkingBudget?: number;
  includeThoughts?: boolean;
  /** Gemini 3. */
  thinkingLevel?: GeminiThinkingLevel;
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

export interface GeminiGenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent;
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
}

export interface GeminiUsageMetadata {
  /** Every prompt token, cached ones included. */
  promptTokenCount?: number | null;
  /** Answer tokens, thoughts EXCLUDED. */
  candidatesTokenCount?: number | null;
  thoughtsTokenCount?: number | null;
  cachedContentTokenCount?: number | null;
  /** Prompt tokens of built-in tools (search, code execution). */
  toolUsePromptTokenCount?: number | null;
  totalTokenCount?: number | null;
}

export interface GeminiCandidate {
  content?: GeminiContent | null;
  finishReason?: string | null;
  index?: number | null;
}

export interface GeminiGenerateContentResponse {
  candidates?: GeminiCandidate[] | null;
  promptFeedback?: { blockReason?: string | null } | null;
  usageMetadata?: GeminiUsageMetadata | null;
  modelVersion?: string | null;
  responseId?: string | null;
  /** Vertex AI only (RFC 3339). */
  createTime?: string | null;
}

/** A google.rpc.Status detail (`@type` names the message). */
export interface GeminiErrorDetail {
  '@type'?: string;
  /** google.rpc.RetryInfo: a Duration, e.g. "12s" or "0.5s". */
  retryDelay?: string;
  /** google.rpc.ErrorInfo, e.g. API_KEY_INVALID. */
  reason?: string;
  /** google.rpc.BadRequest. */
  fieldViolations?: Array<{ field?: string; description?: string }>;
  /** google.rpc.QuotaFailure. */
  violations?: Array<{ quotaId?: string; quotaMetric?: string }>;
  [key: string]: unknown;
}

/** The error body of every Google API (google.rpc.Status in JSON). */
export interface GeminiErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    details?: GeminiErrorDetail[];
  };
}
