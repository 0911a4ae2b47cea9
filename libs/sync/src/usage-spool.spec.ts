import fs from 'node:fs';
import { appendFile, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageSpool, type UsageSpoolOptions } from './usage-spool';

interface TestRecord {
  request_id: string;
  cost_micros: number;
}

const record = (n: number): TestRecord => ({ request_id: `req-${n}`, cost_micros: n * 10 });
const text = (json: string | Uint8Array) => (typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.length).toString('utf8'));
const ids = (records: TestRecord[] | undefined) => (records ?? []).map((r) => r.request_id);
const segmentFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith('segment-')).sort();

describe('UsageSpool', () => {
  let root: string;
  let dir: string;
  let spools: UsageSpool<TestRecord>[];

  /** A spool on `dir`; every instance (crashed ones included) is closed after the test. */
  const create = (options: Partial<UsageSpoolOptions> = {}) => {
    // Every acknowledgement persisted at once, unless a test is about the delay.
    const spool = new UsageSpool<TestRecord>({ dir, fsync: false, ackDelayMs: 0, ...options });
    spools.push(spool);
    return spool;
  };
  const opened = async (options: Partial<UsageSpoolOptions> = {}) => {
    const spool = create(options);
    await spool.open();
    return spool;
  };
  const appendAll = (spool: UsageSpool<TestRecord>, from: number, to: number) => {
    for (let n = from; n <= to; n++) expect(spool.append(record(n))).toBe(true);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'usage-spool-'));
    dir = join(root, 'spool');
    spools = [];
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.allSettled(spools.map((spool) => spool.close()));
    await rm(root, { recursive: true, force: true });
  });

  it('hands out records in append order with consecutive sequence numbers', async () => {
    const spool = await opened();
    appendAll(spool, 1, 5);
    await spool.flush();

    const batch = spool.nextBatch(3);
    expect(batch).toMatchObject({ first: 1, last: 3 });
    expect(batch?.records).toEqual([record(1), record(2), record(3)]);
    expect(spool.nextBatch(10)).toMatchObject({ first: 4, last: 5, records: [record(4), record(5)] });
    expect(spool.nextBatch(10)).toBeNull();

    const [segment] = await segmentFiles(dir);
    expect(segment).toBe('segment-0000000000000001.jsonl');
    const lines = (await readFile(join(dir, segment), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.s)).toEqual([1, 2, 3, 4, 5]);
    expect(lines.map((line) => line.r)).toEqual([1, 2, 3, 4, 5].map(record));
    expect(lines.every((line) => typeof line.t === 'number' && line.t > 0)).toBe(true);
  });

  it('only hands out durable records, and tells when new ones become durable', async () => {
    const spool = await opened({ flushDelayMs: 60_000 });
    const durable = vi.fn();
    spool.onDurable(durable);
    appendAll(spool, 1, 3);

    expect(spool.nextBatch(10)).toBeNull();
    expect(spool.depth().records).toBe(3);
    expect(durable).not.toHaveBeenCalled();

    await spool.flush();
    expect(durable).toHaveBeenCalledTimes(1);
    appendAll(spool, 4, 4);
    expect(ids(spool.nextBatch(10)?.records)).toEqual(['req-1', 'req-2', 'req-3']);
    expect(spool.nextBatch(10)).toBeNull();
    await spool.flush();
    expect(spool.nextBatch(10)).toMatchObject({ first: 4, last: 4 });
  });

  it('refuses what is not a record; drops at its commit one that cannot be serialized, its number unused', async () => {
    const spool = await opened();
    expect(spool.append(record(1))).toBe(true);
    expect(spool.append(null as unknown as TestRecord)).toBe(false);
    expect(spool.append({ cost_micros: 1 } as unknown as TestRecord)).toBe(false);
    const circular: Record<string, unknown> = { request_id: 'loop' };
    circular.self = circular;
    expect(spool.append(circular as unknown as TestRecord)).toBe(true);
    expect(spool.append(record(3))).toBe(true);
    expect(spool.depth().records).toBe(3);
    await spool.flush();
    expect(spool.depth().records).toBe(2);
    expect(spool.nextBatch(10)).toEqual({ first: 1, last: 3, records: [record(1), record(3)] });
    await spool.acknowledge(3);
    expect(spool.append(record(4))).toBe(true);
    await spool.flush();
    expect(spool.nextBatch(10)).toMatchObject({ first: 4, last: 4 });
  });

  it('serializes and summarizes each record in its group commit, with `serialize` when given', async () => {
    const serialize = vi.fn((r: TestRecord) => [r.request_id, r.cost_micros]);
    const summarize = vi.fn((r: TestRecord | unknown[]) => (Array.isArray(r) ? 'row' : r.cost_micros));
    const spool = new UsageSpool<TestRecord, unknown>({ dir, fsync: false, serialize, summarize });
    spools.push(spool as unknown as UsageSpool<TestRecord>);
    await spool.open();
    appendAll(spool as unknown as UsageSpool<TestRecord>, 1, 3);
    expect(serialize).not.toHaveBeenCalled();
    expect(summarize).not.toHaveBeenCalled();
    await spool.flush();
    expect(serialize).toHaveBeenCalledTimes(3);
    const [segment] = await segmentFiles(dir);
    expect((await readFile(join(dir, segment), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line).r)).toEqual([
      ['req-1', 10],
      ['req-2', 20],
      ['req-3', 30],
    ]);
    const frame = spool.nextFrame(10);
    expect(frame?.json.map((part) => JSON.parse(text(part)))).toEqual([['req-1', 10], ['req-2', 20], ['req-3', 30]]);
    expect(frame?.summaries).toEqual([10, 20, 30]);
  });

  it('writes records with multi-byte text: each record\'s bytes, the byte count and the file agree, also after a restart', async () => {
    const spool = await opened();
    const names = ['é', '模型', '🙂 emoji', 'ascii', 'mixed é模🙂'];
    names.forEach((name, n) => expect(spool.append({ request_id: `req-${n}-${name}`, cost_micros: n })).toBe(true));
    await spool.flush();
    const [segment] = await segmentFiles(dir);
    expect(spool.depth()).toMatchObject({ records: 5, bytes: (await stat(join(dir, segment))).size });
    const expected = names.map((name, n) => ({ request_id: `req-${n}-${name}`, cost_micros: n }));
    expect(spool.nextFrame(10)?.json.map((part) => JSON.parse(text(part)))).toEqual(expected);

    const second = await opened();
    expect(second.nextBatch(10)?.records).toEqual(expected);
    expect(second.depth().bytes).toBe((await stat(join(dir, segment))).size);
  });

  it('writes one commit larger than its scratch buffer (multi-byte text), then the next: every record as appended, bytes counted exactly', async () => {
    const spool = await opened();
    const filler = 'é模🙂 '.repeat(60); // 60 × 10 bytes of UTF-8 in 60 × 5 UTF-16 units
    const big = Array.from({ length: 12_000 }, (_, n) => ({ request_id: `req-${n}`, cost_micros: n, note: `${n} ${filler}` }));
    for (const entry of big) expect(spool.append(entry)).toBe(true);
    await spool.flush(); // one group commit of about 7 MB
    const small = { request_id: 'req-after', cost_micros: 1, note: 'é' };
    spool.append(small);
    await spool.flush();
    const [segment] = await segmentFiles(dir);
    expect(spool.depth()).toMatchObject({ records: 12_001, bytes: (await stat(join(dir, segment))).size });
    const frame = spool.nextFrame(20_000)!;
    expect(frame.json.map((part) => JSON.parse(text(part)))).toEqual([...big, small]);
    const reopened = await opened();
    expect(reopened.nextBatch(20_000)?.records).toEqual([...big, small]);
  });

  it('keeps rows (arrays, request id first) beside records, across a restart; refuses an array without a request id first', async () => {
    type Row = unknown[];
    const summarize = (r: TestRecord | Row) => (Array.isArray(r) ? r[0] : r.request_id);
    const first = new UsageSpool<TestRecord | Row, unknown>({ dir, fsync: false, summarize });
    spools.push(first as unknown as UsageSpool<TestRecord>);
    await first.open();
    expect(first.append(['req-1', null, 10])).toBe(true);
    expect(first.append(record(2))).toBe(true);
    expect(first.append([])).toBe(false);
    expect(first.append([7, 'req-x'])).toBe(false);
    await first.flush();
    expect(first.nextBatch(10)?.records).toEqual([['req-1', null, 10], record(2)]);

    const second = new UsageSpool<TestRecord | Row, unknown>({ dir, fsync: false, summarize });
    spools.push(second as unknown as UsageSpool<TestRecord>);
    await second.open();
    const frame = second.nextFrame(10);
    expect(frame?.json.map((part) => JSON.parse(text(part)))).toEqual([['req-1', null, 10], record(2)]);
    expect(frame?.summaries).toEqual(['req-1', 'req-2']);
  });

  it('after a crash, unacknowledged records come back exactly and acknowledged ones never', async () => {
    const first = await opened();
    appendAll(first, 1, 10);
    await first.flush();
    expect(first.nextBatch(4)).toMatchObject({ first: 1, last: 4 });
    await first.acknowledge(4);
    expect(first.nextBatch(3)).toMatchObject({ first: 5, last: 7 }); // in flight when the agent dies
    // crash: no close()

    const second = await opened();
    expect(second.depth().records).toBe(6);
    const batch = second.nextBatch(100);
    expect(batch).toMatchObject({ first: 5, last: 10 });
    expect(batch?.records).toEqual([5, 6, 7, 8, 9, 10].map(record));
    await second.acknowledge(8);
    // crash again

    const third = await opened();
    expect(third.nextBatch(100)).toEqual({ first: 9, last: 10, records: [record(9), record(10)] });
    expect(JSON.parse(await readFile(join(dir, 'ack.json'), 'utf8'))).toMatchObject({ ack: 8 });
  });

  it('nextFrame hands out each record as the JSON it was appended as, with its summary, also after a restart', async () => {
    const summarize = (r: TestRecord) => ({ id: r.request_id, cost: r.cost_micros });
    const first = new UsageSpool<TestRecord, { id: string; cost: number }>({ dir, fsync: false, summarize });
    spools.push(first as unknown as UsageSpool<TestRecord>);
    await first.open();
    const odd = { request_id: 'req-"quoted"\n', cost_micros: 7, note: 'é ✓' };
    first.append(record(1));
    first.append(odd);
    await first.flush();
    const frame = first.nextFrame(10);
    expect(frame).toMatchObject({ first: 1, last: 2, summaries: [summarize(record(1)), summarize(odd)] });
    // Written records are kept as their bytes in the commit's buffer (off the JS heap), no longer as text.
    expect(frame?.json.every((part) => part instanceof Uint8Array)).toBe(true);
    expect(frame?.json.map(text)).toEqual([JSON.stringify(record(1)), JSON.stringify(odd)]);
    expect(first.nextFrame(10)).toBeNull();
    // crash; a line written by someone else's serializer (spaces) is read too
    const [segment] = await segmentFiles(dir);
    await appendFile(join(dir, segment), '{ "s": 3, "t": 1700000000000, "r": { "request_id": "req-3", "cost_micros": 30 } }\n');

    const second = new UsageSpool<TestRecord, { id: string; cost: number }>({ dir, fsync: false, summarize });
    spools.push(second as unknown as UsageSpool<TestRecord>);
    await second.open();
    const again = second.nextFrame(10);
    expect(again?.json.map((part) => JSON.parse(text(part)))).toEqual([record(1), odd, record(3)]);
    expect(again?.summaries).toEqual([summarize(record(1)), summarize(odd), summarize(record(3))]);
  });

  it('ignores and truncates a torn last line', async () => {
    const first = await opened();
    appendAll(first, 1, 3);
    await first.flush();
    const [segment] = await segmentFiles(dir);
    const path = join(dir, segment);
    const intact = (await stat(path)).size;
    await appendFile(path, '{"s":4,"t":1700000000000,"r":{"request_id":"req-');
    // crash

    const second = await opened();
    expect((await stat(path)).size).toBe(intact);
    expect(second.nextBatch(100)).toEqual({ first: 1, last: 3, records: [1, 2, 3].map(record) });
    appendAll(second, 4, 4);
    await second.flush();
    expect(second.nextBatch(100)).toMatchObject({ first: 4, last: 4, records: [record(4)] });
    // crash

    const third = await opened();
    expect(third.nextBatch(100)).toEqual({ first: 1, last: 4, records: [1, 2, 3, 4].map(record) });
  });

  it('re-sends in-flight records from the oldest after requeue', async () => {
    const spool = await opened();
    appendAll(spool, 1, 6);
    await spool.flush();
    expect(spool.nextBatch(2)).toMatchObject({ first: 1, last: 2 });
    await spool.acknowledge(2);
    expect(spool.nextBatch(2)).toMatchObject({ first: 3, last: 4 });
    expect(spool.nextBatch(1)).toMatchObject({ first: 5, last: 5 });

    spool.requeue();
    const again = spool.nextBatch(100);
    expect(again).toMatchObject({ first: 3, last: 6 });
    expect(ids(again?.records)).toEqual(['req-3', 'req-4', 'req-5', 'req-6']);

    await spool.acknowledge(6);
    spool.requeue();
    expect(spool.nextBatch(100)).toBeNull();
  });

  it('persists acknowledgements at most once per ackDelayMs, frees room at once, and writes the latest at close', async () => {
    const spool = await opened({ ackDelayMs: 60_000 });
    const ackFile = async () => JSON.parse(await readFile(join(dir, 'ack.json'), 'utf8'));
    appendAll(spool, 1, 6);
    await spool.flush();
    spool.nextBatch(6);
    await spool.acknowledge(2); // the first write goes at once
    expect(await ackFile()).toEqual({ ack: 2, next: 7 });

    const second = spool.acknowledge(4);
    const third = spool.acknowledge(5);
    expect(third).toBe(second); // one write, of the latest position
    expect(spool.depth().records).toBe(1);
    // Disk operations run one at a time, in order: a commit requested now ends after any ack write already started.
    spool.append(record(7));
    await spool.flush();
    expect(await ackFile()).toEqual({ ack: 2, next: 7 }); // not before the interval

    await spool.close();
    await second;
    expect(await ackFile()).toEqual({ ack: 5, next: 8 });
    const reopened = await opened();
    expect(reopened.nextBatch(100)).toMatchObject({ first: 6, last: 7 });
  });

  it('clamps an acknowledgement to what was handed out and ignores an old one', async () => {
    const spool = await opened();
    appendAll(spool, 1, 5);
    await spool.flush();
    spool.nextBatch(2);
    await spool.acknowledge(1_000);
    expect(spool.depth().records).toBe(3);
    expect(JSON.parse(await readFile(join(dir, 'ack.json'), 'utf8'))).toMatchObject({ ack: 2 });

    await spool.acknowledge(1);
    expect(spool.depth().records).toBe(3);
    expect(JSON.parse(await readFile(join(dir, 'ack.json'), 'utf8'))).toMatchObject({ ack: 2 });
    expect(spool.nextBatch(100)).toMatchObject({ first: 3, last: 5 });
  });

  it('rotates segments and deletes the fully acknowledged ones', async () => {
    const spool = await opened({ segmentBytes: 1 });
    for (const [from, to] of [
      [1, 2],
      [3, 4],
      [5, 6],
    ]) {
      appendAll(spool, from, to);
      await spool.flush();
    }
    expect(await segmentFiles(dir)).toEqual([
      'segment-0000000000000001.jsonl',
      'segment-0000000000000003.jsonl',
      'segment-0000000000000005.jsonl',
    ]);

    expect(spool.nextBatch(100)).toMatchObject({ first: 1, last: 6 });
    await spool.acknowledge(3);
    expect(await segmentFiles(dir)).toEqual(['segment-0000000000000003.jsonl', 'segment-0000000000000005.jsonl']);
    await spool.acknowledge(4);
    expect(await segmentFiles(dir)).toEqual(['segment-0000000000000005.jsonl']);
    await spool.acknowledge(6);
    expect(await segmentFiles(dir)).toEqual([]);
  });

  it('rotates by size: a segment grows beyond segmentBytes by at most one group commit', async () => {
    const spool = await opened({ segmentBytes: 200 });
    for (let n = 1; n <= 20; n++) {
      appendAll(spool, n, n);
      await spool.flush();
    }
    const files = await segmentFiles(dir);
    expect(files.length).toBeGreaterThan(3);
    for (const name of files) expect((await stat(join(dir, name))).size).toBeLessThan(400);
    spool.nextBatch(100);
    await spool.acknowledge(20);
    expect(await segmentFiles(dir)).toEqual([]);
  });

  it('refuses appends at the record bound until an acknowledgement frees room', async () => {
    const spool = await opened({ maxRecords: 3 });
    appendAll(spool, 1, 3);
    expect(spool.full()).toBe(true);
    expect(spool.append(record(4))).toBe(false);
    expect(spool.depth()).toMatchObject({ records: 3, bytes: 0, oldestAgeMs: 0 });

    await spool.flush();
    expect(spool.depth().bytes).toBeGreaterThan(0);
    expect(spool.depth().oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(spool.nextBatch(2)).toMatchObject({ first: 1, last: 2 });
    await spool.acknowledge(2);
    expect(spool.full()).toBe(false);
    expect(spool.depth().records).toBe(1);
    expect(spool.append(record(4))).toBe(true);
    expect(spool.append(record(5))).toBe(true);
    expect(spool.append(record(6))).toBe(false);
    await spool.flush();
    expect(spool.nextBatch(100)).toMatchObject({ first: 3, last: 5, records: [3, 4, 5].map(record) });
  });

  it('refuses appends once the written records reach the byte bound (passed by one group commit at most)', async () => {
    const probe = await opened({ dir: join(root, 'probe-spool') });
    probe.append(record(1));
    await probe.flush();
    const lineBytes = probe.depth().bytes;
    await probe.close();

    const spool = await opened({ maxBytes: lineBytes + 1 });
    expect(spool.append(record(1))).toBe(true);
    expect(spool.append(record(2))).toBe(true);
    await spool.flush();
    expect(spool.depth()).toMatchObject({ records: 2, bytes: lineBytes * 2 });
    expect(spool.append(record(3))).toBe(false);
    spool.nextBatch(1);
    await spool.acknowledge(1);
    expect(spool.append(record(3))).toBe(true);
  });

  it('keeps numbering after every segment was deleted and the spool reopened', async () => {
    const first = await opened();
    appendAll(first, 1, 3);
    await first.flush();
    first.nextBatch(100);
    await first.acknowledge(3);
    expect(await segmentFiles(dir)).toEqual([]);
    await first.close();

    const second = await opened();
    expect(second.depth()).toEqual({ records: 0, bytes: 0, oldestAgeMs: null });
    appendAll(second, 4, 5);
    await second.flush();
    expect(second.nextBatch(100)).toMatchObject({ first: 4, last: 5 });
    await second.acknowledge(5);
    // crash

    const third = await opened();
    appendAll(third, 6, 6);
    await third.flush();
    expect(third.nextBatch(100)).toEqual({ first: 6, last: 6, records: [record(6)] });
  });

  it('never reuses the number of a record lost before it became durable', async () => {
    const first = await opened({ flushDelayMs: 60_000 });
    appendAll(first, 1, 3);
    await first.flush();
    first.nextBatch(100);
    appendAll(first, 4, 5); // numbered, never written: lost in the crash
    await first.acknowledge(3);
    expect(await segmentFiles(dir)).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, 'ack.json'), 'utf8'))).toEqual({ ack: 3, next: 6 });
    // crash

    const second = await opened();
    expect(second.depth().records).toBe(0);
    appendAll(second, 6, 6);
    await second.flush();
    expect(second.nextBatch(100)).toEqual({ first: 6, last: 6, records: [record(6)] });
  });

  it.skipIf(process.platform === 'win32')('creates the directory 0700 and its files 0600', async () => {
    const spool = await opened();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    appendAll(spool, 1, 2);
    await spool.flush();
    spool.nextBatch(1);
    await spool.acknowledge(1);
    const names = await readdir(dir);
    expect(names).toEqual(expect.arrayContaining(['ack.json', 'segment-0000000000000001.jsonl']));
    for (const name of names) expect({ name, mode: (await stat(join(dir, name))).mode & 0o777 }).toEqual({ name, mode: 0o600 });
  });

  it('group-commits 100 appends made in one tick with one write and one durable notification', async () => {
    const probe = await open(join(root, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe);
    await probe.close();
    const spool = await opened({ fsync: true });
    const writes = vi.spyOn(fs, 'writeSync');
    const datasyncs = vi.spyOn(fileHandle, 'datasync');
    const syncs = vi.spyOn(fileHandle, 'sync');
    const durable = vi.fn();
    const notified = new Promise<void>((resolve) => spool.onDurable(resolve));
    spool.onDurable(durable);

    appendAll(spool, 1, 100);
    await notified;
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(durable).toHaveBeenCalledTimes(1);
    expect(writes).toHaveBeenCalledTimes(1);
    expect(datasyncs).toHaveBeenCalledTimes(1);
    expect(datasyncs.mock.calls.length + syncs.mock.calls.length).toBeLessThanOrEqual(3);
    const batch = spool.nextBatch(1_000);
    expect(batch).toMatchObject({ first: 1, last: 100 });
    expect(batch?.records).toHaveLength(100);
  });

  it('writes each group commit at once and makes it durable at most once per syncDelayMs; a flush syncs at once', async () => {
    const probe = await open(join(root, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe);
    await probe.close();
    const datasyncs = vi.spyOn(fileHandle, 'datasync');
    const spool = await opened({ fsync: true, flushDelayMs: 0, syncDelayMs: 60_000 });
    appendAll(spool, 1, 2);
    await spool.flush();
    expect(datasyncs).toHaveBeenCalledTimes(1);
    expect(spool.nextBatch(100)).toMatchObject({ first: 1, last: 2 });

    const realWrite = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    const wrote = new Promise<void>((resolve) => {
      vi.spyOn(fs, 'writeSync').mockImplementationOnce((...args: unknown[]) => {
        const written = realWrite(...args);
        resolve();
        return written;
      });
    });
    appendAll(spool, 3, 4);
    await wrote; // the group commit wrote 3 and 4 ...
    await spool.acknowledge(2); // (disk operations run in order: this one ends after that commit ended)
    expect(spool.nextBatch(100)).toBeNull(); // ... but they are not durable yet, so not handed out
    expect(datasyncs).toHaveBeenCalledTimes(1);
    // A crash of the process now loses nothing: what was written is in the file.
    const afterCrash = await opened();
    expect(afterCrash.nextBatch(100)).toEqual({ first: 3, last: 4, records: [3, 4].map(record) });

    await spool.flush();
    expect(datasyncs).toHaveBeenCalledTimes(2);
    expect(spool.nextBatch(100)).toMatchObject({ first: 3, last: 4 });
  });

  it('a flush that arrives while a commit is writing waits for a sync of its records too', async () => {
    const spool = await opened({ fsync: true, flushDelayMs: 0, syncDelayMs: 60_000 });
    appendAll(spool, 1, 1);
    await spool.flush(); // a sync just now: the interval has not passed for the next ones
    const realWrite = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    let lateFlush: Promise<void> = Promise.resolve();
    const writing = new Promise<void>((resolve) => {
      vi.spyOn(fs, 'writeSync').mockImplementationOnce((...args: unknown[]) => {
        // Mid-commit (records 2 and 3 being written): another record, and a flush for it.
        expect(spool.append(record(4))).toBe(true);
        lateFlush = spool.flush();
        resolve();
        return realWrite(...args);
      });
    });
    appendAll(spool, 2, 3);
    await writing;
    await lateFlush;
    expect(spool.nextBatch(100)).toMatchObject({ first: 1, last: 4 });
  });

  it('writes a failed sync again: the records stay, and are handed out once a sync succeeds', async () => {
    const probe = await open(join(root, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe);
    await probe.close();
    const spool = await opened({ fsync: true, flushDelayMs: 60_000 });
    appendAll(spool, 1, 2);
    await spool.flush();
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    vi.spyOn(fileHandle, 'datasync').mockRejectedValueOnce(eio);
    const writes = vi.spyOn(fs, 'writeSync');
    appendAll(spool, 3, 4);
    await expect(spool.flush()).rejects.toThrow(/EIO/);
    expect(spool.lastError).toMatch(/EIO/);
    expect(spool.nextBatch(100)).toMatchObject({ first: 1, last: 2 });

    await spool.flush();
    expect(writes).toHaveBeenCalledTimes(2); // 3 and 4 written again after the failed sync cut them away
    expect(spool.lastError).toBeNull();
    expect(spool.nextBatch(100)).toMatchObject({ first: 3, last: 4 });
    const reopened = await opened(); // each record once on disk
    expect(reopened.nextBatch(100)).toEqual({ first: 1, last: 4, records: [1, 2, 3, 4].map(record) });
  });

  it('close() flushes, then refuses appends', async () => {
    const spool = await opened({ flushDelayMs: 60_000 });
    appendAll(spool, 1, 2);
    await spool.close();
    expect(spool.append(record(3))).toBe(false);

    const reopened = await opened();
    expect(reopened.nextBatch(100)).toEqual({ first: 1, last: 2, records: [record(1), record(2)] });
  });

  it('keeps records in memory when a write fails and retries on the next flush', async () => {
    const spool = await opened({ flushDelayMs: 60_000 });
    appendAll(spool, 1, 2);
    await spool.flush();

    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const writes = vi.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw enospc;
    });
    appendAll(spool, 3, 4);
    await expect(spool.flush()).rejects.toThrow(/ENOSPC/);
    expect(spool.lastError).toMatch(/ENOSPC/);
    expect(spool.append(record(5))).toBe(true);
    expect(spool.depth().records).toBe(5);
    expect(spool.nextBatch(100)).toMatchObject({ first: 1, last: 2 });

    await spool.flush();
    expect(writes).toHaveBeenCalledTimes(2);
    expect(spool.lastError).toBeNull();
    expect(spool.nextBatch(100)).toMatchObject({ first: 3, last: 5, records: [3, 4, 5].map(record) });

    const reopened = await opened(); // crash recovery sees each record once
    expect(reopened.nextBatch(100)).toEqual({ first: 1, last: 5, records: [1, 2, 3, 4, 5].map(record) });
  });
});
