import { FinishReason } from '../ir';
import { ResponsesStatus } from './openai-responses.types';

/**
 * Response status (+ incomplete_details.reason) → unified finish reason.
 * The raw value is the incomplete reason when there is one, else the status.
 * A max-tokens cut wins over tool calls, as the IR requires.
 */
export function decodeResponsesFinishReason(
  status: ResponsesStatus | string | null | undefined,
  incompleteReason: string | null | undefined,
  hasToolCalls: boolean,
): { finishReason: FinishReason; rawFinishReason: string } {
  if (status === 'incomplete') {
    const raw = incompleteReason ?? 'incomplete';
    if (raw === 'max_output_tokens') return { finishReason: 'length', rawFinishReason: raw };
    if (raw === 'content_filter') return { finishReason: 'content_filter', rawFinishReason: raw };
    return { finishReason: 'other', rawFinishReason: raw };
  }
  if (status === 'failed') return { finishReason: 'error', rawFinishReason: status };
  if (status === 'completed' || status === undefined || status === null) {
    return { finishReason: hasToolCalls ? 'tool_calls' : 'stop', rawFinishReason: status ?? 'completed' };
  }
  return { finishReason: 'other', rawFinishReason: status };
}

/** Unified finish reason → the status (and incomplete reason) a Responses client expects. */
export function encodeResponsesStatus(finishReason: FinishReason): {
  status: 'completed' | 'incomplete' | 'failed';
  incompleteReason?: 'max_output_tokens' | 'content_filter';
} {
  switch (finishReason) {
    case 'length':
      return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
    case 'content_filter':
      return { status: 'incomplete', incompleteReason: 'content_filter' };
    case 'error':
      return { status: 'failed' };
    case 'stop':
    case 'tool_calls':
    case 'other':
      return { status: 'completed' };
  }
}
