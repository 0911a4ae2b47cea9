import { FinishReason } from '../ir';

/**
 * Converse stopReason → unified finish reason. A max-tokens or
 * context-window cut is `length` even with a tool call in the turn (the
 * IR's rule); a guardrail or content filter is `content_filter`; output the
 * model garbled (malformed_model_output, malformed_tool_use) is `error`.
 * Values newer than this map are `other`, the raw value kept beside it.
 */
export function mapBedrockStopReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    case 'malformed_model_output':
    case 'malformed_tool_use':
      return 'error';
    default:
      return 'other';
  }
}
