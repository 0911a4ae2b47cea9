import type { UsageRecord } from '@aigw/contracts';
import { AckWriter } from './usage-spool-ack';
import { SpoolFiles } from './usage-spool-files';
import { Entry, SpoolRecord, decode, describe, entryJson, isSpoolRecord, newEntry, positive } from './usage-spool-format';
import { SPOOL_DEFAULTS as DEFAULTS, SpoolBatch, SpoolFrame, UsageSpoolOptions } from './usage-spool-options';

export type { SpoolBatch, SpoolFrame, UsageSpoolOptions } from './usage-spool-options';
export type { SpoolRecord } from './usage-spool-format';

/** A failed commit is retried after RETRY_MIN_MS, doubling up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
const noop = () => undefined;

/**
 * The agent's durable local usage spool: one record per client request is
 * appended on the hot path and kept on disk until the master acknowledges it.
 *
 * On-disk format, all inside `dir` (mode 0700, files mode 0600):
 * - `segment-<first seq, 16 digits>.jsonl`: append-only segments, one line per
 *   record, `{"s":<seq>,"t":<epoch ms written>,"r":<record>}` — a record is a
 *   JSON object with a string `request_id`, or a row (an array whose first
 *   value is the request id, docs/sync-protocol.md). New records go to
 *   the active segment, which is rotated once it grows beyond `segmentBytes`
 *   (a group commit is never split, so a segment may exceed it by one commit).
 *   Every `open` starts a new segment; a segment whose records are all
 *   acknowledged (the active one included) is deleted.
 * - `ack.json`: `{"ack":<last acknowledged seq>,"next":<next seq to assign>}`,
 *   replaced atomically (write temp + fsync + rename + directory fsync), at
 *   most once per `ackDelayMs` (and at close).
 *
 * Guarantees:
 * - `append` is synchronous, never touches the disk and never throws; it
 *   refuses (returns false) when the spool is not open, is closing, holds
 *   `maxRecords` unacknowledged records or `maxBytes` of written ones (so the
 *   byte bound may be passed by one group commit). It only queues the record:
 *   the spool owns it from then on and the caller must not change it.
 * - Group commit: appends within `flushDelayMs` are serialized (`serialize`,
 *   then JSON), summarized and written together, in one loop and with one
 *   positional `write` (synchronous: in the page cache, safe from a crash of
 *   the process, when it returns) — per-record work off the caller's path,
 *   where it runs warm; a record that cannot be serialized is dropped there
 *   and its sequence number stays unused. What is written is made durable
 *   with one `datasync` at most every `syncDelayMs`. Disk operations (segment
 *   writes and syncs, ack persistence, deletions) run strictly one at a time.
 * - A record is handed out by `nextBatch` only once it is durable; records are
 *   handed out in sequence order, and sequence numbers are never reused (the
 *   next one survives in ack.json even when every segment was deleted).
 * - After a crash, `open` restores every durable, unacknowledged record in
 *   order; a torn last line is ignored and truncated away; duplicated or
 *   acknowledged lines are skipped. Delivery is at-least-once (an
 *   acknowledgement lost in a crash re-sends); the master dedupes by `request_id`.
 * - A failed disk write (ENOSPC, EIO, ...) keeps the records in memory, rolls
 *   the segment back to its last valid size, and is retried with backoff and on
 *   the next flush; `lastError` reports it. Record contents are never logged
 *   or put in errors.
 *
 * Memory: unacknowledged records stay in memory as their serialized JSON —
 * once written, as UTF-8 bytes in the buffer of the commit that wrote them,
 * outside the JS heap (the garbage collector neither scans nor moves them) —
 * so the footprint is about `maxBytes`.
 */
export class UsageSpool<T extends SpoolRecord = UsageRecord, S = never> {
  private readonly files: SpoolFiles<S>;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly flushDelayMs: number;
  private readonly syncDelayMs: number;
  private readonly fsync: boolean;
  private readonly summarize: ((record: T) => S) | undefined;
  private readonly serialize: ((record: T) => unknown) | undefined;

  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';
  private closing: Promise<void> | null = null;

