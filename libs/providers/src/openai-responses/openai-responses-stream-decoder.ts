import { GatewayError, ReasoningDelta, SseMessage, StreamDecoder, StreamEvent } from '../ir';
import { SERVER_SIDE_ITEM_TYPES, untranslatableItem } from './decode-openai-responses-response';
import { decodeOpenAiResponsesErrorCode } from './openai-responses-errors';
import { decodeResponsesFinishReason } from './map-openai-responses-finish-reason';
import { decodeResponsesUsage } from './map-openai-responses-usage';
import { ResponsesMessagePhase, ResponsesStreamEvent, ResponsesTextDelta } from './openai-responses.types';

interface PartState {
  index: number;
  /** Text (or arguments) emitted so far, to reconcile with the `.done` events' full value. */
  emitted: string;
  open: boolean;
  ended: boolean;
}

interface ItemState {
  kind: 'message' | 'reasoning' | 'function_call' | 'skipped';
  id: string;
  phase?: ResponsesMessagePhase;
  /** message: by content_index; reasoning: `s<summary_index>` / `c<content_index>`; function_call: 'call'. */
  parts: Map<string, PartState>;
  /** reasoning: the IR index reserved at output_item.added for the item's first part. */
  reservedIndex?: number;
  /** reasoning: the part still open (parts are strictly sequential). */
  current?: PartState;
}

/**
 * Upstream Responses SSE → canonical events. Each reasoning summary part,
 * raw reasoning text part and message content part is one IR part; the
 * item's encrypted_content arrives with output_item.done and goes on its
 * last part. Every `.done` event is reconciled with what the deltas said, so
 * text an upstream sends only in `.done` is not lost.
 */
export class OpenAiResponsesStreamDecoder implements StreamDecoder {
  private started = false;
  private finished = false;
  private nextIndex = 0;
  private sawToolCall = false;
  private readonly items = new Map<number, ItemState>();
  private readonly itemsById = new Map<string, ItemState>();

  decode(message: SseMessage): StreamEvent[] {
    if (this.finished || message.data === '[DONE]') return [];
    let event: ResponsesStreamEvent;
    try {
      event = JSON.parse(message.data) as ResponsesStreamEvent;
    } catch {
      return this.fail(new GatewayError('upstream', 'The upstream sent a stream event that is not JSON.', { retryable: true }));
    }
    const out: StreamEvent[] = [];
    try {
      this.handle(event, out);
    } catch (error) {
      if (error instanceof GatewayError) return [...out, ...this.fail(error)];
      throw error;
    }
    return out;
  }

  end(): StreamEvent[] {
    if (this.finished) return [];
    return this.fail(new GatewayError('upstream', 'The upstream stream ended before response.completed.', { retryable: true }));
  }

  private fail(error: GatewayError): StreamEvent[] {
    this.finished = true;
    return [{ type: 'error', error }];
  }

