import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { concatFrames, converseFrames, eventFrame, exceptionFrame, invokeFrames } from '../../../../test/fake-provider/bedrock-frames';
import { fixtureCase } from '../../../../test/support/fixtures';
import { AnthropicStreamDecoder } from '../anthropic/anthropic-stream-decoder';
import { GatewayError, SseMessage, StreamEvent } from '../ir';
import { BedrockConverseStreamDecoder } from './bedrock-converse-stream-decoder';
import { BedrockEventStreamReader, BedrockStreamKind } from './bedrock-event-stream-reader';

type Json = any;

function read(kind: BedrockStreamKind, chunks: Uint8Array[]): SseMessage[] {
  const reader = new BedrockEventStreamReader(kind);
  return [...chunks.flatMap((chunk) => reader.push(chunk)), ...reader.end()];
}

const converseEvents: Json[] = fixtureCase('toolCallRequest', 'bedrock').read('response-streaming.json')!;
const anthropicEvents: Json[] = fixtureCase('toolCallRequest', 'bedrock-anthropic').read('response-streaming.json')!;

describe('BedrockEventStreamReader', () => {
  it('hands over Converse frames as {event: :event-type, data: payload}', () => {
    const messages = read('converse', converseFrames(converseEvents));
    expect(messages.map((message) => message.event)).toEqual(converseEvents.map((event) => Object.keys(event)[0]));
    const { p: _padding, ...payload } = JSON.parse(messages[1].data);
    expect(payload).toEqual(converseEvents[1].contentBlockStart);
  });

  it('unwraps InvokeModel chunk frames into the Anthropic events they carry', () => {
    const messages = read('anthropic', invokeFrames(anthropicEvents));
    expect(messages).toEqual(anthropicEvents.map((event) => ({ event: event.type, data: JSON.stringify(event) })));
  });

  for (const [kind, frames] of [
    ['converse', converseFrames(converseEvents)],
    ['anthropic', invokeFrames(anthropicEvents)],
  ] as Array<[BedrockStreamKind, Uint8Array[]]>) {
    it(`${kind}: a body split at any byte, or fed byte by byte, decodes the same`, () => {
      const body = concatFrames(frames);
      const whole = read(kind, [body]);
      expect(whole).toHaveLength(frames.length);
      for (let cut = 1; cut < body.byteLength; cut++) {
        expect(read(kind, [body.subarray(0, cut), body.subarray(cut)])).toEqual(whole);
      }
      expect(read(kind, Array.from(body, (byte) => Uint8Array.of(byte)))).toEqual(whole);
    });

    it(`${kind}: a body cut inside any frame ends in an error`, () => {
      const body = concatFrames(frames);
      let offset = 0;
      for (const frame of frames) {
        for (const inside of [1, 4, 12, frame.byteLength - 1]) {
          const reader = new BedrockEventStreamReader(kind);
          reader.push(body.subarray(0, offset + inside));
          expect(() => reader.end()).toThrow(GatewayError);
        }
        offset += frame.byteLength;
      }
    });
  }

  it('refuses a frame whose checksum does not match, and an impossible length', () => {
    const frame = eventFrame('messageStart', { role: 'assistant' });
    const corrupt = frame.slice();
    corrupt[corrupt.byteLength - 6] ^= 0xff;
    expect(() => new BedrockEventStreamReader('converse').push(corrupt)).toThrow(/corrupt event-stream frame/);
    expect(() => new BedrockEventStreamReader('converse').push(Uint8Array.of(0, 0, 0, 3, 0, 0, 0, 0))).toThrow(/impossible length/);
  });

  it('Converse: an exception frame reaches the decoder as an error event of its kind', () => {
    const messages = read('converse', [...converseFrames(converseEvents.slice(0, 3)), exceptionFrame('throttlingException', 'Too many requests, please wait before trying again.')]);
    expect(messages.at(-1)).toEqual({ event: 'throttlingException', data: '{"message":"Too many requests, please wait before trying again."}' });
    const decoder = new BedrockConverseStreamDecoder();
    const events: StreamEvent[] = messages.flatMap((message) => decoder.decode(message));
    const last = events.at(-1) as { type: string; error: GatewayError };
    expect(last.type).toBe('error');
    expect(last.error).toMatchObject({ kind: 'rate_limit', message: 'Too many requests, please wait before trying again.' });
  });

  it('InvokeModel: an exception frame becomes the Anthropic error event the Anthropic decoder knows', () => {
    const messages = read('anthropic', [...invokeFrames(anthropicEvents.slice(0, 2)), exceptionFrame('modelStreamErrorException', 'The model failed mid-answer')]);
    expect(messages.at(-1)!.event).toBe('error');
    expect(JSON.parse(messages.at(-1)!.data)).toEqual({ type: 'error', error: { type: 'api_error', message: 'The model failed mid-answer' }, request_id: null });
    const decoder = new AnthropicStreamDecoder();
    const last = messages.flatMap((message) => decoder.decode(message)).at(-1) as { type: string; error: GatewayError };
    expect(last.error).toMatchObject({ kind: 'upstream', message: 'The model failed mid-answer', options: { retryable: true } });
  });

  it('decodes what the SDK codec encodes, headers of every type included', () => {
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const frame = codec.encode({
      headers: { ':event-type': { type: 'string', value: 'metadata' }, ':message-type': { type: 'string', value: 'event' }, counter: { type: 'integer', value: 7 } },
      body: fromUtf8('{"usage":{"inputTokens":1,"outputTokens":2}}'),
    });
    expect(read('converse', [frame])).toEqual([{ event: 'metadata', data: '{"usage":{"inputTokens":1,"outputTokens":2}}' }]);
  });
});
