import { ClientResponseContext, ReasoningDelta, StreamEncoder, StreamEvent, StreamFinish, ToolCallStart } from '../ir';
import { formatSse } from '../sse/sse-writer';
import { buildResponseObject } from './encode-openai-responses-response';
import { functionCallItem, isIssuedByOpenAi, newMessageItem, toolCallSignatureItem } from './encode-openai-responses-output';
import { errorTypeAndCode } from './openai-responses-errors';
import { generateResponsesId, toResponseId } from './openai-responses-ids';
import { encodeReasoningEnvelope } from './openai-responses-reasoning-envelope';
import { encodeResponsesStatus } from './map-openai-responses-finish-reason';
import {
  ResponsesOutputFunctionCall,
  ResponsesOutputItem,
  ResponsesOutputMessage,
  ResponsesOutputReasoning,
  ResponsesTextDelta,
} from './openai-responses.types';

type PartState =
  | { kind: 'text'; item: ResponsesOutputMessage; outputIndex: number; contentIndex: number; ended: boolean }
  | { kind: 'reasoning'; group: ReasoningGroup; summary?: boolean; slot?: number; ended: boolean }
  | { kind: 'tool'; item: ResponsesOutputFunctionCall; outputIndex: number; ended: boolean };

/** An open reasoning item and the opaque values gathered for it. */
interface ReasoningGroup {
  item: ResponsesOutputReasoning;
  outputIndex: number;
  /** OpenAI's own item (reused by following parts with the same id), or another family's (one item per part). */
  issuedByOpenAi: boolean;
  delta: Pick<ReasoningDelta, 'provider' | 'signature' | 'redactedData' | 'encryptedContent'>;
}

/**
 * Canonical events → the Responses event stream, framed with `event:` lines
 * like OpenAI's: response.created, response.in_progress, then per item
 * output_item.added / content_part.added / deltas / .done events, and
 * response.completed (or .incomplete / .failed) carrying the whole response
 * with usage. Every event has a sequence_number. Items close lazily: a
 * message stays open while text parts follow each other (one content part
 * each), an OpenAI reasoning item while parts with its id follow.
 */
export class OpenAiResponsesStreamEncoder implements StreamEncoder {
  private sequence = 0;
  private started = false;
  private finished = false;
  private responseId = generateResponsesId('resp');
  private createdAt = Math.floor(Date.now() / 1000);
  private readonly output: ResponsesOutputItem[] = [];
  private readonly parts = new Map<number, PartState>();
  private openMessage: { item: ResponsesOutputMessage; outputIndex: number } | undefined;
  private openReasoning: ReasoningGroup | undefined;

  constructor(private readonly context: ClientResponseContext) {}

  encode(event: StreamEvent): string {
    if (this.finished) return '';
    const chunks: string[] = [];
    const emit = (type: string, fields: Record<string, unknown>) => {
      chunks.push(formatSse({ type, sequence_number: this.sequence++, ...fields }, type));
    };
    if (event.type === 'start') {
      this.responseId = toResponseId(event.id);
      this.createdAt = event.created;
    }
    if (!this.started && event.type !== 'error') this.start(emit);
    switch (event.type) {
      case 'start':
        break;
      case 'text-delta':
        this.text(event as ResponsesTextDelta, emit);
        break;
      case 'reasoning-delta':
        this.reasoning(event, emit);
        break;
      case 'tool-call-start':
        this.toolCallStart(event, emit);
        break;
      case 'tool-call-delta': {
        const part = this.parts.get(event.index);
        if (part?.kind !== 'tool' || part.ended || !event.argumentsDelta) break;
        part.item.arguments += event.argumentsDelta;
        emit('response.function_call_arguments.delta', { item_id: part.item.id, output_index: part.outputIndex, delta: event.argumentsDelta });
        break;
      }
      case 'part-end':
        this.endPart(event.index, emit);
        break;
      case 'finish':
        this.finish(event, emit);
        break;
      case 'error': {
        // OpenAI's in-stream error event; nothing follows it.
        const { code } = errorTypeAndCode(event.error.kind);
        emit('error', { code, message: event.error.message, param: event.error.param ?? null });
        this.finished = true;
        break;
      }
    }
    return chunks.join('');
  }

