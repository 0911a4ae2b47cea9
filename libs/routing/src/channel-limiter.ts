import { SlidingWindowCounter } from './sliding-window';

/** Per-channel caps; null, undefined or 0 means unlimited. */
export interface ChannelLimits {
  /** Requests in flight at once. */
  maxConcurrency?: number | null;
  /** Requests started in the last 60 seconds. */
  rpm?: number | null;
}

/**
 * Enforces a channel's concurrency and requests-per-minute caps.
 *
 * `tryAcquire()` admits a request unless inflight ≥ maxConcurrency or the
 * requests started in the last 60 s ≥ rpm; an admitted request counts towards
 * both, and its end must be reported with `release()` (only concurrency is
 * given back; the minute count stays). The minute is a sliding window kept in
 * 60 one-second buckets (constant memory).
 */
export class ChannelLimiter {
  private maxConcurrency: number | null = null;
  private rpm: number | null = null;
  private inflightCount = 0;
  private readonly started: SlidingWindowCounter;

  constructor(limits: ChannelLimits, now: () => number = Date.now) {
    this.started = new SlidingWindowCounter(60_000, 60, now);
    this.setLimits(limits);
  }

  /** Requests admitted and not yet released. */
  get inflight(): number {
    return this.inflightCount;
  }

  /** Whether tryAcquire() would refuse now (nothing counted). */
  get saturated(): boolean {
    return (this.maxConcurrency !== null && this.inflightCount >= this.maxConcurrency) || (this.rpm !== null && this.started.total() >= this.rpm);
  }

  /** Admits one request (true: counted in flight and in the minute) or refuses it (false: nothing counted). */
  tryAcquire(): boolean {
    if (this.maxConcurrency !== null && this.inflightCount >= this.maxConcurrency) return false;
    if (this.rpm !== null && this.started.total() >= this.rpm) return false;
    this.inflightCount += 1;
    this.started.add();
    return true;
  }

  /** An admitted request ended; inflight never goes below 0. */
  release(): void {
    if (this.inflightCount > 0) this.inflightCount -= 1;
  }

  /** Replaces the caps (e.g. after a policy update), keeping inflight and the minute count. */
  setLimits(limits: ChannelLimits): void {
    this.maxConcurrency = normalize('maxConcurrency', limits.maxConcurrency);
    this.rpm = normalize('rpm', limits.rpm);
  }
}

function normalize(name: string, limit: number | null | undefined): number | null {
  if (limit === null || limit === undefined || limit === 0) return null;
  if (!(limit > 0) || !Number.isFinite(limit)) throw new RangeError(`${name} must be a positive number, 0 or null, got ${limit}`);
  return limit;
}
