import { open, type FileHandle } from 'node:fs/promises';

/*
 * The usage spool's on-disk format and file helpers (the spool itself is in
 * usage-spool.ts): segment lines `{"s":<seq>,"t":<ms>,"r":<record>}\n`,
 * `ack.json` `{"ack":<seq>,"next":<seq>}`, parsing with torn-tail tolerance.
 */

export const SEGMENT_FILE = /^segment-(\d{16})\.jsonl$/;
const LINE_FEED = 0x0a;

export /** One unacknowledged record, kept serialized (its segment line, newline included). */
interface Entry {
  readonly seq: number;
  readonly t: number;
  readonly line: string;
  readonly bytes: number;
}

export /** Content of ack.json. */
interface AckState {
  ack: number;
  next: number;
}

// -------------------------------------------------------------- file format

export function segmentName(first: number): string {
  return `segment-${String(first).padStart(16, '0')}.jsonl`;
}

export interface ParsedSegment {
  /** Records to restore: seq above the ack and above every earlier seq. */
  entries: Entry[];
  /** Highest valid seq in the file (acknowledged ones included). */
  last: number | null;
  /** Bytes up to the end of the last complete line. */
  validBytes: number;
  totalBytes: number;
}

/** Reads complete lines; an unterminated tail is torn, unparsable lines are skipped. */
export function parseSegment(data: Buffer, highestBefore: number, ack: number): ParsedSegment {
  const entries: Entry[] = [];
  let highest = highestBefore;
  let last: number | null = null;
  let position = 0;
  for (let end = data.indexOf(LINE_FEED, position); end >= 0; end = data.indexOf(LINE_FEED, position)) {
    const entry = parseLine(data.toString('utf8', position, end + 1), end + 1 - position);
    position = end + 1;
    if (!entry || entry.seq <= highest) continue;
    highest = last = entry.seq;
    if (entry.seq > ack) entries.push(entry);
  }
  return { entries, last, validBytes: position, totalBytes: data.length };
}

function parseLine(line: string, bytes: number): Entry | null {
  try {
    const parsed: unknown = JSON.parse(line);
    if (!isRecord(parsed)) return null;
    const { s, t, r } = parsed as { s?: unknown; t?: unknown; r?: unknown };
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) return null;
    if (typeof t !== 'number' || !Number.isFinite(t)) return null;
    if (!isRecord(r) || typeof r.request_id !== 'string') return null;
    return { seq: s, t, line, bytes };
  } catch {
    return null;
  }
}

export function parseAck(text: string): AckState | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) return null;
    const { ack, next } = parsed as { ack?: unknown; next?: unknown };
    if (!isSequence(ack) || !isSequence(next)) return null;
    return { ack, next };
  } catch {
    return null;
  }
}

export function decode<T>(entry: Entry): T {
  return (JSON.parse(entry.line) as { r: T }).r;
}

export async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset, position + offset);
    if (bytesWritten <= 0) throw new Error('usage spool: short write');
    offset += bytesWritten;
  }
}

export async function truncateFile(path: string, size: number, fsync: boolean): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(size);
    if (fsync) await handle.datasync();
  } finally {
    await handle.close();
  }
}

// ------------------------------------------------------------------- values

export function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && value > 0 ? value : fallback;
}

function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorCode(error: unknown): string | undefined {
  const code = isRecord(error) ? error.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Code and message of a disk error (paths only, never record contents). */
export function describe(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
