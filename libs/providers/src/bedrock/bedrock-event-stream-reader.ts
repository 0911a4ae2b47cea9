import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { anthropicCodec } from '../anthropic';
import { FrameReader, GatewayError, SseMessage } from '../ir';
import { decodeBedrockStreamException } from './bedrock-errors';

type EventStreamMessage = ReturnType<EventStreamCodec['decode']>;

/** Prelude (total length, headers length, prelude CRC) plus the message CRC. */
const MINIMUM_FRAME_BYTES = 16;
/** AWS caps an event-stream message at 16 MiB of payload plus 128 KiB of headers; anything longer is garbage. */
const MAXIMUM_FRAME_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MINIMUM_FRAME_BYTES;

/**
 * What a Bedrock stream carries:
 * - `converse`: ConverseStream frames, handed over as `{event: :event-type, data: payload}`
 *   for the Converse stream decoder (an exception frame's event is its `:exception-type`);
 * - `anthropic`: InvokeModelWithResponseStream on an Anthropic model, whose `chunk` frames
 *   wrap one Anthropic Messages event each (`{"bytes": base64 of its JSON}`): handed over as
 *   that event (`{event: its type, data: its JSON}`), so the Anthropic stream decoder and the
 *   passthrough see exactly what Anthropic's own API streams; an exception frame becomes an
 *   Anthropic `error` event.
 */
export type BedrockStreamKind = 'converse' | 'anthropic';

/**
 * Cuts a Bedrock response stream (AWS event-stream binary frames, not SSE:
 * https://smithy.io/2.0/aws/amazon-eventstream.html)
 * into messages. Frames are delimited here by their length prefix, chunk
 * boundaries falling anywhere; each whole frame is checked (both CRCs) and
 * parsed by @smithy/eventstream-codec, the SDK's own decoder. A body cut
 * mid-frame, a corrupt frame or an absurd length is an upstream error.
 */
export class BedrockEventStreamReader implements FrameReader {
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  private pending: Uint8Array = new Uint8Array(0);

  constructor(private readonly kind: BedrockStreamKind) {}

  push(chunk: Uint8Array | string): SseMessage[] {
    const bytes = typeof chunk === 'string' ? fromUtf8(chunk) : chunk;
    let buffer = this.pending.byteLength === 0 ? bytes : concat(this.pending, bytes);
    const messages: SseMessage[] = [];
    while (buffer.byteLength >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, false);
      if (length < MINIMUM_FRAME_BYTES || length > MAXIMUM_FRAME_BYTES) {
        throw new GatewayError('upstream', `The Bedrock upstream sent an event-stream frame of impossible length ${length}`, { retryable: false });
      }
      if (buffer.byteLength < length) break;
      const message = this.toMessage(this.decodeFrame(buffer.subarray(0, length)));
      if (message) messages.push(message);
      buffer = buffer.subarray(length);
    }
    // Kept bytes are copied: the caller may reuse its chunk's memory.
    this.pending = buffer.byteLength === 0 ? new Uint8Array(0) : buffer.slice();
    return messages;
  }

  end(): SseMessage[] {
    if (this.pending.byteLength > 0) {
      throw new GatewayError('upstream', 'The Bedrock stream was cut in the middle of an event-stream frame', { retryable: false });
    }
    return [];
  }

  private decodeFrame(frame: Uint8Array): EventStreamMessage {
    try {
      return this.codec.decode(frame);
    } catch {
      throw new GatewayError('upstream', 'The Bedrock upstream sent a corrupt event-stream frame', { retryable: false });
    }
  }

  private toMessage(frame: EventStreamMessage): SseMessage | null {
    const messageType = headerText(frame, ':message-type') ?? 'event';
    if (messageType === 'exception' || messageType === 'error') {
      const name = headerText(frame, messageType === 'exception' ? ':exception-type' : ':error-code') ?? 'error';
      const payload = messageType === 'exception' ? toUtf8(frame.body) : JSON.stringify({ message: headerText(frame, ':error-message') ?? '' });
      return this.kind === 'converse' ? { event: name, data: payload } : anthropicErrorEvent(name, payload);
    }
    const eventType = headerText(frame, ':event-type') ?? '';
    const payload = toUtf8(frame.body);
    if (this.kind === 'converse') return { event: eventType, data: payload };
    // InvokeModel streams send `chunk` events only; anything else is newer than this reader and carries no Anthropic event.
    return eventType === 'chunk' ? anthropicChunk(payload) : null;
  }
}

function headerText(frame: EventStreamMessage, name: string): string | undefined {
  const header = frame.headers[name];
  return header && typeof header.value === 'string' ? header.value : undefined;
}

/** `{"bytes": "<base64 of an Anthropic event>"}` → that event, named by its type as Anthropic's SSE names it. */
function anthropicChunk(payload: string): SseMessage {
  let bytes: unknown;
  try {
    bytes = (JSON.parse(payload) as { bytes?: unknown }).bytes;
  } catch {
    bytes = undefined;
  }
  if (typeof bytes !== 'string') throw new GatewayError('upstream', 'The Bedrock upstream sent a stream chunk without bytes', { retryable: false });
  const data = Buffer.from(bytes, 'base64').toString('utf8');
  let type: unknown;
  try {
    type = (JSON.parse(data) as { type?: unknown }).type;
  } catch {
    type = undefined;
  }
  return typeof type === 'string' ? { event: type, data } : { data };
}

/** A Bedrock exception frame as the Anthropic `error` event its stream decoder and the passthrough know. */
function anthropicErrorEvent(exceptionType: string, payload: string): SseMessage {
  const { body } = anthropicCodec.encodeError(decodeBedrockStreamException(exceptionType, payload));
  return { event: 'error', data: JSON.stringify(body) };
}

function concat(first: Uint8Array, second: Uint8Array): Uint8Array {
  const joined = new Uint8Array(first.byteLength + second.byteLength);
  joined.set(first, 0);
  joined.set(second, first.byteLength);
  return joined;
}
