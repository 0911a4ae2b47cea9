import { GatewayError, SseMessage, StreamDecoder, StreamEvent } from '../ir';
import { decodeBedrockStreamException } from './bedrock-errors';
import { BedrockTokenUsage } from './bedrock-converse.types';
import { newBedrockResponseId } from './decode-bedrock-converse-response';
import { mapBedrockStopReason } from './map-bedrock-stop-reason';
import { decodeBedrockUsage } from './map-bedrock-usage';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * ConverseStream events → canonical events. Each message is one event-stream
 * frame as the Bedrock FrameReader hands it over: `event` the frame's
 * `:event-type` (messageStart, contentBlockStart, contentBlockDelta,
 * contentBlockStop, messageStop, metadata, or an exception name), `data` its
 * JSON payload. contentBlockIndex is the IR part index. The stop reason
 * comes in messageStop, the usage after it in metadata: the answer is
 * complete only then, so `finish` is emitted at metadata.
 */
export class BedrockConverseStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private stopReason: string | undefined;
  private stopSequence: string | undefined;
  private readonly toolBlocks = new Map<number, { sawArguments: boolean }>();

  decode(message: SseMessage): StreamEvent[] {
    if (this.done) return [];
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      data = undefined;
    }
    const event = message.event ?? '';
    if (/exception$/i.test(event)) return this.fail(decodeBedrockStreamException(event, data));
    if (!isRecord(data)) return this.fail(new GatewayError('upstream', 'The Bedrock upstream sent an unreadable stream event', { retryable: true }));

    switch (event) {
      case 'messageStart':
        return this.ensureStarted();
      case 'contentBlockStart':
        return [...this.ensureStarted(), ...this.onBlockStart(Number(data.contentBlockIndex), isRecord(data.start) ? data.start : {})];
      case 'contentBlockDelta':
        return [...this.ensureStarted(), ...this.onBlockDelta(Number(data.contentBlockIndex), isRecord(data.delta) ? data.delta : {})];
      case 'contentBlockStop':
        return [...this.ensureStarted(), ...this.onBlockStop(Number(data.contentBlockIndex))];
      case 'messageStop':
        if (typeof data.stopReason === 'string') this.stopReason = data.stopReason;
        if (isRecord(data.additionalModelResponseFields) && typeof data.additionalModelResponseFields.stop_sequence === 'string') {
          this.stopSequence = data.additionalModelResponseFields.stop_sequence;
        }
        return this.ensureStarted();
      case 'metadata':
        return [...this.ensureStarted(), this.finish(isRecord(data.usage) ? (data.usage as BedrockTokenUsage) : undefined)];
      default:
        // Event types newer than this decoder: nothing to say.
        return [];
    }
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    return this.fail(new GatewayError('upstream', 'The Bedrock stream ended before its metadata event', { retryable: true }));
  }

  private ensureStarted(): StreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [{ type: 'start', id: newBedrockResponseId(), model: '', created: Math.floor(Date.now() / 1000) }];
  }

  private onBlockStart(index: number, start: Record<string, unknown>): StreamEvent[] {
    if (!isRecord(start.toolUse)) return [];
    const toolUse = start.toolUse;
    this.toolBlocks.set(index, { sawArguments: false });
    return [
      {
        type: 'tool-call-start',
        index,
        id: typeof toolUse.toolUseId === 'string' ? toolUse.toolUseId : '',
        name: typeof toolUse.name === 'string' ? toolUse.name : '',
      },
    ];
  }

  private onBlockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    if (typeof delta.text === 'string') return delta.text === '' ? [] : [{ type: 'text-delta', index, text: delta.text }];
    if (isRecord(delta.toolUse)) {
      const input = delta.toolUse.input;
      if (typeof input !== 'string' || input === '') return [];
      const block = this.toolBlocks.get(index);
      if (block) block.sawArguments = true;
      return [{ type: 'tool-call-delta', index, argumentsDelta: input }];
    }
    if (isRecord(delta.reasoningContent)) {
      const reasoning = delta.reasoningContent;
      if (typeof reasoning.text === 'string') return [{ type: 'reasoning-delta', index, text: reasoning.text }];
      if (typeof reasoning.signature === 'string') return [{ type: 'reasoning-delta', index, signature: reasoning.signature }];
      if (typeof reasoning.redactedContent === 'string') return [{ type: 'reasoning-delta', index, redactedData: reasoning.redactedContent }];
    }
    // citation deltas: citations are not carried (see decodeBedrockConverseResponse).
    return [];
  }

  private onBlockStop(index: number): StreamEvent[] {
    const events: StreamEvent[] = [];
    // A call without arguments streams no JSON at all; the non-streamed answer says {}.
    if (this.toolBlocks.get(index)?.sawArguments === false) events.push({ type: 'tool-call-delta', index, argumentsDelta: '{}' });
    events.push({ type: 'part-end', index });
    return events;
  }

  private finish(usage: BedrockTokenUsage | undefined): StreamEvent {
    this.done = true;
    return {
      type: 'finish',
      finishReason: mapBedrockStopReason(this.stopReason),
      ...(this.stopReason !== undefined ? { rawFinishReason: this.stopReason } : {}),
      ...(this.stopSequence !== undefined ? { stopSequence: this.stopSequence } : {}),
      usage: decodeBedrockUsage(usage),
    };
  }

  private fail(error: GatewayError): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error }];
  }
}
