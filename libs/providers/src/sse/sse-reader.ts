import { EventSourceMessage, createParser } from 'eventsource-parser';
import { SseMessage } from '../ir/protocol-codec';

/**
 * Feeds raw upstream bytes to eventsource-parser and hands back complete SSE
 * messages. Chunk boundaries may fall anywhere (mid-line, mid-UTF-8 sequence).
 */
export class SseReader {
  private readonly decoder = new TextDecoder();
  private pending: SseMessage[] = [];
  private readonly parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      this.pending.push(message.event ? { event: message.event, data: message.data } : { data: message.data });
    },
  });

  /** Messages completed by this chunk. */
  push(chunk: Uint8Array | string): SseMessage[] {
    this.parser.feed(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    const messages = this.pending;
    this.pending = [];
    return messages;
  }

  /** Flushes a final message not followed by a blank line. */
  end(): SseMessage[] {
    this.parser.feed(`${this.decoder.decode()}\n\n`);
    const messages = this.pending;
    this.pending = [];
    return messages;
  }
}
