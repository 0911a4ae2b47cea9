import { randomUUID } from 'node:crypto';
import { ClientResponseContext, StreamEncoder, StreamEvent, StreamFinish, StreamStart } from '../ir';
import { formatSse } from '../sse/sse-writer';
import { encodeAnthropicError } from './anthropic-errors';
import { AnthropicContentBlockDelta } from './anthropic.types';
import { toAnthropicMessageId } from './encode-anthropic-response';
import { toAnthropicStopReason } from './map-anthropic-stop-reason';
import { encodeAnthropicUsage } from './map-anthropic-usage';

type WireBlockStart =
  | { type: 'text'; text: '' }
  | { type: 'thinking'; thinking: ''; signature: '' }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, never> };

interface Block {
  /** Set once the part has something Anthropic can show (lazy: empty deltas open nothing). */
  start?: WireBlockStart;
  /** Deltas held while another block is on the wire. */
  pending: AnthropicContentBlockDelta[];
  ended: boolean;
  wireIndex?: number;
}

const TEXT_START: WireBlockStart = { type: 'text', text: '' };
const THINKING_START: WireBlockStart = { type: 'thinking', thinking: '', signature: '' };

function sse(payload: { type: string }): string {
  return formatSse(payload, payload.type);
}

/**
 * Canonical events → Anthropic SSE, with the API's exact sequence:
 * message_start, ping, then per block content_block_start, its deltas and
 * content_block_stop, then message_delta (stop_reason, stop_sequence,
 * cumulative usage) and message_stop; an error becomes `event: error` and
 * ends the stream. message_start reports the input and cache tokens the
 * `start` event knows (0 when the upstream reports usage only at the end,
 * like OpenAI); message_delta always repeats the final input counts, as the
 * API does.
 *
 * Anthropic blocks never interleave and are numbered 0, 1, 2… in wire
 * order. Canonical parts may interleave (OpenAI streams parallel tool calls
 * side by side), so one block is on the wire at a time and the others'
 * deltas wait, in order, until it stops. Parts with nothing to show (an
 * empty text delta, another family's opaque reasoning) open no block.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private startWritten = false;
  private closed = false;
  private nextWireIndex = 0;
  private current: number | null = null;
  private readonly queue: number[] = [];
  private readonly blocks = new Map<number, Block>();
  private hasToolCalls = false;

  constructor(private readonly context: ClientResponseContext) {}

  encode(event: StreamEvent): string {
    if (this.closed) return '';
    if (event.type === 'start') return this.writeStart(event);
    const prefix = this.writeStart();
    switch (event.type) {
      case 'text-delta':
        if (event.text === '') return prefix;
        return prefix + this.deliver(event.index, TEXT_START, { type: 'text_delta', text: event.text });
      case 'reasoning-delta': {
        // Opaque values go back to Anthropic clients only when Anthropic issued them.
        const ours = event.provider === 'anthropic';
        let out = prefix;
        if (ours && event.redactedData !== undefined) {
          return out + this.deliver(event.index, { type: 'redacted_thinking', data: event.redactedData }, null);
        }
        if (event.text) out += this.deliver(event.index, THINKING_START, { type: 'thinking_delta', thinking: event.text });
        if (ours && event.signature) out += this.deliver(event.index, THINKING_START, { type: 'signature_delta', signature: event.signature });
        return out;
      }
      case 'tool-call-start':
        this.hasToolCalls = true;
        return prefix + this.deliver(event.index, { type: 'tool_use', id: event.id, name: event.name, input: {} }, null);
      case 'tool-call-delta': {
        // Arguments without a started call have no block to go to.
        const block = this.blocks.get(event.index);
        if (!block?.start || event.argumentsDelta === '') return prefix;
        return prefix + this.deliver(event.index, block.start, { type: 'input_json_delta', partial_json: event.argumentsDelta });
      }
      case 'part-end':
        return prefix + this.endBlock(event.index);
      case 'finish':
        return prefix + this.writeFinish(event);
      case 'error': {
        this.closed = true;
        // The in-stream error carries no request id (the HTTP answer already had one).
        const { type, error } = encodeAnthropicError(event.error).body;
        return prefix + formatSse({ type, error }, 'error');
      }
    }
  }

  /** message_start (input and cache tokens known so far, output 0) and the ping the API sends after it. */
  private writeStart(event?: StreamStart): string {
    if (this.startWritten) return '';
    this.startWritten = true;
    const usage = encodeAnthropicUsage(event?.usage);
    return (
      sse({
        type: 'message_start',
        message: {
          id: toAnthropicMessageId(event?.id || randomUUID().replace(/-/g, '')),
          type: 'message',
          role: 'assistant',
          model: this.context.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.input_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens,
            cache_read_input_tokens: usage.cache_read_input_tokens,
            output_tokens: 0,
          },
        },
      } as { type: string }) + sse({ type: 'ping' })
    );
  }

  private deliver(index: number, start: WireBlockStart, delta: AnthropicContentBlockDelta | null): string {
    let block = this.blocks.get(index);
    if (!block) {
      block = { pending: [], ended: false };
      this.blocks.set(index, block);
    }
    let out = '';
    if (!block.start) {
      block.start = start;
      if (delta) block.pending.push(delta);
      if (this.current === null) out += this.open(index);
      else this.queue.push(index);
      return out;
    }
    if (!delta) return out;
    if (this.current === index) return this.writeDelta(block, delta);
    block.pending.push(delta);
    return out;
  }

  /** Puts a block on the wire with what it has buffered; an already ended one stops at once and the next follows. */
  private open(index: number): string {
    const block = this.blocks.get(index)!;
    block.wireIndex = this.nextWireIndex++;
    this.current = index;
    let out = sse({ type: 'content_block_start', index: block.wireIndex, content_block: block.start } as { type: string });
    for (const delta of block.pending) out += this.writeDelta(block, delta);
    block.pending = [];
    if (block.ended) {
      out += sse({ type: 'content_block_stop', index: block.wireIndex } as { type: string });
      this.current = null;
      out += this.drain();
    }
    return out;
  }

  private drain(): string {
    let out = '';
    while (this.current === null && this.queue.length > 0) out += this.open(this.queue.shift()!);
    return out;
  }

  private writeDelta(block: Block, delta: AnthropicContentBlockDelta): string {
    return sse({ type: 'content_block_delta', index: block.wireIndex, delta } as { type: string });
  }

  private endBlock(index: number): string {
    const block = this.blocks.get(index);
    if (!block?.start) {
      this.blocks.delete(index);
      return '';
    }
    if (this.current !== index) {
      block.ended = true;
      return '';
    }
    this.current = null;
    return sse({ type: 'content_block_stop', index: block.wireIndex } as { type: string }) + this.drain();
  }

  private writeFinish(event: StreamFinish): string {
    let out = '';
    // Every part is over: queued blocks are written out whole, one after another.
    for (const index of this.queue) this.blocks.get(index)!.ended = true;
    if (this.current !== null) out += this.endBlock(this.current);
    out += this.drain();
    this.closed = true;
    const delta = {
      stop_reason: toAnthropicStopReason(event.finishReason, event.rawFinishReason, event.stopSequence, this.hasToolCalls),
      stop_sequence: event.stopSequence ?? null,
    };
    return out + sse({ type: 'message_delta', delta, usage: encodeAnthropicUsage(event.usage) } as { type: string }) + sse({ type: 'message_stop' });
  }
}
