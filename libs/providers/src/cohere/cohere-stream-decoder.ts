import { GatewayError, SseMessage, StreamDecoder, StreamEvent } from '../ir';
import { cohereStreamError } from './cohere-errors';
import { CohereStreamEvent, CohereUsage } from './cohere.types';
import { mapCohereFinishReason } from './map-cohere-finish-reason';
import { decodeCohereUsage } from './map-cohere-usage';

interface ToolCallState {
  index: number;
  sawArguments: boolean;
}

/**
 * Cohere v2 chat SSE → canonical events. Each message is `event: <type>`
 * with `data: {"type": <type>, …}` (StreamedChatResponseV2 in cohere-ai's
 * SDKs; https://docs.cohere.com/docs/streaming):
 *
 * - message-start (`id`) → start;
 * - content-start / content-delta / content-end, `delta.message.content`
 *   with `text` or `thinking` → text or reasoning parts;
 * - tool-plan-delta (`delta.message.tool_plan`) → a text part before the
 *   calls, as the JSON decoder reads `tool_plan`;
 * - tool-call-start (`delta.message.tool_calls` {id, function {name,
 *   arguments}}) / tool-call-delta (arguments fragments) / tool-call-end;
 * - message-end (`delta.finish_reason`, `delta.usage`, or `delta.error`) →
 *   finish, or an error when the generation failed (`delta.error` or
 *   finish_reason ERROR);
 * - citation-start/-end, debug and types newer than this decoder: nothing;
 *   `data: [DONE]` after message-end: nothing.
 *
 * Content and tool calls are numbered separately by Cohere (both from 0):
 * each gets the next IR part index as it starts. The answer is complete
 * only at message-end.
 */
