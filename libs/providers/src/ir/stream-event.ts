import { FinishReason, Usage } from './chat-response';
import { ProviderFamily } from './chat-request';
import { GatewayError } from './gateway-error';

/**
 * Canonical stream events. Decoders of upstream streams emit them; encoders
 * of client streams consume them, one at a time, never buffering the whole
 * answer. `index` is the position of the content part in the answer (the
 * same numbering as ChatResponse.content), so parts may interleave.
 *
 * Every stream is: `start`, then part events, then exactly one `finish` — or
 * an `error` instead of `finish` when the upstream failed mid-stream.
 */
export type StreamEvent =
  | StreamStart
  | TextDelta
  | ReasoningDelta
  | ToolCallStart
  | ToolCallDelta
  | PartEnd
  | StreamFinish
  | StreamError;

export interface StreamStart {
  type: 'start';
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  /** Usage known at the start (Anthropic message_start: input and cache tokens). */
  usage?: Partial<Usage>;
}

export interface TextDelta {
  type: 'text-delta';
  index: number;
  text: string;
}

export interface ReasoningDelta {
  type: 'reasoning-delta';
  index: number;
  text?: string;
  /** Anthropic signature_delta / Gemini thoughtSignature: opaque, passed back unchanged. */
  signature?: string;
  redactedData?: string;
  /** OpenAI Responses reasoning item id / encrypted_content. */
  itemId?: string;
  encryptedContent?: string;
  summary?: boolean;
  provider?: ProviderFamily;
}

export interface ToolCallStart {
  type: 'tool-call-start';
  index: number;
  id: string;
  name: string;
  thoughtSignature?: string;
  itemId?: string;
}

export interface ToolCallDelta {
  type: 'tool-call-delta';
  index: number;
  /** A fragment of the arguments' JSON text. */
  argumentsDelta: string;
}

export interface PartEnd {
  type: 'part-end';
  index: number;
}

export interface StreamFinish {
  type: 'finish';
  finishReason: FinishReason;
  rawFinishReason?: string;
  stopSequence?: string;
  /** Final totals, normalised like ChatResponse.usage. */
  usage: Usage;
}

export interface StreamError {
  type: 'error';
  error: GatewayError;
}
