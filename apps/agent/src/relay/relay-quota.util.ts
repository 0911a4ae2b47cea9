import { PolicyModel } from '@aigw/contracts';
import { ChatRequest, GatewayError } from '@aigw/providers';
import { computeCostMicros } from '@aigw/quota';

/** Tokens reserved per image, file or audio part (above what the largest providers charge for one image). */
export const MEDIA_PART_RESERVED_TOKENS = 2_000;
/** Output tokens reserved when the request sets no max_tokens (documented: a longer answer can exceed its reservation). */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 4_096;
/** Above this, max_tokens is refused as absurd (no model generates a million tokens in one answer). */
export const MAX_OUTPUT_TOKENS = 1_048_576;
/** OpenAI's own cap on `n`. */
export const MAX_CHOICES = 128;

const MEDIA_TYPES = new Set(['image', 'file', 'audio']);

/**
 * An upper bound on a prompt's tokens without a tokenizer: every UTF-8 byte
 * of its text (a BPE token is at least one byte), plus MEDIA_PART_RESERVED_TOKENS per
 * image/file part — whose bytes (base64) are not counted. Over-estimates
 * ordinary text about four times: safe for a reservation, never billed.
 */
export function promptTokenBound(value: unknown, depth = 0): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'boolean') return 1;
  if (!value || typeof value !== 'object' || depth > 64) return 0;
  if (Array.isArray(value)) {
    let total = 0;
    for (const item of value) total += promptTokenBound(item, depth + 1);
    return total;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.type === 'string' && MEDIA_TYPES.has(record.type)) return MEDIA_PART_RESERVED_TOKENS;
  let total = 0;
  for (const key in record) total += promptTokenBound(record[key], depth + 1);
  return total;
}

/** Absurd max_tokens / n are the client's error (400), before anything is reserved. */
export function assertSaneLimits(maxOutputTokens: number | undefined, choices: number | undefined): void {
  if (maxOutputTokens !== undefined && (!Number.isInteger(maxOutputTokens) || maxOutputTokens < 1 || maxOutputTokens > MAX_OUTPUT_TOKENS)) {
    throw new GatewayError('invalid_request', `max_tokens must be an integer from 1 to ${MAX_OUTPUT_TOKENS}`, { param: 'max_tokens' });
  }
  if (choices !== undefined && (!Number.isInteger(choices) || choices < 1 || choices > MAX_CHOICES)) {
    throw new GatewayError('invalid_request', `n must be an integer from 1 to ${MAX_CHOICES}`, { param: 'n' });
  }
}

/**
 * The most a chat request can cost: the prompt bound at the input price plus
 * max_tokens (or DEFAULT_RESERVED_OUTPUT_TOKENS) × n, and any thinking budget,
 * at the output price, with the group multiplier. 0 for an unpriced model.
 */
export function chatWorstCaseMicros(
  chat: ChatRequest,
  model: PolicyModel | undefined,
  groupRatioPpm: number,
  /** The client's body, when only it carries the prompt (a request forwarded untranslated). */
  rawBody?: unknown,
): number {
  assertSaneLimits(chat.maxOutputTokens, chat.n);
  if (!model) return 0;
  const inputTokens = promptTokenBound(rawBody ?? [chat.system, chat.messages, chat.tools ?? null, chat.responseFormat ?? null]);
  const perChoice = (chat.maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS) + (chat.reasoning?.budgetTokens ?? 0);
  const outputTokens = perChoice * (chat.n ?? 1);
  return computeCostMicros({ inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteInputTokens: 0 }, model, groupRatioPpm);
}

/** The same for /v1/embeddings (input only) and legacy /v1/completions (prompt + max_tokens, default 16, × n). */
export function auxiliaryWorstCaseMicros(
  kind: 'embeddings' | 'completions',
  body: Record<string, unknown>,
  model: PolicyModel | undefined,
  groupRatioPpm: number,
): number {
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : undefined;
  const choices = typeof body.n === 'number' ? body.n : undefined;
  if (kind === 'completions') assertSaneLimits(maxTokens, choices);
  if (!model) return 0;
  const inputTokens = promptTokenBound(kind === 'embeddings' ? body.input : body.prompt);
  const outputTokens = kind === 'completions' ? (maxTokens ?? 16) * (choices ?? 1) : 0;
  return computeCostMicros({ inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteInputTokens: 0 }, model, groupRatioPpm);
}