export class CohereStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private outputStarted = false;
  private nextPartIndex = 0;
  private readonly content = new Map<number, { index: number; kind: 'text' | 'reasoning' }>();
  private readonly toolCalls = new Map<number, ToolCallState>();
  private toolPlan: number | null = null;
  private readonly open = new Set<number>();

  decode(message: SseMessage): StreamEvent[] {
    if (this.done) return [];
    const text = message.data.trim();
    if (text === '' || text === '[DONE]') return [];
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return this.fail(new GatewayError('upstream', 'the Cohere upstream sent a stream event that is not JSON', { retryable: !this.outputStarted }));
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return this.fail(new GatewayError('upstream', 'the Cohere upstream sent a stream event that is not an object', { retryable: !this.outputStarted }));
    }
    const event = data as CohereStreamEvent;
    const type = typeof event.type === 'string' ? event.type : message.event;
    switch (type) {
      case 'message-start':
        return this.ensureStarted(event.id);
      case 'content-start':
        return [...this.ensureStarted(), ...this.onContentStart(event)];
      case 'content-delta':
        return [...this.ensureStarted(), ...this.onContentDelta(event)];
      case 'content-end':
        return [...this.ensureStarted(), ...this.closeContent(event.index)];
      case 'tool-plan-delta':
        return [...this.ensureStarted(), ...this.onToolPlanDelta(event)];
      case 'tool-call-start':
        return [...this.ensureStarted(), ...this.onToolCallStart(event)];
      case 'tool-call-delta':
        return [...this.ensureStarted(), ...this.onToolCallDelta(event)];
      case 'tool-call-end':
        return [...this.ensureStarted(), ...this.onToolCallEnd(event)];
      case 'message-end':
        return [...this.ensureStarted(), ...this.onMessageEnd(event)];
      default:
        return [];
    }
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    return this.fail(new GatewayError('upstream', 'the Cohere stream ended before message-end', { retryable: !this.outputStarted }));
  }

  private ensureStarted(id?: string | null): StreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [{ type: 'start', id: typeof id === 'string' ? id : '', model: '', created: Math.floor(Date.now() / 1000) }];
  }

  private openPart(): number {
    const index = this.nextPartIndex++;
    this.open.add(index);
    return index;
  }

  private closePart(index: number): StreamEvent[] {
    if (!this.open.delete(index)) return [];
    return [{ type: 'part-end', index }];
  }

  private onContentStart(event: CohereStreamEvent): StreamEvent[] {
    const content = event.delta?.message?.content;
    const kind = content?.type === 'thinking' ? 'reasoning' : 'text';
    const events = this.closeToolPlan();
    const part = { index: this.openPart(), kind } as const;
    this.content.set(Number(event.index ?? 0), part);
    const initial = kind === 'reasoning' ? content?.thinking : content?.text;
    if (typeof initial === 'string' && initial !== '') events.push(this.delta(part, initial));
    return events;
  }

  private onContentDelta(event: CohereStreamEvent): StreamEvent[] {
    const content = event.delta?.message?.content;
    const events: StreamEvent[] = [];
    let part = this.content.get(Number(event.index ?? 0));
    if (!part) {
      // A delta without its content-start: the part starts here.
      part = { index: this.openPart(), kind: typeof content?.thinking === 'string' ? 'reasoning' : 'text' };
      this.content.set(Number(event.index ?? 0), part);
    }
    const text = part.kind === 'reasoning' ? content?.thinking : content?.text;
    if (typeof text === 'string' && text !== '') events.push(this.delta(part, text));
    return events;
  }

  private delta(part: { index: number; kind: 'text' | 'reasoning' }, text: string): StreamEvent {
    this.outputStarted = true;
    return part.kind === 'text' ? { type: 'text-delta', index: part.index, text } : { type: 'reasoning-delta', index: part.index, text };
  }

  private closeContent(cohereIndex: number | null | undefined): StreamEvent[] {
    const part = this.content.get(Number(cohereIndex ?? 0));
    return part ? this.closePart(part.index) : [];
  }

  private onToolPlanDelta(event: CohereStreamEvent): StreamEvent[] {
    const text = event.delta?.message?.tool_plan;
    if (typeof text !== 'string' || text === '') return [];
    if (this.toolPlan === null) this.toolPlan = this.openPart();
    this.outputStarted = true;
    return [{ type: 'text-delta', index: this.toolPlan, text }];
  }

  private closeToolPlan(): StreamEvent[] {
    if (this.toolPlan === null) return [];
    const index = this.toolPlan;
    this.toolPlan = null;
    return this.closePart(index);
  }

  private onToolCallStart(event: CohereStreamEvent): StreamEvent[] {
    const call = event.delta?.message?.tool_calls;
    const events = this.closeToolPlan();
    const state: ToolCallState = { index: this.openPart(), sawArguments: false };
    this.toolCalls.set(Number(event.index ?? 0), state);
    this.outputStarted = true;
    events.push({ type: 'tool-call-start', index: state.index, id: call?.id ?? '', name: call?.function?.name ?? '' });
    const initial = call?.function?.arguments;
    if (typeof initial === 'string' && initial !== '') {
      state.sawArguments = true;
      events.push({ type: 'tool-call-delta', index: state.index, argumentsDelta: initial });
    }
    return events;
  }

  private onToolCallDelta(event: CohereStreamEvent): StreamEvent[] {
    const state = this.toolCalls.get(Number(event.index ?? 0));
    if (!state) {
      return this.fail(new GatewayError('upstream', 'the Cohere stream sent tool-call arguments before the call started', { retryable: !this.outputStarted }));
    }
    const fragment = event.delta?.message?.tool_calls?.function?.arguments;
    if (typeof fragment !== 'string' || fragment === '') return [];
    state.sawArguments = true;
    return [{ type: 'tool-call-delta', index: state.index, argumentsDelta: fragment }];
  }

  /** A call to a tool without parameters may stream no arguments at all: the IR wants JSON object text. */
  private onToolCallEnd(event: CohereStreamEvent): StreamEvent[] {
    const state = this.toolCalls.get(Number(event.index ?? 0));
    if (!state) return [];
    const events: StreamEvent[] = [];
    if (!state.sawArguments) {
      state.sawArguments = true;
      events.push({ type: 'tool-call-delta', index: state.index, argumentsDelta: '{}' });
    }
    events.push(...this.closePart(state.index));
    return events;
  }

  private onMessageEnd(event: CohereStreamEvent): StreamEvent[] {
    const delta = event.delta ?? {};
    const raw = typeof delta.finish_reason === 'string' ? delta.finish_reason : undefined;
    if ((typeof delta.error === 'string' && delta.error !== '') || raw === 'ERROR') {
      return this.fail(cohereStreamError(delta.error, this.outputStarted));
    }
    return this.finish(raw, delta.usage);
  }

  private finish(raw: string | undefined, usage: CohereUsage | null | undefined): StreamEvent[] {
    const events: StreamEvent[] = [];
    for (const index of [...this.open].sort((a, b) => a - b)) events.push(...this.closePart(index));
    this.toolPlan = null;
    this.done = true;
    events.push({
      type: 'finish',
      finishReason: mapCohereFinishReason(raw, this.toolCalls.size > 0),
      ...(raw ? { rawFinishReason: raw } : {}),
      usage: decodeCohereUsage(usage),
    });
    return events;
  }

  private fail(error: GatewayError): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error }];
  }
}
