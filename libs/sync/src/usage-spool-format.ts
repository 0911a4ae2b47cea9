import { open } from 'node:fs/promises';

/*
 * The usage spool's on-disk format and file helpers (the spool itself is in
 * usage-spool.ts): segment lines `{"s":<seq>,"t":<ms>,"r":<record>}\n`,
 * `ack.json` `{"ack":<seq>,"next":<seq>}`, parsing with torn-tail tolerance.
 */

export const SEGMENT_FILE = /^segment-(\d{16})\.jsonl$/;
const LINE_FEED = 0x0a;

export /**
 * One unacknowledged record, kept serialized: its JSON text until its line is
 * written, then only its UTF-8 bytes inside the buffer that commit wrote
 * (outside the JS heap: a record waiting for its acknowledgement costs the
 * garbage collector nothing to move).
 */
interface Entry<S = unknown> {
  readonly seq: number;
  readonly t: number;
  /** The record's JSON text; null once its bytes are in `chunk`. */
  json: string | null;
  /** The buffer of the commit that wrote the record's line, the JSON's offset in it and its byte length. */
  chunk: Buffer | null;
  at: number;
  size: number;
  /** UTF-8 bytes of the record's segment line, newline included (0 until the line is first encoded). */
  bytes: number;
  /** What the spool's `summarize` kept of the record (memory only). */
  readonly summary?: S;
}

/** A new entry (every field set, so all entries share one shape); `bytes` 0 until its line is encoded. */
export function newEntry<S>(seq: number, t: number, json: string, summary?: S, bytes = 0): Entry<S> {
  return { seq, t, json, chunk: null, at: 0, size: 0, bytes, summary };
}

/** The record's JSON: its text, or its UTF-8 bytes once written. */
export function entryJson(entry: Entry<unknown>): string | Uint8Array {
  return entry.json ?? entry.chunk!.subarray(entry.at, entry.at + entry.size);
}

/** What comes before a record's JSON on its segment line (after it: `}\n`). */
export function linePrefix(seq: number, t: number): string {
  return `{"s":${seq},"t":${t},"r":`;
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

export interface ParsedSegment<S = unknown> {
  /** Records to restore: seq above the ack and above every earlier seq. */
  entries: Entry<S>[];
  /** Highest valid seq in the file (acknowledged ones included). */
  last: number | null;
  /** Bytes up to the end of the last complete line. */
  validBytes: number;
  totalBytes: number;
}

/** Reads complete lines; an unterminated tail is torn, unparsable lines are skipped. */
export function parseSegment<S>(data: Buffer, highestBefore: number, ack: number, summarize?: (record: never) => S): ParsedSegment<S> {
  const entries: Entry<S>[] = [];
  let highest = highestBefore;
  let last: number | null = null;
  let position = 0;
  for (let end = data.indexOf(LINE_FEED, position); end >= 0; end = data.indexOf(LINE_FEED, position)) {
    const entry = parseLine(data.toString('utf8', position, end + 1), end + 1 - position, summarize);
    position = end + 1;
    if (!entry || entry.seq <= highest) continue;
    highest = last = entry.seq;
    if (entry.seq > ack) entries.push(entry);
  }
  return { entries, last, validBytes: position, totalBytes: data.length };
}

function parseLine<S>(text: string, bytes: number, summarize?: (record: never) => S): Entry<S> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) return null;
    const { s, t, r } = parsed as { s?: unknown; t?: unknown; r?: unknown };
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) return null;
    if (typeof t !== 'number' || !Number.isFinite(t)) return null;
    if (!isSpoolRecord(r)) return null;
    // Lines we wrote have the canonical shape, so the record is cut out as written; anything else is serialized again.
    const prefix = linePrefix(s, t);
    const json = text.startsWith(prefix) && text.endsWith('}\n') ? text.slice(prefix.length, text.length - 2) : JSON.stringify(r);
    return newEntry(s, t, json, summarize ? summarize(r as never) : undefined, bytes);
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
  return JSON.parse(entry.json ?? entry.chunk!.toString('utf8', entry.at, entry.at + entry.size)) as T;
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

/** What the spool keeps: a record (an object with a request id) or a row (an array, the request id first). */
export type SpoolRecord = { request_id: string } | unknown[];

export function isSpoolRecord(value: unknown): value is SpoolRecord {
  if (Array.isArray(value)) return typeof value[0] === 'string';
  return isRecord(value) && typeof value.request_id === 'string';
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