  /** Records appended since the last group commit started, numbered `nextSeq - pending.length` on. */
  private pending: T[] = [];
  /** Unacknowledged records, `entries[head..]`, in sequence order (serialized, written or about to be). */
  private entries: Entry<S>[] = [];
  private head = 0;
  private unackedBytes = 0;

  private nextSeq = 1;
  /** Highest sequence written to its segment (in the page cache at least), or dropped as unserializable. */
  private writtenSeq = 0;
  /** Highest sequence that is durable. */
  private durableSeq = 0;
  /** When the last sync started (Date.now()). */
  private syncedAt = 0;
  /** Highest sequence a flush waits to see durable: commits sync for it whatever the interval says. */
  private flushTarget = 0;
  private syncTimer: NodeJS.Timeout | null = null;
  /** Highest sequence handed out since the last requeue (send cursor). */
  private sentSeq = 0;
  /** Highest sequence ever handed out: the clamp of `acknowledge`. */
  private handedOutMax = 0;
  private ackSeq = 0;

  /** Tail of the serialized disk-operation chain; never rejects. */
  private io: Promise<void> = Promise.resolve();
  private queuedCommit: Promise<void> | null = null;
  private readonly acks: AckWriter;
  private flushTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = RETRY_MIN_MS;

  private writeError: string | null = null;
  private readonly durableListeners: Array<() => void> = [];

  constructor(options: UsageSpoolOptions<T, S>) {
    this.files = new SpoolFiles(options.dir, positive(options.segmentBytes, DEFAULTS.segmentBytes), options.fsync ?? true);
    this.maxRecords = positive(options.maxRecords, DEFAULTS.maxRecords);
    this.maxBytes = positive(options.maxBytes, DEFAULTS.maxBytes);
    this.flushDelayMs = Math.max(0, options.flushDelayMs ?? DEFAULTS.flushDelayMs);
    this.syncDelayMs = Math.max(0, options.syncDelayMs ?? DEFAULTS.syncDelayMs);
    this.fsync = options.fsync ?? true;
    const ackDelayMs = Math.max(0, options.ackDelayMs ?? DEFAULTS.ackDelayMs);
    this.acks = new AckWriter(this.files, ackDelayMs, (task) => this.enqueue(task), () => ({ ack: this.ackSeq, next: this.nextSeq }));
    this.summarize = options.summarize;
    this.serialize = options.serialize;
  }

  /** The last disk error not yet overcome (segment write or ack persistence); null when healthy. */
  get lastError(): string | null {
    return this.writeError ?? this.acks.error;
  }

  /** Creates the directory if needed and recovers every durable, unacknowledged record. */
  async open(): Promise<void> {
    if (this.state !== 'new') throw new Error(`usage spool: open() called while ${this.state}`);
    this.state = 'opening';
    try {
      await this.files.ensureDir();
      await this.recover();
      if (this.state === 'opening') this.state = 'open';
    } catch (error) {
      this.state = 'new';
      throw error;
    }
  }

