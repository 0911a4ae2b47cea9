import { GatewayError, SseMessage, StreamDecoder, StreamEvent } from '../ir';
import { mapOpenAiChatFinishReason } from './map-openai-chat-finish-reason';
import { decodeOpenAiChatUsage } from './map-openai-chat-usage';
import { decodeOpenAiChatInBandError } from './openai-chat-errors';
import { OpenAiChatChunk, OpenAiChatToolCallDelta, OpenAiChatUsage } from './openai-chat.types';
import { isJsonObject } from './read-json.util';

type OpenPart = { kind: 'text' | 'reasoning' } | { kind: 'tool'; key: number };

/**
 * Upstream `chat.completion.chunk` messages → canonical events.
 *
 * OpenAI's stream: chunks with deltas for choice 0, one chunk carrying
 * finish_reason, then (stream_options.include_usage, which the encoder
 * always sets) a chunk with `choices: []` and the usage, then `data: [DONE]`.
 * `finish` is therefore emitted at [DONE], when usage is known.
 *
 * Azure OpenAI adds content-filter annotations: a first chunk of `choices: []`
 * with `prompt_filter_results` (skipped until a real chunk starts the answer),
 * `content_filter_results` on choices, and chunks with no `delta` at all.
 *
 * Parts are numbered as they appear: reasoning (`reasoning_content` /
 * `reasoning`), text (`content`, and `refusal` as text), tool calls keyed by
 * their `index` (servers that omit it — Gemini's OpenAI endpoint — send each
 * call whole; a new id starts a new call). The open part is closed when
 * another begins; OpenAI never goes back to a closed part, and a late
 * fragment would still be delivered under its part index.
 */
export class OpenAiChatStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private outputStarted = false;
  private nextPartIndex = 0;
  private open: (OpenPart & { index: number }) | null = null;
  private readonly toolCalls = new Map<number, { partIndex: number; id: string }>();
  private lastToolKey: number | undefined;
  private finishSeen = false;
  private rawFinishReason: string | undefined;
  private stopSequence: string | undefined;
  private usage: OpenAiChatUsage | undefined;

  decode(message: SseMessage): StreamEvent[] {
    if (this.done) return [];
    const data = message.data.trim();
    if (data === '') return [];
    if (data === '[DONE]') return this.finish();

    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return this.fail(new GatewayError('upstream', 'the upstream stream sent a message that is not JSON', { retryable: !this.outputStarted }));
    }
    if (!isJsonObject(chunk)) {
      return this.fail(new GatewayError('upstream', 'the upstream stream sent a message that is not an object', { retryable: !this.outputStarted }));
    }
    if (isJsonObject(chunk.error)) return this.fail(decodeOpenAiChatInBandError(chunk.error, this.outputStarted));
    return this.decodeChunk(chunk as OpenAiChatChunk);
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    // finish_reason and usage both arrived: the answer is complete, only the [DONE] sentinel is missing.
    if (this.finishSeen && this.usage) return this.finish();
    return this.fail(
      new GatewayError('upstream', 'the upstream stream ended before its end ([DONE])', { retryable: !this.outputStarted }),
    );
  }

  private decodeChunk(chunk: OpenAiChatChunk): StreamEvent[] {
    const events: StreamEvent[] = [];
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    // Azure OpenAI opens with `choices: []` and its prompt_filter_results, id and model empty
    // (https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter): not the answer's start.
    if (!this.started && choices.length === 0 && !chunk.usage) return events;
    if (!this.started) {
      this.started = true;
      events.push({
        type: 'start',
        id: chunk.id ?? '',
        model: chunk.model ?? '',
        created: chunk.created ?? Math.floor(Date.now() / 1000),
      });
    }
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of choices) {
      if (!choice || (choice.index ?? 0) !== 0) continue;
      const delta = choice.delta ?? {};
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning !== '') events.push(...this.contentDelta('reasoning', reasoning));
      if (typeof delta.content === 'string' && delta.content !== '') events.push(...this.contentDelta('text', delta.content));
      if (typeof delta.refusal === 'string' && delta.refusal !== '') events.push(...this.contentDelta('text', delta.refusal));
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) if (call) events.push(...this.toolCallDelta(call));
      if (choice.finish_reason) {
        this.finishSeen = true;
        this.rawFinishReason = choice.finish_reason;
        events.push(...this.closeOpenPart());
      }
      if (typeof choice.stop_reason === 'string') this.stopSequence = choice.stop_reason;
    }
    return events;
  }

  private contentDelta(kind: 'text' | 'reasoning', text: string): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (this.open?.kind !== kind) {
      events.push(...this.closeOpenPart());
      this.open = { kind, index: this.nextPartIndex++ };
    }
    this.outputStarted = true;
    const index = this.open.index;
    events.push(kind === 'text' ? { type: 'text-delta', index, text } : { type: 'reasoning-delta', index, text });
    return events;
  }

  private toolCallDelta(delta: OpenAiChatToolCallDelta): StreamEvent[] {
    const key = this.toolKey(delta);
    const events: StreamEvent[] = [];
    let call = this.toolCalls.get(key);
    if (!call) {
      events.push(...this.closeOpenPart());
      // Some compatible servers omit ids; the client needs one to answer the call.
      call = { partIndex: this.nextPartIndex++, id: delta.id || `call_${key}` };
      this.toolCalls.set(key, call);
      this.open = { kind: 'tool', key, index: call.partIndex };
      this.outputStarted = true;
      events.push({ type: 'tool-call-start', index: call.partIndex, id: call.id, name: delta.function?.name ?? '' });
    }
    this.lastToolKey = key;
    const fragment = delta.function?.arguments;
    if (typeof fragment === 'string' && fragment !== '') {
      events.push({ type: 'tool-call-delta', index: call.partIndex, argumentsDelta: fragment });
    }
    return events;
  }

  private toolKey(delta: OpenAiChatToolCallDelta): number {
    if (typeof delta.index === 'number') return delta.index;
    const known = delta.id ? [...this.toolCalls.entries()].find(([, call]) => call.id === delta.id) : undefined;
    if (known) return known[0];
    if (delta.id || this.lastToolKey === undefined) return this.toolCalls.size === 0 ? 0 : Math.max(...this.toolCalls.keys()) + 1;
    return this.lastToolKey;
  }

  private closeOpenPart(): StreamEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = null;
    return [{ type: 'part-end', index }];
  }

  private finish(): StreamEvent[] {
    if (!this.started) {
      return this.fail(new GatewayError('upstream', 'the upstream stream ended without an answer', { retryable: true }));
    }
    const events = this.closeOpenPart();
    this.done = true;
    events.push({
      type: 'finish',
      finishReason: mapOpenAiChatFinishReason(this.rawFinishReason, this.toolCalls.size > 0),
      ...(this.rawFinishReason ? { rawFinishReason: this.rawFinishReason } : {}),
      ...(this.stopSequence !== undefined ? { stopSequence: this.stopSequence } : {}),
      usage: decodeOpenAiChatUsage(this.usage),
    });
    return events;
  }

  private fail(error: GatewayError): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error }];
  }
}
