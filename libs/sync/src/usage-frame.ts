/**
 * A `usage` message as UTF-8 bytes, each record's spooled JSON (its text, or
 * its bytes once the spool wrote it) copied once into one buffer of the
 * exact size: joining a thousand records into one string and encoding that
 * again cost about 3 µs a record (a large string flattened, then copied).
 * `into` supplies the memory (at least `size` bytes; FrameBuffers reuses
 * it); the frame is the first `size` bytes of it.
 */
export function usageFrameBytes(first: number, last: number, records: ReadonlyArray<string | Uint8Array>, into?: (size: number) => Buffer): Buffer {
  return recordsMessageBytes(`{"type":"usage","first":${first},"last":${last},"records":[`, records, into);
}

/** `head` (ASCII, ending in `"records":[`), the records' JSON comma-separated, then `]}`, as UTF-8 bytes. */
export function recordsMessageBytes(head: string, records: ReadonlyArray<string | Uint8Array>, into?: (size: number) => Buffer): Buffer {
  // The head (ASCII), a comma between records, and "]}".
  let size = head.length + Math.max(records.length - 1, 0) + 2;
  for (const json of records) size += typeof json === 'string' ? Buffer.byteLength(json, 'utf8') : json.length;
  const bytes = into ? into(size).subarray(0, size) : Buffer.allocUnsafe(size);
  let at = bytes.write(head, 0, 'latin1');
  for (let i = 0; i < records.length; i += 1) {
    if (i > 0) bytes[at++] = 0x2c; // ,
    const json = records[i];
    if (typeof json === 'string') at += bytes.write(json, at, 'utf8');
    else {
      bytes.set(json, at);
      at += json.length;
    }
  }
  bytes[at++] = 0x5d; // ]
  bytes[at++] = 0x7d; // }
  return bytes;
}

/** Buffers are allocated in multiples of this, so a frame a little larger than the last still fits the spare. */
const FRAME_ALLOCATION_UNIT = 64 * 1024;

/**
 * The memory of usage frames, reused: a frame is a few hundred KB, and a new
 * buffer for each one paid for its first touch of fresh memory (page faults
 * and zeroed pages in the kernel, about a microsecond a record in a profile of
 * the relay under load). One spare is kept: `take` hands it out when it is
 * large enough, and the link gives it back with `release` once it has written
 * the frame (not before: a socket may still hold a frame it has not sent).
 */
export class FrameBuffers {
  private spare: Buffer | null = null;

  /** `maxSpareBytes`: a larger buffer (a frame of unusually large records) is not kept. */
  constructor(private readonly maxSpareBytes = 16 * 1024 * 1024) {}

  /** A buffer of at least `size` bytes, the spare's memory when it fits; the caller owns it until `release`. */
  take(size: number): Buffer {
    const spare = this.spare;
    if (spare && spare.length >= size) {
      this.spare = null;
      return spare;
    }
    return Buffer.allocUnsafeSlow(Math.max(FRAME_ALLOCATION_UNIT, Math.ceil(size / FRAME_ALLOCATION_UNIT) * FRAME_ALLOCATION_UNIT));
  }

  /** Gives back a buffer from `take` that nothing reads any more; the larger of it and the spare is kept. */
  release(buffer: Buffer): void {
    if (buffer.length > this.maxSpareBytes) return;
    if (!this.spare || this.spare.length < buffer.length) this.spare = buffer;
  }
}
