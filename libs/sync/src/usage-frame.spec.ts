import { describe, expect, it } from 'vitest';
import { FrameBuffers, usageFrameBytes } from './usage-frame';

describe('usage frame memory', () => {
  const records = [JSON.stringify({ request_id: 'a', model: 'é模型🙂' }), Buffer.from(JSON.stringify({ request_id: 'b', n: 1 }))];
  const expected = { type: 'usage', first: 7, last: 8, records: [{ request_id: 'a', model: 'é模型🙂' }, { request_id: 'b', n: 1 }] };

  it('writes a frame into the first `size` bytes of the memory it is given, whatever that held', () => {
    const memory = Buffer.alloc(1024, 0x41);
    let asked = 0;
    const bytes = usageFrameBytes(7, 8, records, (size) => {
      asked = size;
      return memory;
    });
    expect(bytes.length).toBe(asked);
    expect(bytes.buffer).toBe(memory.buffer);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(expected);
    expect(bytes.equals(usageFrameBytes(7, 8, records))).toBe(true);
  });

  it('hands out the spare only when it is large enough, and once until it comes back', () => {
    const frames = new FrameBuffers();
    const first = frames.take(100_000);
    expect(first.length).toBeGreaterThanOrEqual(100_000);
    frames.release(first);
    const again = frames.take(90_000);
    expect(again).toBe(first);
    expect(frames.take(90_000)).not.toBe(first); // out, not back yet
    frames.release(again);
    const larger = frames.take(first.length + 1);
    expect(larger).not.toBe(first);
    frames.release(larger);
    frames.release(first); // the larger one stays the spare
    expect(frames.take(10)).toBe(larger);
  });

  it('does not keep a buffer above its bound', () => {
    const frames = new FrameBuffers(128 * 1024);
    const huge = frames.take(1024 * 1024);
    frames.release(huge);
    expect(frames.take(1024 * 1024)).not.toBe(huge);
  });
});
