/* What a UsageSpool is built from and what it hands out (the spool is in usage-spool.ts). */

/** Tuning of a {@link UsageSpool}. */
export interface UsageSpoolOptions<T = unknown, S = never> {
  /** Directory of the spool; created with mode 0o700 if missing. */
  dir: string;
  /** Bound on unacknowledged records (default 1_000_000). */
  maxRecords?: number;
  /** Bound on unacknowledged bytes on disk (default 256 MiB). */
  maxBytes?: number;
  /** The active segment is rotated once it grows beyond this size (default 8 MiB). */
  segmentBytes?: number;
  /**
   * Group-commit window: appends within it share one write to the segment
   * (default 50 ms). A crash of the process loses at most this window's records;
   * each commit costs the relay about 35 µs of CPU under load (a 10 ms window
   * was about 1.5 µs a request at 2,300 requests/s).
   */
  flushDelayMs?: number;
  /**
   * Written lines are made durable (datasync) at most once per this interval
   * (default 500 ms, like a database's once-a-second log flush but tighter: each
   * datasync cost the agent about 0.4 ms of CPU, so at 100 ms they were about
   * 1 % of a busy relay's CPU); records are handed out for sending only once durable.
   * A crash of the process loses nothing written; a crash of the machine, at
   * most this interval's records. Without `fsync`, written is durable.
   */
  syncDelayMs?: number;
  /**
   * ack.json is written at most once per this interval (default 1000 ms):
   * acknowledgements in between free memory at once and share the next write.
   * One lost in a crash only sends records again that the master settled
   * already (it dedupes them by request_id).
   */
  ackDelayMs?: number;
  /** fsync segment files, ack.json and the directory (default true); tests may turn it off. */
  fsync?: boolean;
  /** What to keep in memory of each record beside its JSON (handed out by `nextFrame`, e.g. its charge). */
  summarize?: (record: T) => S;
  /**
   * What is written of a record, when its group commit is written (default:
   * the record itself), e.g. a usage record as its row. Like `summarize`, it
   * runs once per record, in the commit's loop rather than on the caller's path.
   */
  serialize?: (record: T) => unknown;
}

/** Durable records handed out for sending; `first`/`last` are inclusive sequence numbers. */
export interface SpoolBatch<T> {
  first: number;
  last: number;
  records: T[];
}

/** Durable records handed out for sending as they were serialized: no parse, no second stringify. */
export interface SpoolFrame<S> {
  first: number;
  last: number;
  /** Each record's JSON, in sequence order: its text, or its UTF-8 bytes. */
  json: Array<string | Uint8Array>;
  /** `summarize` of each record (empty without it). */
  summaries: S[];
}

export const SPOOL_DEFAULTS = {
  maxRecords: 1_000_000,
  maxBytes: 256 * 1024 * 1024,
  segmentBytes: 8 * 1024 * 1024,
  flushDelayMs: 50,
  syncDelayMs: 500,
  ackDelayMs: 1_000,
};