  private start(emit: Emit): void {
    this.started = true;
    const response = this.responseObject('in_progress');
    emit('response.created', { response });
    emit('response.in_progress', { response });
  }

  private text(event: ResponsesTextDelta, emit: Emit): void {
    let part = this.parts.get(event.index);
    if (!part) {
      if (!this.openMessage || (event.itemId && this.openMessage.item.id !== event.itemId)) {
        this.closeGroups(emit);
        const item = newMessageItem(event, 'in_progress');
        this.openMessage = { item, outputIndex: this.addItem(item, emit) };
      }
      const { item, outputIndex } = this.openMessage;
      const contentIndex = item.content.length;
      item.content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
      part = { kind: 'text', item, outputIndex, contentIndex, ended: false };
      this.parts.set(event.index, part);
      emit('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: contentIndex, part: item.content[contentIndex] });
    }
    if (part.kind !== 'text' || part.ended || !event.text) return;
    (part.item.content[part.contentIndex] as { text: string }).text += event.text;
    emit('response.output_text.delta', {
      item_id: part.item.id,
      output_index: part.outputIndex,
      content_index: part.contentIndex,
      delta: event.text,
      logprobs: [],
    });
  }

  private reasoning(event: ReasoningDelta, emit: Emit): void {
    let part = this.parts.get(event.index);
    if (!part) {
      const issuedByOpenAi = isIssuedByOpenAi(event);
      const reusable = this.openReasoning?.issuedByOpenAi === true && this.openReasoning.item.id === event.itemId;
      if (!issuedByOpenAi || !reusable) {
        this.closeGroups(emit);
        const item: ResponsesOutputReasoning = { type: 'reasoning', id: issuedByOpenAi ? event.itemId! : generateResponsesId('rs'), summary: [] };
        this.openReasoning = { item, outputIndex: this.addItem(item, emit), issuedByOpenAi, delta: {} };
      }
      part = { kind: 'reasoning', group: this.openReasoning!, summary: event.summary, ended: false };
      this.parts.set(event.index, part);
    }
    if (part.kind !== 'reasoning') return;
    const { group } = part;
    if (event.summary !== undefined) part.summary ??= event.summary;
    for (const key of ['provider', 'signature', 'redactedData', 'encryptedContent'] as const) if (event[key] !== undefined) group.delta[key] = event[key] as never;
    if (!event.text || part.ended) return;
    const { item, outputIndex } = group;
    if (part.summary === false) {
      if (part.slot === undefined) part.slot = (item.content ??= []).push({ type: 'reasoning_text', text: '' }) - 1;
      item.content![part.slot].text += event.text;
      emit('response.reasoning_text.delta', { item_id: item.id, output_index: outputIndex, content_index: part.slot, delta: event.text });
      return;
    }
    if (part.slot === undefined) {
      part.slot = item.summary.push({ type: 'summary_text', text: '' }) - 1;
      emit('response.reasoning_summary_part.added', { item_id: item.id, output_index: outputIndex, summary_index: part.slot, part: { type: 'summary_text', text: '' } });
    }
    item.summary[part.slot].text += event.text;
    emit('response.reasoning_summary_text.delta', { item_id: item.id, output_index: outputIndex, summary_index: part.slot, delta: event.text });
  }

  private toolCallStart(event: ToolCallStart, emit: Emit): void {
    if (this.parts.has(event.index)) return;
    this.closeGroups(emit);
    if (event.thoughtSignature) {
      const carrier = toolCallSignatureItem(event.thoughtSignature);
      const outputIndex = this.addItem(carrier, emit);
      emit('response.output_item.done', { output_index: outputIndex, item: carrier });
    }
    const item = functionCallItem(event, '', 'in_progress');
    this.parts.set(event.index, { kind: 'tool', item, outputIndex: this.addItem(item, emit), ended: false });
  }

  private endPart(index: number, emit: Emit): void {
    const part = this.parts.get(index);
    if (!part || part.ended) return;
    part.ended = true;
    if (part.kind === 'text') {
      const fields = { item_id: part.item.id, output_index: part.outputIndex, content_index: part.contentIndex };
      const content = part.item.content[part.contentIndex] as { text: string };
      emit('response.output_text.done', { ...fields, text: content.text, logprobs: [] });
      emit('response.content_part.done', { ...fields, part: content });
    } else if (part.kind === 'tool') {
      part.item.status = 'completed';
      emit('response.function_call_arguments.done', { item_id: part.item.id, output_index: part.outputIndex, name: part.item.name, arguments: part.item.arguments });
      emit('response.output_item.done', { output_index: part.outputIndex, item: part.item });
    } else if (part.slot !== undefined) {
      const { item, outputIndex } = part.group;
      if (part.summary === false) {
        emit('response.reasoning_text.done', { item_id: item.id, output_index: outputIndex, content_index: part.slot, text: item.content![part.slot].text });
      } else {
        const summary = item.summary[part.slot];
        emit('response.reasoning_summary_text.done', { item_id: item.id, output_index: outputIndex, summary_index: part.slot, text: summary.text });
        emit('response.reasoning_summary_part.done', { item_id: item.id, output_index: outputIndex, summary_index: part.slot, part: summary });
      }
    }
  }

  /** Ends the open message / reasoning item (and any of its parts still open). */
  private closeGroups(emit: Emit): void {
    for (const [index, part] of this.parts) if (part.kind !== 'tool' && !part.ended) this.endPart(index, emit);
    if (this.openMessage) {
      this.openMessage.item.status = 'completed';
      emit('response.output_item.done', { output_index: this.openMessage.outputIndex, item: this.openMessage.item });
      this.openMessage = undefined;
    }
    if (this.openReasoning) {
      const { item, outputIndex, issuedByOpenAi, delta } = this.openReasoning;
      if (issuedByOpenAi) {
        if (delta.encryptedContent) item.encrypted_content = delta.encryptedContent;
      } else {
        item.encrypted_content = encodeReasoningEnvelope({ provider: delta.provider, signature: delta.signature, redactedData: delta.redactedData });
      }
      emit('response.output_item.done', { output_index: outputIndex, item });
      this.openReasoning = undefined;
    }
  }

  private finish(event: StreamFinish, emit: Emit): void {
    for (const index of this.parts.keys()) this.endPart(index, emit);
    this.closeGroups(emit);
    const { status, incompleteReason } = encodeResponsesStatus(event.finishReason);
    const last = this.output.at(-1);
    if (status === 'incomplete' && last && last.type !== 'reasoning') last.status = 'incomplete';
    const type = status === 'completed' ? 'response.completed' : status === 'incomplete' ? 'response.incomplete' : 'response.failed';
    emit(type, { response: this.responseObject(status, incompleteReason, event) });
    this.finished = true;
  }

  private addItem(item: ResponsesOutputItem, emit: Emit): number {
    const outputIndex = this.output.push(item) - 1;
    emit('response.output_item.added', { output_index: outputIndex, item });
    return outputIndex;
  }

  private responseObject(status: 'in_progress' | 'completed' | 'incomplete' | 'failed', incompleteReason?: string, finish?: StreamFinish) {
    return buildResponseObject({
      id: this.responseId,
      createdAt: this.createdAt,
      model: this.context.model,
      status,
      incompleteReason,
      output: status === 'in_progress' ? [] : this.output,
      usage: finish?.usage,
    });
  }
}

type Emit = (type: string, fields: Record<string, unknown>) => void;