  /** Takes one record (the spool owns it from now on); false (record not taken) when full, not open or closing. Never throws. */
  append(record: T): boolean {
    try {
      if (this.state !== 'open' || this.count() >= this.maxRecords || this.unackedBytes >= this.maxBytes || !isSpoolRecord(record)) return false;
      this.pending.push(record);
      this.nextSeq += 1;
      this.scheduleFlush();
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves once everything appended so far is durable; rejects if the disk write failed. */
  async flush(): Promise<void> {
    const target = this.nextSeq - 1;
    if (this.durableSeq >= target) return;
    this.clearFlushTimer();
    this.flushTarget = Math.max(this.flushTarget, target);
    await this.requestCommit();
    if (this.durableSeq < target) throw new Error(`usage spool: flush failed (${this.lastError ?? 'unknown error'})`);
  }

  /** `listener` runs after each group commit that made new records durable. */
  onDurable(listener: () => void): void {
    this.durableListeners.push(listener);
  }

  /** Durable records not handed out yet, and how long the oldest of them has waited since its append. */
  sendable(now = Date.now()): { records: number; oldestAgeMs: number } {
    const from = this.indexOf(this.sentSeq + 1);
    const to = this.indexOf(this.durableSeq + 1);
    return to > from ? { records: to - from, oldestAgeMs: Math.max(0, now - this.entries[from].t) } : { records: 0, oldestAgeMs: 0 };
  }

  /** Durable records not handed out yet, oldest first, at most `maxRecords`, parsed; marks them in flight. */
  nextBatch(maxRecords: number): SpoolBatch<T> | null {
    const taken = this.take(maxRecords);
    return taken && { first: taken[0].seq, last: taken[taken.length - 1].seq, records: taken.map((entry) => decode<T>(entry)) };
  }

  /** Like `nextBatch`, with each record's JSON text as appended (and its summary) instead of a parsed copy. */
  nextFrame(maxRecords: number): SpoolFrame<S> | null {
    const taken = this.take(maxRecords);
    if (!taken) return null;
    const json = taken.map(entryJson);
    const summaries = this.summarize ? taken.map((entry) => entry.summary as S) : [];
    return { first: taken[0].seq, last: taken[taken.length - 1].seq, json, summaries };
  }

  /**
   * Everything with sequence <= `last` is done (clamped to the highest sequence
   * handed out; an old position is a no-op). Frees room at once; the returned
   * promise settles once the position is persisted (within `ackDelayMs`) and
   * fully acknowledged segments are deleted.
   */
  acknowledge(last: number): Promise<void> {
    const target = Math.min(Math.floor(last), this.handedOutMax);
    if (!(target > this.ackSeq)) return this.acks.pending();
    this.dropThrough(target);
    this.ackSeq = target;
    this.sentSeq = Math.max(this.sentSeq, target);
    return this.acks.request();
  }

  /** Connection lost: every in-flight record becomes sendable again, from the oldest. */
  requeue(): void {
    this.sentSeq = this.ackSeq;
  }

  /** Unacknowledged records (durable or not), their bytes, and the age of the oldest. */
  depth(): { records: number; bytes: number; oldestAgeMs: number | null } {
    const oldest = this.entries[this.head];
    return {
      records: this.count(),
      bytes: this.unackedBytes,
      oldestAgeMs: oldest ? Math.max(0, Date.now() - oldest.t) : this.pending.length > 0 ? 0 : null,
    };
  }

  /** Whether a bound is reached (an append may still be refused earlier if the record is too large). */
  full(): boolean {
    return this.count() >= this.maxRecords || this.unackedBytes >= this.maxBytes;
  }

  /** Refuses appends from now on, flushes, waits for pending disk work and closes the segment. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---------------------------------------------------------------- recovery

  private async recover(): Promise<void> {
    const { state: ack, readable } = await this.files.readAck();
    this.acks.restored(ack.ack, readable);
    this.ackSeq = this.sentSeq = this.handedOutMax = ack.ack;
    const { entries, highest } = await this.files.recover(ack.ack, this.summarize as ((record: never) => S) | undefined);
    for (const entry of entries) {
      this.entries.push(entry);
      this.unackedBytes += entry.bytes;
    }
    this.nextSeq = Math.max(ack.next, highest + 1, this.ackSeq + 1);
    // Everything below nextSeq that exists is on disk: nothing recovered waits for a write.
    this.durableSeq = this.writtenSeq = this.nextSeq - 1;
  }

  // ------------------------------------------------------------ group commit

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.requestCommit();
    }, this.flushDelayMs);
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  /** A commit not yet started takes everything appended until it starts, so callers share it. */
  private requestCommit(): Promise<void> {
    this.queuedCommit ??= this.enqueue(async () => {
      this.queuedCommit = null;
      await this.commit();
    });
    return this.queuedCommit;
  }

  /**
   * Writes every record not written yet (one write), then makes the written
   * ones durable (one datasync) unless the last sync was under syncDelayMs
   * ago and no flush waits — then a timer brings the next commit. Never throws.
   */
  private async commit(): Promise<void> {
    const taken = this.takePending();
    const from = this.indexOf(this.writtenSeq + 1);
    const to = this.entries.length;
    if (from < to) {
      try {
        await this.files.write(this.entries, from, to);
        // Written: each record's bytes are in its commit's buffer; the text goes (and with it the GC's work on it).
        for (let i = from; i < to; i++) {
          const entry = this.entries[i];
          if (entry.json === null) continue; // written before (a failed sync made it write again): counted already
          this.unackedBytes += entry.bytes;
          entry.json = null;
        }
      } catch (error) {
        this.writeError = describe(error);
        this.scheduleRetry();
        return;
      }
    }
    this.writtenSeq = Math.max(this.writtenSeq, taken);
    if (this.writtenSeq <= this.durableSeq) return;
    const wait = this.syncedAt + this.syncDelayMs - Date.now();
    if (this.fsync && this.flushTarget <= this.durableSeq && wait > 0) {
      this.scheduleSync(wait);
      return;
    }
    const target = this.writtenSeq;
    this.syncedAt = Date.now();
    try {
      await this.files.sync();
      this.committed(target);
    } catch (error) {
      // What the failed sync covered was cut from the segment: write it again.
      this.writtenSeq = this.durableSeq;
      this.writeError = describe(error);
      this.scheduleRetry();
    }
  }

  /**
   * The records appended since the last commit become entries: serialized to
   * JSON and summarized in one loop, numbered in append order (one that
   * cannot be serialized is dropped: its number stays unused). Returns the
   * highest sequence number taken.
   */
  private takePending(): number {
    const records = this.pending;
    const taken = this.nextSeq - 1;
    if (records.length === 0) return taken;
    this.pending = [];
    const t = Date.now();
    let seq = taken - records.length;
    for (const record of records) {
      seq += 1;
      try {
        const json = JSON.stringify(this.serialize ? this.serialize(record) : record);
        if (typeof json === 'string') this.entries.push(newEntry(seq, t, json, this.summarize?.(record)));
      } catch {
        // not serializable (a cycle, a BigInt): dropped
      }
    }
    return taken;
  }

  private scheduleSync(delayMs: number): void {
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      if (this.state === 'open') void this.requestCommit();
    }, delayMs);
  }