  private handle(event: ResponsesStreamEvent, out: StreamEvent[]): void {
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        return this.start(event, out);
      case 'response.output_item.added':
        return this.itemAdded(event, out);
      case 'response.output_item.done':
        return this.itemDone(event, out);
      case 'response.content_part.added':
        this.messagePart(event);
        return;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        return this.text(event, event.delta ?? '', out);
      case 'response.output_text.done':
        return this.text(event, remainder(this.messagePart(event).emitted, event.text), out);
      case 'response.refusal.done':
        return this.text(event, remainder(this.messagePart(event).emitted, event.refusal), out);
      case 'response.content_part.done': {
        const part = this.messagePart(event);
        this.text(event, remainder(part.emitted, event.part?.text ?? event.part?.refusal), out);
        return this.endPart(part, out);
      }
      case 'response.reasoning_summary_part.added':
        this.reasoningPart(event, `s${event.summary_index ?? 0}`, true, out);
        return;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return this.reasoningText(event, event.delta ?? '', out);
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_text.done':
        return this.reasoningText(event, undefined, out);
      case 'response.function_call_arguments.delta':
        return this.argumentsDelta(event, event.delta ?? '', out);
      case 'response.function_call_arguments.done': {
        const item = this.item(event);
        if (item?.kind === 'function_call') this.argumentsDelta(event, remainder(item.parts.get('call')!.emitted, event.arguments), out);
        return;
      }
      case 'response.completed':
      case 'response.incomplete':
        return this.finish(event, out);
      case 'response.failed':
        throw decodeOpenAiResponsesErrorCode(event.response?.error?.code, event.response?.error?.message);
      case 'error':
        throw decodeOpenAiResponsesErrorCode(event.code, event.message, event.param);
      default:
        // Built-in tool progress, annotations, obfuscation-only events: nothing to translate.
        return;
    }
  }

  private start(event: ResponsesStreamEvent, out: StreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    const response = event.response;
    out.push({ type: 'start', id: response?.id ?? '', model: response?.model ?? '', created: response?.created_at ?? Math.floor(Date.now() / 1000) });
  }

  private ensureStarted(out: StreamEvent[]): void {
    if (!this.started) this.start({ type: 'response.created' }, out);
  }

  private itemAdded(event: ResponsesStreamEvent, out: StreamEvent[]): void {
    this.ensureStarted(out);
    const raw = (event.item ?? { type: 'unknown' }) as Record<string, any>;
    const outputIndex = event.output_index ?? this.items.size;
    const item: ItemState = { kind: 'skipped', id: String(raw.id ?? ''), parts: new Map() };
    if (raw.type === 'message') {
      item.kind = 'message';
      if (raw.phase === 'commentary' || raw.phase === 'final_answer') item.phase = raw.phase;
    } else if (raw.type === 'reasoning') {
      item.kind = 'reasoning';
      item.reservedIndex = this.nextIndex++;
    } else if (raw.type === 'function_call') {
      item.kind = 'function_call';
      this.sawToolCall = true;
      const part: PartState = { index: this.nextIndex++, emitted: '', open: true, ended: false };
      item.parts.set('call', part);
      const callId = String(raw.call_id ?? '');
      out.push({ type: 'tool-call-start', index: part.index, id: callId, name: String(raw.name ?? ''), ...(item.id && item.id !== callId ? { itemId: item.id } : {}) });
      if (raw.arguments) this.argumentsDelta(event, String(raw.arguments), out, item);
    } else if (!SERVER_SIDE_ITEM_TYPES.has(raw.type)) {
      throw untranslatableItem(raw.type);
    }
    this.items.set(outputIndex, item);
    if (item.id) this.itemsById.set(item.id, item);
  }

  private itemDone(event: ResponsesStreamEvent, out: StreamEvent[]): void {
    const item = this.item(event);
    const raw = (event.item ?? {}) as Record<string, any>;
    if (!item || item.kind === 'skipped') return;
    if (item.kind === 'message') {
      (raw.content ?? []).forEach((content: { type?: string; text?: string; refusal?: string }, contentIndex: number) => {
        const part = this.messagePart({ ...event, content_index: contentIndex });
        this.text({ ...event, content_index: contentIndex }, remainder(part.emitted, content.type === 'refusal' ? content.refusal : content.text), out);
        this.endPart(part, out);
      });
      for (const part of item.parts.values()) this.endPart(part, out);
    } else if (item.kind === 'reasoning') {
      (raw.summary ?? []).forEach((entry: { text?: string }, summaryIndex: number) => {
        this.reasoningText({ ...event, type: 'response.reasoning_summary_text.done', summary_index: summaryIndex, text: entry.text }, undefined, out);
      });
      (raw.content ?? []).forEach((entry: { text?: string }, contentIndex: number) => {
        this.reasoningText({ ...event, type: 'response.reasoning_text.done', content_index: contentIndex, text: entry.text }, undefined, out);
      });
      const last = item.current ?? this.openReasoning(item, 'empty', undefined, out);
      if (raw.encrypted_content) out.push({ type: 'reasoning-delta', index: last.index, encryptedContent: String(raw.encrypted_content) });
      this.endPart(last, out);
    } else {
      const part = item.parts.get('call')!;
      this.argumentsDelta(event, remainder(part.emitted, raw.arguments), out, item);
      this.endPart(part, out);
    }
  }

  /** The message content part an event addresses, created on first sight. */
  private messagePart(event: ResponsesStreamEvent): PartState {
    const item = this.item(event);
    if (!item || item.kind !== 'message') throw new GatewayError('upstream', 'The upstream streamed text for an unknown message item.', { retryable: true });
    const key = String(event.content_index ?? 0);
    let part = item.parts.get(key);
    if (!part) {
      part = { index: this.nextIndex++, emitted: '', open: false, ended: false };
      item.parts.set(key, part);
    }
    return part;
  }

  private text(event: ResponsesStreamEvent, text: string, out: StreamEvent[]): void {
    const part = this.messagePart(event);
    if (part.ended || (part.open && !text)) return;
    const delta: ResponsesTextDelta = { type: 'text-delta', index: part.index, text };
    if (!part.open) {
      const item = this.item(event)!;
      if (item.id) delta.itemId = item.id;
      if (item.phase) delta.phase = item.phase;
      part.open = true;
    }
    part.emitted += text;
    out.push(delta);
  }

  private reasoningPart(event: ResponsesStreamEvent, key: string, summary: boolean, out: StreamEvent[]): PartState {
    const item = this.item(event);
    if (!item || item.kind !== 'reasoning') throw new GatewayError('upstream', 'The upstream streamed reasoning for an unknown item.', { retryable: true });
    return item.parts.get(key) ?? this.openReasoning(item, key, summary, out);
  }

  private openReasoning(item: ItemState, key: string, summary: boolean | undefined, out: StreamEvent[]): PartState {
    if (item.current) this.endPart(item.current, out);
    const index = item.reservedIndex ?? this.nextIndex++;
    item.reservedIndex = undefined;
    const part: PartState = { index, emitted: '', open: true, ended: false };
    item.parts.set(key, part);
    item.current = part;
    const delta: ReasoningDelta = { type: 'reasoning-delta', index, provider: 'openai', itemId: item.id };
    if (summary !== undefined) delta.summary = summary;
    out.push(delta);
    return part;
  }

  /** A reasoning text delta, or (`text` undefined) a `.done` event's full text reconciled with the deltas. */
  private reasoningText(event: ResponsesStreamEvent, text: string | undefined, out: StreamEvent[]): void {
    const summary = event.type.startsWith('response.reasoning_summary');
    const key = summary ? `s${event.summary_index ?? 0}` : `c${event.content_index ?? 0}`;
    const part = this.reasoningPart(event, key, summary, out);
    const delta = text ?? remainder(part.emitted, event.text);
    if (!delta || part.ended) return;
    part.emitted += delta;
    out.push({ type: 'reasoning-delta', index: part.index, text: delta });
  }

  private argumentsDelta(event: ResponsesStreamEvent, delta: string, out: StreamEvent[], known?: ItemState): void {
    const part = (known ?? this.item(event))?.parts.get('call');
    if (!part || !delta || part.ended) return;
    part.emitted += delta;
    out.push({ type: 'tool-call-delta', index: part.index, argumentsDelta: delta });
  }

  private endPart(part: PartState, out: StreamEvent[]): void {
    if (part.ended) return;
    if (!part.open) return; // a content part that never produced anything has no IR part
    part.ended = true;
    out.push({ type: 'part-end', index: part.index });
  }

  private finish(event: ResponsesStreamEvent, out: StreamEvent[]): void {
    this.ensureStarted(out);
    for (const item of this.items.values()) for (const part of item.parts.values()) this.endPart(part, out);
    const response = event.response;
    const status = response?.status ?? (event.type === 'response.incomplete' ? 'incomplete' : 'completed');
    const finish = decodeResponsesFinishReason(status, response?.incomplete_details?.reason, this.sawToolCall);
    out.push({ type: 'finish', finishReason: finish.finishReason, rawFinishReason: finish.rawFinishReason, usage: decodeResponsesUsage(response?.usage) });
    this.finished = true;
  }

  private item(event: ResponsesStreamEvent): ItemState | undefined {
    return (event.output_index !== undefined ? this.items.get(event.output_index) : undefined) ?? (event.item_id ? this.itemsById.get(event.item_id) : undefined);
  }
}

/** What a `.done` event's full text adds to what the deltas already said ('' when nothing, or when they disagree). */
function remainder(emitted: string, full: string | undefined): string {
  if (full === undefined || full.length <= emitted.length || !full.startsWith(emitted)) return '';
  return full.slice(emitted.length);
}
