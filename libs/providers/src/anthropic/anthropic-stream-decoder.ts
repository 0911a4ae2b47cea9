import { GatewayError, SseMessage, StreamDecoder, StreamEvent } from '../ir';
import { decodeAnthropicErrorBody } from './anthropic-errors';
import { AnthropicUsage } from './anthropic.types';
import { untranslatableBlock } from './decode-anthropic-response';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason';
import { decodeAnthropicUsage } from './map-anthropic-usage';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const USAGE_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'output_tokens_details'] as const;

/**
 * Anthropic SSE (message_start, content_block_start/delta/stop,
 * message_delta, message_stop, ping, error) → canonical events. Anthropic
 * block indexes are the IR part indexes. Usage: message_start gives input
 * and cache counts, message_delta the cumulative totals (output, and input
 * again on newer API versions); the finish event carries their merge.
 * The answer is complete only at message_stop.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private readonly usage: AnthropicUsage = {};
  private stopReason: string | undefined;
  private stopSequence: string | undefined;
  private readonly blocks = new Map<number, { type: string; sawArguments: boolean }>();

  decode(message: SseMessage): StreamEvent[] {
    if (this.done) return [];
    let data: unknown;
    try {
      data = JSON.parse(message.data);
    } catch {
      return this.fail(new GatewayError('upstream', 'The Anthropic upstream sent an unreadable stream event', { retryable: true }));
    }
    if (!isRecord(data)) return this.fail(new GatewayError('upstream', 'The Anthropic upstream sent an unreadable stream event', { retryable: true }));
    const type = typeof data.type === 'string' ? data.type : message.event;

    switch (type) {
      case 'message_start':
        return this.onMessageStart(isRecord(data.message) ? data.message : {});
      case 'content_block_start':
        return [...this.ensureStarted(), ...this.onBlockStart(Number(data.index), isRecord(data.content_block) ? data.content_block : {})];
      case 'content_block_delta':
        return [...this.ensureStarted(), ...this.onBlockDelta(Number(data.index), isRecord(data.delta) ? data.delta : {})];
      case 'content_block_stop':
        return [...this.ensureStarted(), ...this.onBlockStop(Number(data.index))];
      case 'message_delta':
        if (isRecord(data.delta)) {
          if (typeof data.delta.stop_reason === 'string') this.stopReason = data.delta.stop_reason;
          if (typeof data.delta.stop_sequence === 'string') this.stopSequence = data.delta.stop_sequence;
        }
        if (isRecord(data.usage)) this.mergeUsage(data.usage);
        return this.ensureStarted();
      case 'message_stop':
        return [...this.ensureStarted(), this.finish()];
      case 'error':
        return this.fail(decodeAnthropicErrorBody(data, 500));
      default:
        // ping, and event types newer than this decoder: nothing to say.
        return [];
    }
  }

  end(): StreamEvent[] {
    if (this.done) return [];
    return this.fail(new GatewayError('upstream', 'The Anthropic stream ended before message_stop', { retryable: true }));
  }

  private onMessageStart(message: Record<string, unknown>): StreamEvent[] {
    if (isRecord(message.usage)) this.mergeUsage(message.usage);
    this.started = true;
    const usage = decodeAnthropicUsage(this.usage);
    return [
      {
        type: 'start',
        id: typeof message.id === 'string' ? message.id : '',
        model: typeof message.model === 'string' ? message.model : '',
        created: Math.floor(Date.now() / 1000),
        usage: {
          inputTokens: usage.inputTokens,
          cachedInputTokens: usage.cachedInputTokens,
          cacheWriteInputTokens: usage.cacheWriteInputTokens,
        },
      },
    ];
  }

  /** A stream that skipped message_start still gets its canonical `start`. */
  private ensureStarted(): StreamEvent[] {
    if (this.started) return [];
    this.started = true;
    return [{ type: 'start', id: '', model: '', created: Math.floor(Date.now() / 1000) }];
  }

  private onBlockStart(index: number, block: Record<string, unknown>): StreamEvent[] {
    const type = typeof block.type === 'string' ? block.type : '';
    this.blocks.set(index, { type, sawArguments: false });
    switch (type) {
      case 'text':
        return typeof block.text === 'string' && block.text !== '' ? [{ type: 'text-delta', index, text: block.text }] : [];
      case 'thinking': {
        const text = typeof block.thinking === 'string' ? block.thinking : '';
        const signature = typeof block.signature === 'string' ? block.signature : '';
        if (text === '' && signature === '') return [];
        return [
          {
            type: 'reasoning-delta',
            index,
            provider: 'anthropic',
            ...(text !== '' ? { text } : {}),
            ...(signature !== '' ? { signature } : {}),
          },
        ];
      }
      case 'redacted_thinking':
        return [{ type: 'reasoning-delta', index, provider: 'anthropic', redactedData: typeof block.data === 'string' ? block.data : '' }];
      case 'tool_use': {
        const events: StreamEvent[] = [
          { type: 'tool-call-start', index, id: typeof block.id === 'string' ? block.id : '', name: typeof block.name === 'string' ? block.name : '' },
        ];
        // Streams start tool_use with input {}; a filled input would be the whole arguments.
        if (isRecord(block.input) && Object.keys(block.input).length > 0) {
          this.blocks.get(index)!.sawArguments = true;
          events.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(block.input) });
        }
        return events;
      }
      default:
        return this.fail(untranslatableBlock(type));
    }
  }

  private onBlockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    switch (delta.type) {
      case 'text_delta':
        return typeof delta.text === 'string' ? [{ type: 'text-delta', index, text: delta.text }] : [];
      case 'thinking_delta':
        return typeof delta.thinking === 'string' ? [{ type: 'reasoning-delta', index, provider: 'anthropic', text: delta.thinking }] : [];
      case 'signature_delta':
        return typeof delta.signature === 'string' ? [{ type: 'reasoning-delta', index, provider: 'anthropic', signature: delta.signature }] : [];
      case 'input_json_delta': {
        if (typeof delta.partial_json !== 'string' || delta.partial_json === '') return [];
        const block = this.blocks.get(index);
        if (block) block.sawArguments = true;
        return [{ type: 'tool-call-delta', index, argumentsDelta: delta.partial_json }];
      }
      default:
        // citations_delta: citations are not carried (see decodeAnthropicResponse).
        return [];
    }
  }

  private onBlockStop(index: number): StreamEvent[] {
    const block = this.blocks.get(index);
    const events: StreamEvent[] = [];
    // A call without arguments streams no JSON at all; the non-streamed answer says {}.
    if (block?.type === 'tool_use' && !block.sawArguments) events.push({ type: 'tool-call-delta', index, argumentsDelta: '{}' });
    events.push({ type: 'part-end', index });
    return events;
  }

  private mergeUsage(usage: Record<string, unknown>): void {
    for (const field of USAGE_FIELDS) {
      if (usage[field] !== undefined && usage[field] !== null) (this.usage as Record<string, unknown>)[field] = usage[field];
    }
  }

  private finish(): StreamEvent {
    this.done = true;
    return {
      type: 'finish',
      finishReason: mapAnthropicStopReason(this.stopReason),
      ...(this.stopReason !== undefined ? { rawFinishReason: this.stopReason } : {}),
      ...(this.stopSequence !== undefined ? { stopSequence: this.stopSequence } : {}),
      usage: decodeAnthropicUsage(this.usage),
    };
  }

  private fail(error: GatewayError): StreamEvent[] {
    this.done = true;
    return [{ type: 'error', error }];
  }
}
