/**
 * Wire types of the OpenAI Responses API (POST /v1/responses), kept minimal
 * and null-tolerant: only what the codec reads or writes. Every field a
 * client or upstream may omit or send as null is optional and nullable.
 * Source: ../shared/specs/openai-openapi.yaml (CreateResponse, Response,
 * ResponseStreamEvent) and the captures in ../shared/fixtures.
 */
import { TextDelta, TextPart } from '../ir';

// ---------------------------------------------------------------- request

export type ResponsesRole = 'user' | 'assistant' | 'system' | 'developer';

/** Assistant message phase (gpt-5.x): intermediate commentary or the final answer. */
export type ResponsesMessagePhase = 'commentary' | 'final_answer';

export interface ResponsesInputText {
  type: 'input_text';
  text: string;
  prompt_cache_breakpoint?: { mode?: string } | null;
}

export interface ResponsesInputImage {
  type: 'input_image';
  image_url?: string | null;
  file_id?: string | null;
  detail?: 'auto' | 'low' | 'high' | 'original' | null;
  prompt_cache_breakpoint?: { mode?: string } | null;
}

export interface ResponsesInputFile {
  type: 'input_file';
  file_id?: string | null;
  file_data?: string | null;
  file_url?: string | null;
  filename?: string | null;
  detail?: string | null;
  prompt_cache_breakpoint?: { mode?: string } | null;
}

export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations?: unknown[];
  logprobs?: unknown[];
}

export interface ResponsesRefusal {
  type: 'refusal';
  refusal: string;
}

export type ResponsesInputContent = ResponsesInputText | ResponsesInputImage | ResponsesInputFile;
export type ResponsesMessageContent = ResponsesInputContent | ResponsesOutputText | ResponsesRefusal;

/** EasyInputMessage, InputMessage and OutputMessage share this shape. */
export interface ResponsesMessageItem {
  type?: 'message';
  id?: string | null;
  role: ResponsesRole;
  content: string | ResponsesMessageContent[];
  status?: 'in_progress' | 'completed' | 'incomplete' | null;
  phase?: ResponsesMessagePhase | null;
}

export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id?: string | null;
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete' | null;
  namespace?: string | null;
  caller?: unknown;
}

export interface ResponsesFunctionCallOutputItem {
  type: 'function_call_output';
  id?: string | null;
  call_id: string;
  output: string | ResponsesInputContent[];
  status?: string | null;
  caller?: unknown;
}

export interface ResponsesSummaryText {
  type: 'summary_text';
  text: string;
}

export interface ResponsesReasoningText {
  type: 'reasoning_text';
  text: string;
}

export interface ResponsesReasoningItem {
  type: 'reasoning';
  id: string;
  summary: ResponsesSummaryText[];
  content?: ResponsesReasoningText[] | null;
  encrypted_content?: string | null;
  status?: string | null;
}

export type ResponsesInputItem =
  | ResponsesMessageItem
  | ResponsesFunctionCallItem
  | ResponsesFunctionCallOutputItem
  | ResponsesReasoningItem;

export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  output_schema?: unknown;
  defer_loading?: boolean;
  allowed_callers?: unknown;
}

export type ResponsesToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; name: string }
  | { type: string; name?: string; mode?: string; tools?: unknown[] };

export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; description?: string; schema: Record<string, unknown>; strict?: boolean | null };

export interface ResponsesReasoningParam {
  effort?: string | null;
  summary?: 'auto' | 'concise' | 'detailed' | null;
  /** Deprecated alias of `summary`. */
  generate_summary?: 'auto' | 'concise' | 'detailed' | null;
  mode?: string | null;
  context?: string | null;
}

export interface ResponsesRequest {
  model: string;
  input: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesFunctionTool[] | null;
  tool_choice?: ResponsesToolChoice | null;
  parallel_tool_calls?: boolean | null;
  text?: { format?: ResponsesTextFormat | null; verbosity?: string | null } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  reasoning?: ResponsesReasoningParam | null;
  user?: string;
  safety_identifier?: string | null;
  prompt_cache_key?: string | null;
  metadata?: Record<string, string> | null;
  store?: boolean | null;
  stream?: boolean | null;
  include?: string[] | null;
}

// --------------------------------------------------------------- response

export type ResponsesStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

export interface ResponsesOutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: Array<ResponsesOutputText | ResponsesRefusal>;
  phase?: ResponsesMessagePhase | null;
}

export interface ResponsesOutputFunctionCall {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

export interface ResponsesOutputReasoning {
  type: 'reasoning';
  id: string;
  summary: ResponsesSummaryText[];
  content?: ResponsesReasoningText[];
  encrypted_content?: string | null;
  status?: string;
}

export type ResponsesOutputItem = ResponsesOutputMessage | ResponsesOutputFunctionCall | ResponsesOutputReasoning;

export interface ResponsesUsage {
  input_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  output_tokens?: number | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
  total_tokens?: number | null;
}

export interface ResponsesResponseError {
  code?: string | null;
  message?: string | null;
}

export interface ResponsesResponse {
  id: string;
  object: 'response';
  created_at: number;
  status?: ResponsesStatus | null;
  error?: ResponsesResponseError | null;
  incomplete_details?: { reason?: string | null } | null;
  model: string;
  output: ResponsesOutputItem[];
  usage?: ResponsesUsage | null;
  [field: string]: unknown;
}

// ----------------------------------------------------------------- stream

/** One parsed stream event (the `data:` JSON; its `type` repeats the `event:` name). */
export interface ResponsesStreamEvent {
  type: string;
  sequence_number?: number;
  response?: ResponsesResponse;
  output_index?: number;
  content_index?: number;
  summary_index?: number;
  item_id?: string;
  item?: { type: string; id?: string; [field: string]: unknown };
  part?: { type: string; text?: string; refusal?: string };
  delta?: string;
  text?: string;
  refusal?: string;
  arguments?: string;
  /** `error` event fields. */
  code?: string | null;
  message?: string;
  param?: string | null;
}

// ------------------------------------------------------------------ error

export interface ResponsesErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

// ------------------------------------------------ IR workaround extensions

/**
 * The IR TextPart / TextDelta carry no item id, but the Responses API pairs
 * a stored reasoning item with the message item that followed it (a reasoning
 * item sent back without its message id fails with "Item 'rs_…' of type
 * 'reasoning' was provided without its required following item"), and
 * gpt-5.x wants assistant `phase` replayed. Until the IR grows
 * `TextPart.itemId` / `phase` (proposed), this codec sets them as extra,
 * JSON-safe properties that other codecs ignore.
 */
export type ResponsesTextPart = TextPart & { itemId?: string; phase?: ResponsesMessagePhase };
export type ResponsesTextDelta = TextDelta & { itemId?: string; phase?: ResponsesMessagePhase };
