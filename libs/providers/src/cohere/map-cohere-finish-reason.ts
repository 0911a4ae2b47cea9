import { FinishReason } from '../ir';

/**
 * Cohere finish_reason → unified (ChatFinishReason in cohere-ai's SDKs:
 * COMPLETE, STOP_SEQUENCE, MAX_TOKENS, TOOL_CALL, ERROR). A value newer than
 * this list is `other`; the raw value travels beside it.
 */
export function mapCohereFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case 'COMPLETE':
    case 'STOP_SEQUENCE':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    case 'ERROR':
      return 'error';
    case null:
    case undefined:
    case '':
      return hasToolCalls ? 'tool_calls' : 'stop';
    default:
      return 'other';
  }
}