  private committed(lastSeq: number): void {
    this.durableSeq = lastSeq;
    this.writeError = null;
    this.retryDelayMs = RETRY_MIN_MS;
    for (const listener of this.durableListeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own business
      }
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.state !== 'open') return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(delay * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state === 'open') void this.requestCommit();
    }, delay);
    this.retryTimer.unref();
  }

  // ------------------------------------------------------------------ helpers

  private async shutdown(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'closed';
      return;
    }
    this.state = 'closed';
    let failure: unknown = null;
    try {
      await this.flush();
    } catch (error) {
      failure = error;
    }
    this.clearFlushTimer();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    // A delayed ack write goes now: the position is persisted before the spool closes.
    await this.acks.flushNow();
    await this.io;
    await this.enqueue(() => this.files.rotate());
    if (failure) throw failure;
  }

  /** Runs `task` after every earlier disk operation; the chain itself never rejects. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.io.then(task);
    this.io = run.then(noop, noop);
    return run;
  }

  /** Marks up to `maxRecords` durable records not handed out yet as in flight, and returns them; null when none. */
  private take(maxRecords: number): Entry<S>[] | null {
    const limit = Math.floor(maxRecords);
    if (!(limit >= 1)) return null;
    const from = this.indexOf(this.sentSeq + 1);
    const to = Math.min(this.indexOf(this.durableSeq + 1), from + limit);
    if (to <= from) return null;
    const taken = this.entries.slice(from, to);
    const last = taken[taken.length - 1].seq;
    this.sentSeq = last;
    this.handedOutMax = Math.max(this.handedOutMax, last);
    return taken;
  }

  private count(): number {
    return this.entries.length - this.head + this.pending.length;
  }

  /** Index of the first unacknowledged entry with sequence >= `seq` (binary search). */
  private indexOf(seq: number): number {
    let low = this.head;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle].seq < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private dropThrough(seq: number): void {
    while (this.head < this.entries.length && this.entries[this.head].seq <= seq) {
      this.unackedBytes -= this.entries[this.head].bytes;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
