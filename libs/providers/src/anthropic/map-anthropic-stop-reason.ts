import { FinishReason } from '../ir';
import { AnthropicStopReason } from './anthropic.types';

/**
 * Anthropic stop_reason → unified finish reason. `max_tokens` (and a
 * context-window cut) is `length` even when the turn holds a tool_use block:
 * the call may be incomplete, and the IR says a max-tokens cut wins.
 * `pause_turn` (a server-tool turn paused for continuation) has no unified
 * equivalent: `other`, the raw value stays beside it.
 */
export function mapAnthropicStopReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

const ANTHROPIC_STOP_REASONS: ReadonlySet<string> = new Set<AnthropicStopReason>([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

/**
 * Unified finish reason → Anthropic stop_reason for an Anthropic client.
 * The raw value is reused when it came from an Anthropic upstream and still
 * agrees with the unified one. A `stop` that produced tool calls (Gemini
 * says STOP) becomes `tool_use`, because Anthropic clients loop on it.
 */
export function toAnthropicStopReason(
  finishReason: FinishReason,
  raw: string | undefined,
  stopSequence: string | undefined,
  hasToolCalls: boolean,
): AnthropicStopReason {
  if (raw && ANTHROPIC_STOP_REASONS.has(raw) && mapAnthropicStopReason(raw) === finishReason) {
    if (!(raw === 'end_turn' && hasToolCalls)) return raw as AnthropicStopReason;
  }
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
      if (stopSequence !== undefined) return 'stop_sequence';
      return hasToolCalls ? 'tool_use' : 'end_turn';
    case 'error':
    case 'other':
      return hasToolCalls ? 'tool_use' : 'end_turn';
  }
}
