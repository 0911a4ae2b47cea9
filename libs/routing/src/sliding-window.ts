/**
 * A count of events over a sliding time window, kept in a fixed number of time
 * buckets so memory is constant however many events arrive.
 *
 * The window is `windowMs` split into `bucketCount` buckets of
 * `windowMs / bucketCount`; `total()` sums the current (partial) bucket and the
 * `bucketCount - 1` before it. So an event is always counted for at least
 * `windowMs - bucketMs` and always forgotten after `windowMs`.
 *
 * Internal helper of `RetryBudget` and `ChannelLimiter`.
 */
export class SlidingWindowCounter {
  private readonly bucketMs: number;
  private readonly counts: number[];
  /** Absolute bucket number (time / bucketMs) each slot currently holds. */
  private readonly stamps: number[];

  constructor(
    windowMs: number,
    private readonly bucketCount: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(Number.isFinite(windowMs) && windowMs > 0)) throw new RangeError(`windowMs must be a positive number, got ${windowMs}`);
    if (!(Number.isInteger(bucketCount) && bucketCount > 0)) throw new RangeError(`bucketCount must be a positive integer, got ${bucketCount}`);
    this.bucketMs = windowMs / bucketCount;
    this.counts = new Array<number>(bucketCount).fill(0);
    this.stamps = new Array<number>(bucketCount).fill(-Infinity);
  }

  /** Counts `amount` events (default 1) at the current time. */
  add(amount = 1): void {
    const bucket = this.currentBucket();
    const slot = ((bucket % this.bucketCount) + this.bucketCount) % this.bucketCount;
    if (this.stamps[slot] !== bucket) {
      this.stamps[slot] = bucket;
      this.counts[slot] = 0;
    }
    this.counts[slot] += amount;
  }

  /** Events counted within the window ending now. */
  total(): number {
    const bucket = this.currentBucket();
    let sum = 0;
    for (let slot = 0; slot < this.bucketCount; slot += 1) {
      const stamp = this.stamps[slot];
      if (stamp <= bucket && stamp > bucket - this.bucketCount) sum += this.counts[slot];
    }
    return sum;
  }

  private currentBucket(): number {
    return Math.floor(this.now() / this.bucketMs);
  }
}
