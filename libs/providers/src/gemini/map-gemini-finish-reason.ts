import { FinishReason } from '../ir';

/** Every Candidate.FinishReason the API documents (https://ai.google.dev/api/generate-content#FinishReason). */
const GEMINI_FINISH_REASONS: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
  MISSING_THOUGHT_SIGNATURE: 'error',
  MALFORMED_RESPONSE: 'error',
  LANGUAGE: 'other',
  OTHER: 'other',
  NO_IMAGE: 'other',
  IMAGE_OTHER: 'other',
  FINISH_REASON_UNSPECIFIED: 'other',
};

/** PromptFeedback.BlockReason: the prompt itself was refused, no candidate. */
const GEMINI_BLOCK_REASONS = new Set(['SAFETY', 'OTHER', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'IMAGE_SAFETY', 'BLOCK_REASON_UNSPECIFIED']);

/**
 * Gemini says STOP after function calls too: a turn with a functionCall part
 * that stopped normally is `tool_calls`. MAX_TOKENS stays `length` even with
 * a call in it (the IR rule: a cut wins over tool calls).
 */
export function mapGeminiFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  const reason = raw ? (GEMINI_FINISH_REASONS[raw] ?? 'other') : 'other';
  return reason === 'stop' && hasToolCalls ? 'tool_calls' : reason;
}

/** A prompt blocked before generation (promptFeedback.blockReason). */
export function mapGeminiBlockReason(raw: string): FinishReason {
  return GEMINI_BLOCK_REASONS.has(raw) ? 'content_filter' : 'other';
}

/**
 * The unified reason → Gemini's. The upstream's own raw value is reused when
 * it is a Gemini reason meaning the same thing (RECITATION stays RECITATION);
 * another protocol's raw value (`end_turn`) is not.
 */
export function toGeminiFinishReason(reason: FinishReason, raw?: string): string {
  if (raw && raw in GEMINI_FINISH_REASONS) {
    const unified = GEMINI_FINISH_REASONS[raw];
    if (unified === reason || (reason === 'tool_calls' && raw === 'STOP')) return raw;
  }
  switch (reason) {
    case 'stop':
    case 'tool_calls':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    case 'error':
    case 'other':
      // OTHER, not a newer value: some SDKs (firebase_ai) throw on reasons they do not know.
      return 'OTHER';
  }
}
