/**
 * A `usage` message as UTF-8 bytes, each record's spooled JSON (its text, or
 * its bytes once the spool wrote it) copied once into one buffer of the
 * exact size: joining a thousand records into one string and encoding that
 * again cost about 3 µs a record (a large string flattened, then copied).
 */
export function usageFrameBytes(first: number, last: number, records: ReadonlyArray<string | Uint8Array>): Buffer {
  return recordsMessageBytes(`{"type":"usage","first":${first},"last":${last},"records":[`, records);
}

/** `head` (ASCII, ending in `"records":[`), the records' JSON comma-separated, then `]}`, as UTF-8 bytes. */
export function recordsMessageBytes(head: string, records: ReadonlyArray<string | Uint8Array>): Buffer {
  // The head (ASCII), a comma between records, and "]}".
  let size = head.length + Math.max(records.length - 1, 0) + 2;
  for (const json of records) size += typeof json === 'string' ? Buffer.byteLength(json, 'utf8') : json.length;
  const bytes = Buffer.allocUnsafe(size);
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
