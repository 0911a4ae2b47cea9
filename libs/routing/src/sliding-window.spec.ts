import { describe, expect, it } from 'vitest';
import { SlidingWindowCounter } from './sliding-window';

describe('SlidingWindowCounter', () => {
  it('sums events in the window and forgets them bucket by bucket', () => {
    let time = 0;
    const counter = new SlidingWindowCounter(1000, 10, () => time);
    counter.add();
    time = 150;
    counter.add(2);
    expect(counter.total()).toBe(3);
    time = 999;
    expect(counter.total()).toBe(3);
    time = 1000; // the bucket [0, 100) has left the window
    expect(counter.total()).toBe(2);
    time = 1099;
    expect(counter.total()).toBe(2);
    time = 1100; // so has [100, 200)
    expect(counter.total()).toBe(0);
  });

  it('reuses a slot for a new bucket instead of adding to its old count', () => {
    let time = 50;
    const counter = new SlidingWindowCounter(1000, 10, () => time);
    counter.add(5);
    time = 1050; // same slot, ten buckets later
    counter.add();
    expect(counter.total()).toBe(1);
  });

  it('forgets everything after a long idle period', () => {
    let time = 0;
    const counter = new SlidingWindowCounter(1000, 10, () => time);
    for (let i = 0; i < 100; i += 1) counter.add();
    time = 1_000_000;
    expect(counter.total()).toBe(0);
  });

  it('rejects a window or bucket count that is not positive', () => {
    expect(() => new SlidingWindowCounter(0, 10)).toThrow(RangeError);
    expect(() => new SlidingWindowCounter(1000, 0)).toThrow(RangeError);
  });
});
