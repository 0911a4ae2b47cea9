import { FinishReason } from '../ir';
import { OpenAiChatFinishReason } from './openai-chat.types';

/**
 * OpenAI finish_reason → unified. `length` wins over tool calls by
 * construction (OpenAI reports `length` for a call cut short). Some
 * OpenAI-compatible servers (Ollama, older vLLM) answer `stop` while
 * returning tool calls: the turn still ends in tool calls, and clients of
 * other protocols (Anthropic `tool_use`) need to know it, so it becomes
 * `tool_calls` (the raw value stays beside it). A missing finish_reason is
 * inferred the same way.
 */
export function mapOpenAiChatFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'stop':
    case null:
    case undefined:
    case '':
      return hasToolCalls ? 'tool_calls' : 'stop';
    default:
      return 'other';
  }
}

/**
 * Unified → OpenAI. OpenAI's enum has no `error` or `other`: both become
 * `stop` (the turn ended; the client must not expect more).
 */
export function toOpenAiChatFinishReason(reason: FinishReason): OpenAiChatFinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'error':
    case 'other':
      return 'stop';
  }
}
