import { describe, expect, it } from 'vitest';
import { LatencyTracker, latencyAwareWeight, tierBestTtftMs } from './latency-tracker';

function clock(start = 1_000) {
  const c = { time: start, now: () => c.time };
  return c;
}

/** A tracker whose averages are exactly the given values (single samples). */
function tracker(ttftMs: number | null, failed = false): LatencyTracker {
  const t = new LatencyTracker({}, () => 0);
  if (ttftMs !== null) t.observe(ttftMs, true);
  if (failed) t.observe(0, false);
  return t;
}

describe('LatencyTracker', () => {
  it('starts empty', () => {
    const t = new LatencyTracker();
    expect(t.ttftMs).toBeNull();
    expect(t.errorRate).toBe(0);
    expect(t.samples).toBe(0);
  });

  it('takes the first sample as is; failures do not set the TTFT', () => {
    const c = clock();
    const t = new LatencyTracker({}, c.now);
    t.observe(999, false);
    expect(t.ttftMs).toBeNull();
    expect(t.errorRate).toBe(1);
    c.time += 30_000;
    t.observe(200, true);
    expect(t.ttftMs).toBe(200);
    expect(t.errorRate).toBeCloseTo(0.5, 12);
    expect(t.samples).toBe(2);
  });

  it('decays with elapsed time: a sample one half-life later moves the average halfway, two half-lives later three quarters', () => {
    const c = clock();
    const t = new LatencyTracker({ halfLifeMs: 10_000 }, c.now);
    t.observe(100, true);
    c.time += 10_000;
    t.observe(300, true);
    expect(t.ttftMs).toBeCloseTo(200, 9);
    c.time += 20_000;
    t.observe(1_000, true);
    expect(t.ttftMs).toBeCloseTo(200 + 0.75 * 800, 9);
    c.time += 1_000_000;
    t.observe(50, true);
    expect(t.ttftMs).toBeCloseTo(50, 6);
  });

  it('is time-based, not count-based: many samples in a short time move the average little', () => {
    const c = clock();
    const t = new LatencyTracker({ halfLifeMs: 30_000 }, c.now);
    t.observe(100, true);
    for (let i = 0; i < 1_000; i += 1) {
      c.time += 30; // 1000 samples over 30 s = one half-life
      t.observe(500, true);
    }
    expect(t.ttftMs).toBeCloseTo(300, 6);
    expect(t.samples).toBe(1_001);
  });

  it('rejects an invalid half-life or TTFT', () => {
    expect(() => new LatencyTracker({ halfLifeMs: 0 })).toThrow(RangeError);
    expect(() => new LatencyTracker().observe(Number.NaN, true)).toThrow(RangeError);
  });
});

describe('tierBestTtftMs', () => {
  it('is the lowest TTFT among trackers that have one', () => {
    expect(tierBestTtftMs([undefined, tracker(null, true), tracker(300), tracker(120)])).toBe(120);
    expect(tierBestTtftMs([undefined, tracker(null, true)])).toBeNull();
    expect(tierBestTtftMs([])).toBeNull();
  });
});

describe('latencyAwareWeight', () => {
  it('gives a channel twice as slow as the best half the weight', () => {
    expect(latencyAwareWeight(10, tracker(100), 100)).toBe(10);
    expect(latencyAwareWeight(10, tracker(200), 100)).toBe(5);
    expect(latencyAwareWeight(10, tracker(400), 100)).toBe(2.5);
  });

  it('reduces the weight quadratically with the error rate, down to a floor', () => {
    const c = clock();
    const t = new LatencyTracker({ halfLifeMs: 1_000 }, c.now);
    t.observe(100, true);
    c.time += 1_000;
    t.observe(0, false); // errorRate 0.5
    expect(t.errorRate).toBeCloseTo(0.5, 12);
    expect(latencyAwareWeight(8, t, 100)).toBeCloseTo(8 * 0.25, 12);
    c.time += 1_000_000;
    t.observe(0, false); // errorRate ≈ 1
    expect(latencyAwareWeight(8, t, 100)).toBeCloseTo(8 * 0.05 * 0.05, 12);
    expect(latencyAwareWeight(8, t, 100)).toBeGreaterThan(0);
  });

  it('treats unknown latency as the best so new channels get traffic', () => {
    expect(latencyAwareWeight(4, undefined, 100)).toBe(4);
    expect(latencyAwareWeight(4, tracker(null), 100)).toBe(4);
    expect(latencyAwareWeight(4, tracker(500), null)).toBe(4);
    expect(latencyAwareWeight(4, tracker(null, true), 100)).toBeCloseTo(4 * 0.05 * 0.05, 12);
  });

  it('keeps a zero base weight at zero and guards sub-millisecond TTFTs', () => {
    expect(latencyAwareWeight(0, tracker(100), 100)).toBe(0);
    expect(latencyAwareWeight(0, undefined, null)).toBe(0);
    expect(latencyAwareWeight(3, tracker(0), 1)).toBe(3);
  });

  it('lets a slow channel recover as time passes and fresh fast samples arrive', () => {
    const c = clock();
    const t = new LatencyTracker({ halfLifeMs: 10_000 }, c.now);
    t.observe(1_000, true);
    expect(latencyAwareWeight(1, t, 100)).toBeCloseTo(0.1, 12);
    c.time += 10_000;
    t.observe(100, true); // average 550
    expect(latencyAwareWeight(1, t, 100)).toBeCloseTo(100 / 550, 12);
    c.time += 100_000;
    t.observe(100, true);
    expect(latencyAwareWeight(1, t, 100)).toBeGreaterThan(0.99);
  });
});
