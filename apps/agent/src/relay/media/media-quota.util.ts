import { PolicyModel } from '@aigw/contracts';
import { BillableUsage, computeCostMicros } from '@aigw/quota';
import { MEDIA_PART_RESERVED_TOKENS, promptTokenBound } from '../relay-quota.util';

/** Output tokens reserved per generated image for token-priced image models (gpt-image-1 at high quality and 1536×1024: 6,208). */
export const IMAGE_RESERVED_OUTPUT_TOKENS = 8_192;
/**
 * The lowest bitrate assumed of an upload whose duration cannot be read from
 * its headers: 16 kbit/s (below any speech codec OpenAI takes), so the
 * reservation bounds the audio's length.
 */
export const MIN_AUDIO_BYTES_PER_SECOND = 2_000;
/** Input audio tokens reserved per second for token-priced transcription models (gpt-4o-transcribe bills about 10). */
export const AUDIO_RESERVED_TOKENS_PER_SECOND = 50;
/** Output (text) tokens reserved per second of audio: well above the fastest speech. */
export const TRANSCRIPT_RESERVED_TOKENS_PER_SECOND = 20;

const NO_TOKENS: BillableUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0 };

/**
 * The most an images request can cost: n images at the per-image price, or —
 * for a token-priced model — the prompt bound and the input images at the
 * input price plus IMAGE_RESERVED_OUTPUT_TOKENS an image at the output price;
 * whichever is more (the bill is one or the other).
 */
export function imagesWorstCaseMicros(prompt: string, images: number, inputImages: number, model: PolicyModel | undefined, groupRatioPpm: number): number {
  if (!model) return 0;
  const perImage = computeCostMicros({ ...NO_TOKENS, images }, model, groupRatioPpm);
  const inputTokens = promptTokenBound(prompt) + inputImages * MEDIA_PART_RESERVED_TOKENS;
  const byTokens = computeCostMicros({ ...NO_TOKENS, inputTokens, outputTokens: images * IMAGE_RESERVED_OUTPUT_TOKENS }, model, groupRatioPpm);
  return Math.max(perImage, byTokens);
}

/**
 * The most a transcription or translation can cost: its duration (read from
 * the upload, else bounded by its size at MIN_AUDIO_BYTES_PER_SECOND) at the
 * per-second price, or in tokens for a token-priced model.
 */
export function transcriptionWorstCaseMicros(
  durationMs: number | null,
  uploadBytes: number,
  prompt: string,
  model: PolicyModel | undefined,
  groupRatioPpm: number,
): number {
  if (!model) return 0;
  const audioMs = durationMs ?? Math.ceil((uploadBytes / MIN_AUDIO_BYTES_PER_SECOND) * 1000);
  const seconds = Math.ceil(audioMs / 1000);
  const perSecond = computeCostMicros({ ...NO_TOKENS, audioMs }, model, groupRatioPpm);
  const byTokens = computeCostMicros(
    { ...NO_TOKENS, inputTokens: seconds * AUDIO_RESERVED_TOKENS_PER_SECOND + promptTokenBound(prompt), outputTokens: seconds * TRANSCRIPT_RESERVED_TOKENS_PER_SECOND },
    model,
    groupRatioPpm,
  );
  return Math.max(perSecond, byTokens);
}

/** Speech is billed by its input's characters, known up front: the reservation is the cost. */
export function speechCostMicros(characters: number, model: PolicyModel | undefined, groupRatioPpm: number): number {
  return model ? computeCostMicros({ ...NO_TOKENS, characters }, model, groupRatioPpm) : 0;
}

/** Rerank's search units are known up front too (reported ones can only be fewer or, for very long documents, a few more). */
export function rerankWorstCaseMicros(searchUnits: number, model: PolicyModel | undefined, groupRatioPpm: number): number {
  return model ? computeCostMicros({ ...NO_TOKENS, searchUnits }, model, groupRatioPpm) : 0;
}

/** Moderation input at the input price (free unless the model has one). */
export function moderationWorstCaseMicros(input: unknown, model: PolicyModel | undefined, groupRatioPpm: number): number {
  return model ? computeCostMicros({ ...NO_TOKENS, inputTokens: promptTokenBound(input) }, model, groupRatioPpm) : 0;
}
