import fs from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AckState, Entry, SEGMENT_FILE, errorCode, linePrefix, parseAck, parseSegment, segmentName, truncateFile } from './usage-spool-format';

const ACK_FILE = 'ack.json';
const ACK_TEMP = 'ack.json.tmp';
/** Filesystems that cannot fsync a directory say so with one of these; the rename is then as durable as it gets. */
const DIR_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF']);
const noop = () => undefined;
/** A commit's lines are written into a scratch buffer of this size (grown for a larger commit, and shrunk back above SCRATCH_KEPT_BYTES). */
const SCRATCH_BYTES = 256 * 1024;
const SCRATCH_KEPT_BYTES = 4 * 1024 * 1024;
const CLOSE_BRACE = 0x7d;
const LINE_FEED = 0x0a;

/** One `segment-<first>.jsonl` file; only the active one has an open handle. */
interface Segment {
  readonly first: number;
  readonly path: string;
  /** Bytes written (complete lines). */
  size: number;
  /** Of those, bytes made durable by a datasync (all of them for a segment that is not the active one). */
  synced: number;
  /** Highest sequence written to the file; null while it holds none. */
  last: number | null;
  handle: FileHandle | null;
  /** Whether the directory entry of the file has been fsync'd. */
  linked: boolean;
}

/**
 * The usage spool's files (the format is described on UsageSpool): the
 * segments, the active one's handle, and ack.json. Callers
 * run one operation at a time (the spool's disk queue); nothing here keeps
 * records, only where they are on disk.
 */
export class SpoolFiles<S> {
  private segments: Segment[] = [];
  private active: Segment | null = null;
  private scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

  constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
    private readonly fsync: boolean,
  ) {}

  /** Creates the spool's directory (mode 0700) if needed. */
  async ensureDir(): Promise<void> {
    const created = await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; make sure the spool is private.
    if (created !== undefined) await chmod(this.dir, 0o700);
  }

  /** ack.json as last persisted (a leftover temp file is removed); `readable: false` when the file is corrupt. */
  async readAck(): Promise<{ state: AckState; readable: boolean }> {
    await unlink(join(this.dir, ACK_TEMP)).catch(noop);
    let text: string;
    try {
      text = await readFile(join(this.dir, ACK_FILE), 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { state: { ack: 0, next: 1 }, readable: true };
      throw error;
    }
    const parsed = parseAck(text);
    return { state: parsed ?? { ack: 0, next: 1 }, readable: parsed !== null };
  }

  /**
   * Every durable record after `ack`, in order, from the segments on disk: a
   * torn tail is truncated away, a segment with nothing left is deleted.
   * Returns them and the highest sequence seen.
   */
  async recover(ack: number, summarize: ((record: never) => S) | undefined): Promise<{ entries: Entry<S>[]; highest: number }> {
    const names = (await readdir(this.dir)).filter((name) => SEGMENT_FILE.test(name)).sort();
    const recovered: Entry<S>[] = [];
    let highest = 0;
    for (const name of names) {
      const path = join(this.dir, name);
      const { entries, last, validBytes, totalBytes } = parseSegment<S>(await readFile(path), highest, ack, summarize);
      highest = Math.max(highest, last ?? 0);
      if (entries.length === 0) {
        await unlink(path);
        continue;
      }
      if (validBytes < totalBytes) await truncateFile(path, validBytes, this.fsync);
      for (const entry of entries) recovered.push(entry);
      const first = Number(SEGMENT_FILE.exec(name)![1]);
      this.segments.push({ first, path, size: validBytes, synced: validBytes, last, handle: null, linked: true });
    }
    return { entries: recovered, highest };
  }

  /**
   * Appends entries[from..to) to the active segment (a new one when there is
   * none) with one synchronous positional write: on return the lines are in
   * the page cache, so a crash of the process loses none of them (a crash of
   * the machine may, until `sync`). A write to the page cache costs a few µs;
   * handing it to the thread pool cost several times that in CPU. On failure
   * the segment is cut back to the lines before it (or abandoned) and the
   * error is thrown.
   */
  async write(entries: readonly Entry<S>[], from: number, to: number): Promise<void> {
    let segment: Segment | null = null;
    try {
      segment = this.active ?? (await this.createSegment(entries[from].seq));
      const data = this.encode(entries, from, to);
      writeFullySync(segment.handle!.fd, data, segment.size);
      segment.size += data.length;
      segment.last = entries[to - 1].seq;
    } catch (error) {
      if (segment) await this.rollBack(segment, segment.size);
      throw error;
    }
  }

  /**
   * Makes every written line durable: a datasync of the active segment (and
   * an fsync of the directory for a new one); then rotates it once it grew
   * beyond segmentBytes. If the datasync fails, what it covered is cut away
   * (the kernel may have dropped those pages): the caller writes it again.
   */
  async sync(): Promise<void> {
    const segment = this.active;
    if (!segment) return;
    const size = segment.size;
    try {
      if (this.fsync && segment.synced < size) await segment.handle!.datasync();
      if (!segment.linked) await this.syncDir();
      segment.linked = true;
    } catch (error) {
      await this.rollBack(segment, segment.synced);
      throw error;
    }
    segment.synced = size;
    if (segment.size > this.segmentBytes) await this.rotate();
  }

  /** Replaces ack.json atomically: temp file, fsync, rename, directory fsync. */
  async persistAck(state: AckState): Promise<void> {
    const temp = join(this.dir, ACK_TEMP);
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(state)}\n`);
      if (this.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(this.dir, ACK_FILE));
    await this.syncDir();
  }

  /** Deletes the segments whose records are all acknowledged (through `ack`); stops at the first it cannot delete and throws. */
  async deleteThrough(ack: number): Promise<void> {
    while (this.segments.length > 0) {
      const segment = this.segments[0];
      if (segment.last === null || segment.last > ack) return;
      if (segment === this.active) await this.rotate();
      try {
        await unlink(segment.path);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
      this.segments.shift();
    }
  }

  /** Closes the active segment; the next write starts a new one. */
  async rotate(): Promise<void> {
    const segment = this.active;
    this.active = null;
    await segment?.handle?.close().catch(noop);
    if (segment) segment.handle = null;
  }

  private async createSegment(first: number): Promise<Segment> {
    const path = join(this.dir, segmentName(first));
    // 'w' (not 'wx'): a file of that name can only hold records that never became durable.
    const handle = await open(path, 'w', 0o600);
    const segment: Segment = { first, path, size: 0, synced: 0, last: null, handle, linked: !this.fsync };
    this.segments.push(segment);
    this.active = segment;
    return segment;
  }

  /**
   * The lines of entries[from..to) as UTF-8, written one after the other into
   * a scratch buffer (no joined string to flatten, measure and encode again)
   * and copied into one buffer of their exact size (one per commit, outside
   * the JS heap); each entry learns where its JSON is in it (`chunk`, `at`,
   * `size`) and its line's length (`bytes`), to drop its text once the write
   * succeeded. A line written before (a failed sync writes it again) has its
   * JSON only as bytes in an older commit's buffer: they are copied as they are.
   */
  private encode(entries: readonly Entry<S>[], from: number, to: number): Buffer {
    let offset = 0;
    /** Lines written before: where their JSON goes, set once the new buffer exists (until then their bytes are only in the old one). */
    let moved: Array<{ entry: Entry<S>; at: number }> | null = null;
    for (let i = from; i < to; i++) {
      const entry = entries[i];
      const prefix = linePrefix(entry.seq, entry.t);
      // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 for 2).
      const room = prefix.length + (entry.json === null ? entry.size : entry.json.length * 3) + 2;
      const scratch = this.scratchFor(offset, room);
      const start = offset;
      offset += scratch.write(prefix, offset, 'latin1');
      const at = offset;
      if (entry.json === null) {
        offset += entry.chunk!.copy(scratch, offset, entry.at, entry.at + entry.size);
        (moved ??= []).push({ entry, at });
      } else {
        offset += scratch.write(entry.json, offset, 'utf8');
        entry.at = at;
        entry.size = offset - at;
      }
      scratch[offset++] = CLOSE_BRACE;
      scratch[offset++] = LINE_FEED;
      entry.bytes = offset - start;
    }
    const chunk = Buffer.allocUnsafeSlow(offset);
    this.scratch.copy(chunk, 0, 0, offset);
    for (let i = from; i < to; i++) entries[i].chunk = chunk;
    if (moved) for (const { entry, at } of moved) entry.at = at;
    // One huge commit (a backlog written again) does not keep its scratch size for good.
    if (this.scratch.length > SCRATCH_KEPT_BYTES) this.scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    return chunk;
  }

  /** The scratch buffer, grown (its first `used` bytes kept) so that `room` more bytes fit. */
  private scratchFor(used: number, room: number): Buffer {
    if (used + room > this.scratch.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(used + room, this.scratch.length * 2));
      this.scratch.copy(grown, 0, 0, used);
      this.scratch = grown;
    }
    return this.scratch;
  }

  /** After a failed write or sync: cut the segment back to `size`, or abandon it if that fails too. */
  private async rollBack(segment: Segment, size: number): Promise<void> {
    try {
      await segment.handle!.truncate(size);
      segment.size = size;
    } catch {
      await this.rotate();
      // Nothing valid in it: gone (a later segment may take its name); else recovery skips the lines written again.
      if (size === 0) {
        this.segments = this.segments.filter((candidate) => candidate !== segment);
        await unlink(segment.path).catch(noop);
      }
    }
  }

  private async syncDir(): Promise<void> {
    if (!this.fsync) return;
    let handle: FileHandle | null = null;
    try {
      handle = await open(this.dir, 'r');
      await handle.sync();
    } catch (error) {
      if (!DIR_SYNC_UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
    } finally {
      await handle?.close().catch(noop);
    }
  }
}

/** Writes all of `data` at `position`, synchronously (a short write is continued; none at all is an error). */
function writeFullySync(fd: number, data: Buffer, position: number): void {
  let offset = 0;
  while (offset < data.length) {
    const written = fs.writeSync(fd, data, offset, data.length - offset, position + offset);
    if (written <= 0) throw new Error('usage spool: short write');
    offset += written;
  }
}
