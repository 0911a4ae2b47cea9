import { AssistantPart } from './chat-request';

/**
 * The canonical non-streamed answer. `content` keeps the order the model
 * produced (reasoning, text, tool calls, possibly interleaved).
 */
export interface ChatResponse {
  id: string;
  /** The model that answered (upstream name). */
  model: string;
  /** Unix seconds. */
  created: number;
  content: AssistantPart[];
  finishReason: FinishReason;
  /** The provider's own value, kept beside the unified one. */
  rawFinishReason?: string;
  /** The stop sequence that ended generation, when the provider says. */
  stopSequence?: string;
  usage: Usage;
}

/**
 * Unified finish reasons. A max-tokens cut wins over tool calls: a turn cut
 * short while writing a tool call is `length`, never `tool_calls`.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

/**
 * Token usage, normalised to OpenAI's convention: `inputTokens` counts every
 * prompt token, cached and cache-written ones included (Anthropic reports
 * input_tokens without them: decoders add them, encoders subtract them);
 * `outputTokens` includes reasoning tokens.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's cache. */
  cachedInputTokens: number;
  /** Prompt tokens written to the provider's cache (Anthropic cache_creation_input_tokens). */
  cacheWriteInputTokens: number;
  /** Part of outputTokens spent on reasoning. */
  reasoningTokens: number;
}

export const EMPTY_USAGE: Usage = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  reasoningTokens: 0,
};
