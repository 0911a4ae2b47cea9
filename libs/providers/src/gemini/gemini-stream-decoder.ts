import { GatewayError, SseMessage, StreamDecoder, StreamEvent } from '../ir';
import { decodeGeminiError } from './gemini-errors';
import { isRecord } from './gemini-json.util';
import { responseCallId } from './gemini-tool-call-id';
import { GeminiGenerateContentResponse, GeminiUsageMetadata } from './gemini.types';
import { mapGeminiBlockReason, mapGeminiFinishReason } from './map-gemini-finish-reason';
import { mapGeminiPromptUsage, mapGeminiUsage } from './map-gemini-usage';

/**
 * `streamGenerateContent?alt=sse` → canonical events. Every SSE message is a
 * whole GenerateContentResponse chunk: no event names, no [DONE]; text and
 * thoughts arrive as successive parts, usageMetadata on (nearly) every chunk
 * (the last one wins), finishReason on the last chunk.
 *
 * - `start` on the first chunk (responseId, modelVersion, prompt usage);
 * - consecutive text chunks extend one text part, consecutive thought chunks
 *   one reasoning part (a second thought signature starts a new one);
 * - a thoughtSignature on an answer-text part becomes a signature-only
 *   reasoning part before that text (as decodeGeminiModelParts does), so a
 *   signature on the first chunk (Gemini 2.5) keeps the text in one part and
 *   one on the final empty chunk (Gemini 3) lands after it;
 * - a functionCall part is complete when it arrives (Gemini never streams
 *   partial arguments): tool-call-start, one delta with the whole JSON,
 *   part-end;
 * - finish when a finishReason arrives; a chunk with `error` (Gemini reports
 *   mid-stream failures that way) becomes an error event. Either ends the
 *   stream: later messages are ignored.
 */
export class GeminiStreamDecoder implements StreamDecoder {
  private started = false;
  private ended = false;
  private responseId = '';
  private nextIndex = 0;
  private open: { index: number; kind: 'text' | 'reasoning'; signed: boolean } | null = null;
  private sawToolCall = false;
  private usage: GeminiUsageMetadata | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  decode(message: SseMessage): StreamEvent[] {
    if (this.ended) return [];
    const data = message.data.trim();
    if (data === '' || data === '[DONE]') return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.fail(new GatewayError('upstream', 'the Gemini upstream sent a stream chunk that is not JSON', { retryable: !this.started }));
    }
    if (Array.isArray(chunk)) chunk = chunk[0];
    if (!isRecord(chunk)) return this.fail(new GatewayError('upstream', 'the Gemini upstream sent a stream chunk that is not an object', { retryable: !this.started }));
    if (isRecord(chunk.error)) {
      const code = typeof chunk.error.code === 'number' ? chunk.error.code : 500;
      return this.fail(decodeGeminiError(code, chunk));
    }
    return this.decodeChunk(chunk as GeminiGenerateContentResponse);
  }

  end(): StreamEvent[] {
    if (this.ended) return [];
    return this.fail(new GatewayError('upstream', 'the Gemini stream ended before a finishReason', { retryable: !this.started }));
  }

  private decodeChunk(chunk: GeminiGenerateContentResponse): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (isRecord(chunk.usageMetadata)) this.usage = chunk.usageMetadata;
    if (!this.started) {
      this.started = true;
      this.responseId = typeof chunk.responseId === 'string' ? chunk.responseId : `gemini-${this.now().toString(36)}`;
      const usage = mapGeminiPromptUsage(this.usage);
      events.push({
        type: 'start',
        id: this.responseId,
        model: typeof chunk.modelVersion === 'string' ? chunk.modelVersion : '',
        created: Math.floor(this.now() / 1000),
        ...(usage ? { usage } : {}),
      });
    }
    const candidate = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
    if (!isRecord(candidate)) {
      const blockReason = chunk.promptFeedback?.blockReason;
      if (typeof blockReason === 'string') {
        this.ended = true;
        events.push({ type: 'finish', finishReason: mapGeminiBlockReason(blockReason), rawFinishReason: blockReason, usage: mapGeminiUsage(this.usage) });
      }
      return events;
    }
    const parts = isRecord(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
    for (const part of parts) {
      const error = this.decodePart(part, events);
      if (error) return [...events, ...this.fail(error)];
    }
    if (typeof candidate.finishReason === 'string') {
      this.close(events);
      this.ended = true;
      events.push({
        type: 'finish',
        finishReason: mapGeminiFinishReason(candidate.finishReason, this.sawToolCall),
        rawFinishReason: candidate.finishReason,
        usage: mapGeminiUsage(this.usage),
      });
    }
    return events;
  }

  /** Appends the part's events; returns an error for a part the IR cannot carry. */
  private decodePart(part: unknown, events: StreamEvent[]): GatewayError | undefined {
    if (!isRecord(part)) return new GatewayError('upstream', 'the Gemini upstream sent a part that is not an object', { retryable: false });
    const signature = typeof part.thoughtSignature === 'string' && part.thoughtSignature !== '' ? part.thoughtSignature : undefined;
    if (isRecord(part.functionCall)) {
      const call = part.functionCall;
      if (typeof call.name !== 'string') return new GatewayError('upstream', 'the Gemini upstream sent a functionCall without a name', { retryable: false });
      this.close(events);
      const index = this.nextIndex++;
      this.sawToolCall = true;
      events.push(
        {
          type: 'tool-call-start',
          index,
          id: typeof call.id === 'string' && call.id !== '' ? call.id : responseCallId(this.responseId, index),
          name: call.name,
          ...(signature ? { thoughtSignature: signature } : {}),
        },
        { type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(isRecord(call.args) ? call.args : {}) },
        { type: 'part-end', index },
      );
      return undefined;
    }
    const text = typeof part.text === 'string' ? part.text : undefined;
    if (text === undefined && !signature) {
      const kind = ['inlineData', 'fileData', 'executableCode', 'codeExecutionResult'].find((key) => part[key] !== undefined) ?? 'an empty part';
      if (kind === 'an empty part') return undefined;
      return new GatewayError('upstream', `the Gemini upstream streamed ${kind}, which the gateway cannot translate`, { retryable: false });
    }
    if (part.thought === true) {
      if (!text && !signature) return undefined;
      if (this.open?.kind !== 'reasoning' || (signature && this.open.signed)) this.openPart('reasoning', events);
      if (signature) this.open!.signed = true;
      events.push({ type: 'reasoning-delta', index: this.open!.index, ...(text ? { text } : {}), ...(signature ? { signature } : {}), provider: 'gemini' });
      return undefined;
    }
    if (signature) {
      this.close(events);
      const index = this.nextIndex++;
      events.push({ type: 'reasoning-delta', index, signature, provider: 'gemini' }, { type: 'part-end', index });
    }
    if (text) {
      if (this.open?.kind !== 'text') this.openPart('text', events);
      events.push({ type: 'text-delta', index: this.open!.index, text });
    }
    return undefined;
  }

  private openPart(kind: 'text' | 'reasoning', events: StreamEvent[]): void {
    this.close(events);
    this.open = { index: this.nextIndex++, kind, signed: false };
  }

  private close(events: StreamEvent[]): void {
    if (this.open) events.push({ type: 'part-end', index: this.open.index });
    this.open = null;
  }

  private fail(error: GatewayError): StreamEvent[] {
    this.ended = true;
    return [{ type: 'error', error }];
  }
}
