import { AssistantPart, ChatResponse, GatewayError } from '../ir';
import { decodeGeminiModelParts } from './decode-gemini-model-parts';
import { isRecord } from './gemini-json.util';
import { responseCallId } from './gemini-tool-call-id';
import { GeminiGenerateContentResponse } from './gemini.types';
import { mapGeminiBlockReason, mapGeminiFinishReason } from './map-gemini-finish-reason';
import { mapGeminiUsage } from './map-gemini-usage';

/**
 * A generateContent answer → ChatResponse: candidates[0]'s parts in order,
 * finishReason mapped (STOP with a functionCall → tool_calls, MAX_TOKENS →
 * length), usage normalised. A prompt blocked before generation
 * (promptFeedback.blockReason, no candidate) is an empty content_filter
 * answer. Grounding / citation metadata has no IR field and only comes with
 * built-in tools, which this gateway refuses.
 *
 * Parts the IR cannot carry (generated images, code execution) mean the
 * upstream answered something we did not ask for: an `upstream` error.
 */
export function decodeGeminiResponse(body: unknown, now: () => number = Date.now): ChatResponse {
  if (!isRecord(body)) throw new GatewayError('upstream', 'the Gemini upstream answered with a non-object body', { retryable: false });
  const response = body as GeminiGenerateContentResponse;
  const id = typeof response.responseId === 'string' && response.responseId !== '' ? response.responseId : `gemini-${now().toString(36)}`;
  const base = {
    id,
    model: typeof response.modelVersion === 'string' ? response.modelVersion : '',
    created: createdSeconds(response.createTime, now),
    usage: mapGeminiUsage(response.usageMetadata),
  };
  const candidate = Array.isArray(response.candidates) ? response.candidates[0] : undefined;
  if (!isRecord(candidate)) {
    const blockReason = response.promptFeedback?.blockReason;
    if (typeof blockReason === 'string') return { ...base, content: [], finishReason: mapGeminiBlockReason(blockReason), rawFinishReason: blockReason };
    throw new GatewayError('upstream', 'the Gemini upstream answered without a candidate', { retryable: true });
  }
  const parts = isRecord(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
  const content = decodeUpstreamParts(parts, (index) => responseCallId(id, index));
  const raw = typeof candidate.finishReason === 'string' ? candidate.finishReason : undefined;
  return {
    ...base,
    content,
    finishReason: mapGeminiFinishReason(raw, content.some((part) => part.type === 'tool-call')),
    ...(raw !== undefined ? { rawFinishReason: raw } : {}),
  };
}

/** decodeGeminiModelParts, with its client-facing errors turned into upstream faults. */
export function decodeUpstreamParts(parts: unknown[], callId: (index: number) => string): AssistantPart[] {
  try {
    return decodeGeminiModelParts(parts, 'candidates[0].content.parts', callId);
  } catch (error) {
    if (error instanceof GatewayError) throw new GatewayError('upstream', `the Gemini upstream answered with content the gateway cannot translate: ${error.message}`, { retryable: false });
    throw error;
  }
}

function createdSeconds(createTime: unknown, now: () => number): number {
  const parsed = typeof createTime === 'string' ? Date.parse(createTime) : Number.NaN;
  return Math.floor((Number.isNaN(parsed) ? now() : parsed) / 1000);
}
