import { describe, expect, it } from 'vitest';
import { ChannelLimiter } from './channel-limiter';

function admit(limiter: ChannelLimiter, attempts: number): number {
  let admitted = 0;
  for (let i = 0; i < attempts; i += 1) if (limiter.tryAcquire()) admitted += 1;
  return admitted;
}

describe('ChannelLimiter', () => {
  it('treats null, undefined and 0 as unlimited', () => {
    for (const limits of [{}, { maxConcurrency: null, rpm: null }, { maxConcurrency: 0, rpm: 0 }]) {
      const limiter = new ChannelLimiter(limits, () => 0);
      expect(admit(limiter, 1_000)).toBe(1_000);
      expect(limiter.inflight).toBe(1_000);
    }
  });

  it('caps concurrency and frees a slot on release, never going below 0', () => {
    const limiter = new ChannelLimiter({ maxConcurrency: 2 }, () => 0);
    expect(admit(limiter, 3)).toBe(2);
    expect(limiter.inflight).toBe(2);
    limiter.release();
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release();
    limiter.release();
    limiter.release();
    expect(limiter.inflight).toBe(0);
  });

  it('caps requests started in a sliding minute, released or not', () => {
    let time = 0;
    const limiter = new ChannelLimiter({ rpm: 3 }, () => time);
    expect(admit(limiter, 2)).toBe(2);
    time = 30_000;
    expect(limiter.tryAcquire()).toBe(true);
    limiter.release();
    limiter.release();
    limiter.release();
    expect(limiter.tryAcquire()).toBe(false);
    time = 59_999;
    expect(limiter.tryAcquire()).toBe(false);
    time = 60_000; // the two requests of second 0 left the window
    expect(admit(limiter, 5)).toBe(2);
    time = 90_000; // so did the one of second 30
    expect(admit(limiter, 5)).toBe(1);
  });

  it('a refused request counts nothing', () => {
    let time = 0;
    const limiter = new ChannelLimiter({ maxConcurrency: 1, rpm: 2 }, () => time);
    expect(limiter.tryAcquire()).toBe(true);
    expect(admit(limiter, 10)).toBe(0); // refused by concurrency: must not eat the minute budget
    limiter.release();
    expect(limiter.tryAcquire()).toBe(true);
    limiter.release();
    expect(limiter.tryAcquire()).toBe(false); // now the minute cap
    expect(limiter.inflight).toBe(0);
  });

  it('setLimits changes the caps and keeps the counters', () => {
    const limiter = new ChannelLimiter({ maxConcurrency: 5, rpm: 10 }, () => 0);
    expect(admit(limiter, 4)).toBe(4);
    limiter.setLimits({ maxConcurrency: 3 });
    expect(limiter.inflight).toBe(4);
    expect(limiter.tryAcquire()).toBe(false);
    limiter.release();
    limiter.release();
    limiter.setLimits({ maxConcurrency: 3, rpm: 5 });
    expect(admit(limiter, 5)).toBe(1); // 4 already counted this minute
    limiter.setLimits({});
    expect(admit(limiter, 5)).toBe(5);
  });

  it('rejects negative or non-finite caps', () => {
    expect(() => new ChannelLimiter({ maxConcurrency: -1 })).toThrow(RangeError);
    expect(() => new ChannelLimiter({ rpm: Number.NaN })).toThrow(RangeError);
    expect(() => new ChannelLimiter({}).setLimits({ rpm: Infinity })).toThrow(RangeError);
  });
});
