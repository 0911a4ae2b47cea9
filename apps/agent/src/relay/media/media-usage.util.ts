import { EMPTY_USAGE, Usage } from '@aigw/providers';

/** Largest count a usage field may hold (the usage log's integer columns). */
const MAX_COUNT = 2_147_483_647;

/** Upstream counts are untrusted: a non-negative finite number, floored and clamped; anything else 0. */
export function unitCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(Math.floor(value), MAX_COUNT) : 0;
}

/**
 * Tokens in OpenAI's media usage shape (`input_tokens` / `output_tokens`, as
 * gpt-image and gpt-4o-transcribe report them); null when none were reported.
 */
export function mediaTokens(usage: unknown): Usage | null {
  if (!usage || typeof usage !== 'object') return null;
  const fields = usage as Record<string, unknown>;
  const inputTokens = unitCount(fields.input_tokens);
  const outputTokens = unitCount(fields.output_tokens);
  if (inputTokens === 0 && outputTokens === 0) return null;
  return { ...EMPTY_USAGE, inputTokens, outputTokens };
}

/** What an images answer says: the images it holds and the tokens it reported. */
export function imagesAnswerUsage(text: string): { images: number; tokens: Usage | null } {
  const body = parseObject(text);
  return { images: Array.isArray(body?.data) ? body.data.length : 0, tokens: mediaTokens(body?.usage) };
}

/**
 * What a transcription or translation answer says of its audio: the tokens
 * (`usage.type: tokens`), or the duration (`usage.type: duration`, else
 * verbose_json's `duration`) in milliseconds. Plain text, SRT and VTT answers
 * say neither.
 */
export function transcriptionUsage(body: Record<string, unknown> | null): { tokens: Usage | null; audioMs: number | null } {
  const usage = body?.usage as Record<string, unknown> | undefined;
  if (usage?.type === 'tokens') return { tokens: mediaTokens(usage), audioMs: null };
  const seconds = usage?.type === 'duration' ? usage.seconds : body?.duration;
  return { tokens: null, audioMs: typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? unitCount(Math.ceil(seconds * 1000)) : null };
}

/** The bitrate a billing estimate assumes of audio whose duration nobody reported and its headers do not tell: 128 kbit/s. */
export const TYPICAL_AUDIO_BYTES_PER_SECOND = 16_000;

/** An estimate of an upload's duration from its size alone (flagged as estimated wherever it bills). */
export function audioMsFromSize(bytes: number): number {
  return unitCount(Math.ceil((bytes / TYPICAL_AUDIO_BYTES_PER_SECOND) * 1000));
}

/** The text of a moderation input (a string, strings, or content parts of which the text ones count). */
export function moderationText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  return input
    .map((item) => (typeof item === 'string' ? item : (item as { type?: unknown; text?: unknown } | null)?.type === 'text' ? String((item as { text?: unknown }).text ?? '') : ''))
    .join('\n');
}

/** A JSON object, or null for anything else (text formats, a malformed answer). */
export function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
