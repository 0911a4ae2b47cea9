import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/**
 * AWS event-stream frames as Bedrock sends them, encoded with the SDK's own
 * codec: each event frame carries `:event-type`, `:content-type:
 * application/json` and `:message-type: event`, and its JSON payload a `p`
 * padding field (Bedrock pads payloads so their length says nothing about
 * the content).
 */
const codec = new EventStreamCodec(toUtf8, fromUtf8);

const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0';

function text(value: string): { type: 'string'; value: string } {
  return { type: 'string', value };
}

export function eventFrame(eventType: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: { ':event-type': text(eventType), ':content-type': text('application/json'), ':message-type': text('event') },
    body: fromUtf8(JSON.stringify({ ...payload, p: PADDING.slice(0, 1 + (eventType.length % PADDING.length)) })),
  });
}

/** An `exception` frame (`:exception-type` in lower camel case, as in ConverseStream: throttlingException). */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':exception-type': text(exceptionType), ':content-type': text('application/json'), ':message-type': text('exception') },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** ConverseStream: each captured event `{ messageStart: {...} }` is one frame named by its key. */
export function converseFrames(events: Array<Record<string, unknown>>): Uint8Array[] {
  return events.map((event) => {
    const [name, payload] = Object.entries(event)[0];
    return eventFrame(name, payload as Record<string, unknown>);
  });
}

/** InvokeModelWithResponseStream: each Anthropic event is one `chunk` frame carrying its JSON as base64 bytes. */
export function invokeFrames(events: Array<Record<string, unknown>>): Uint8Array[] {
  return events.map((event) => eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64') }));
}

export function concatFrames(frames: Uint8Array[]): Uint8Array {
  return Buffer.concat(frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)));
}
