import type { Protocol } from './types';

/**
 * One server-sent event in the protocol's exact framing:
 * - OpenAI Chat: `data: <json>\n\n` (the stream ends with `data: [DONE]\n\n`, see chatTerminator);
 * - OpenAI Responses and Anthropic: `event: <type>\ndata: <json>\n\n`, the event name being data.type;
 * - Gemini (`?alt=sse`): `data: <json>\r\n\r\n`, no event names and no terminator.
 * A string payload is written raw.
 */
export function frameEvent(protocol: Protocol, data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  const name = event ?? (protocol === 'anthropic' || protocol === 'openai-responses' ? typeOf(data) : undefined);
  const newline = protocol === 'gemini' ? '\r\n' : '\n';
  return `${name === undefined ? '' : `event: ${name}${newline}`}data: ${payload}${newline}${newline}`;
}

export const CHAT_TERMINATOR = 'data: [DONE]\n\n';

/**
 * Anthropic sends `ping` events the SDKs drop, so SDK-recorded captures lack them; the wire has one
 * right after message_start (https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types).
 */
export const ANTHROPIC_PING = 'event: ping\ndata: {"type": "ping"}\n\n';

/** Frames of a captured (already parsed) event array, as the provider put them on the wire. */
export function frameCapturedEvents(protocol: Protocol, events: unknown[]): string[] {
  const frames: string[] = [];
  for (const event of events) {
    frames.push(frameEvent(protocol, event));
    if (protocol === 'anthropic' && typeOf(event) === 'message_start') frames.push(ANTHROPIC_PING);
  }
  if (protocol === 'openai-chat') frames.push(CHAT_TERMINATOR);
  return frames;
}

/**
 * Gemini :streamGenerateContent without `alt=sse` answers one JSON array, written element by
 * element as the chunks are produced.
 */
export function frameGeminiJsonArray(chunks: unknown[]): string[] {
  if (chunks.length === 0) return ['[]'];
  return chunks.map((chunk, index) => `${index === 0 ? '[' : '\n,\r\n'}${JSON.stringify(chunk, null, 2)}${index === chunks.length - 1 ? '\n]' : ''}`);
}

/**
 * With `stream_options.include_usage`, OpenAI Chat puts `usage: null` on every chunk and ends with
 * one chunk of `choices: []` and the usage. None of the captures asked for it, so when the request
 * does, synthesize that from the case's non-streaming capture of the same prompt.
 */
export function addChatUsageChunk(chunks: unknown[], usage: unknown): unknown[] {
  if (usage === undefined || chunks.some((chunk) => isRecord(chunk) && chunk.usage)) return chunks;
  const last = chunks.at(-1);
  if (!isRecord(last)) return chunks;
  const withNullUsage = chunks.map((chunk) => (isRecord(chunk) ? { ...chunk, usage: null } : chunk));
  const { choices: _choices, obfuscation: _obfuscation, ...envelope } = last;
  return [...withNullUsage, { ...envelope, choices: [], usage }];
}

function typeOf(value: unknown): string | undefined {
  return isRecord(value) && typeof value.type === 'string' ? value.type : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
