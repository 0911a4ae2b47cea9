import { ChatResponse, ClientResponseContext, GatewayError } from '../ir';
import { encodeGeminiModelParts } from './encode-gemini-model-parts';
import { GeminiGenerateContentResponse } from './gemini.types';
import { toGeminiFinishReason } from './map-gemini-finish-reason';
import { toGeminiUsage } from './map-gemini-usage';

/**
 * ChatResponse → a generateContent answer for a Gemini client: one candidate,
 * its parts in the answer's order (see encodeGeminiModelParts), finishReason,
 * usageMetadata, `modelVersion` = the model the client asked for, and
 * `responseId` = the answer's id.
 *
 * A tool call whose arguments are not a JSON object (another provider cut
 * short mid-call) cannot be a functionCall: an upstream error rather than a
 * silently dropped call.
 */
export function encodeGeminiResponse(response: ChatResponse, context: ClientResponseContext): GeminiGenerateContentResponse {
  const parts = encodeGeminiModelParts(
    response.content,
    () => new GatewayError('upstream', 'the upstream produced tool call arguments that are not a JSON object', { retryable: false }),
  );
  return {
    candidates: [
      {
        content: { parts, role: 'model' },
        finishReason: toGeminiFinishReason(response.finishReason, response.rawFinishReason),
        index: 0,
      },
    ],
    usageMetadata: toGeminiUsage(response.usage),
    modelVersion: context.model,
    responseId: response.id,
  };
}
