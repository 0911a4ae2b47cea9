import { SlidingWindowCounter } from './sliding-window';

/** Tuning of a {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per first attempt in the window (default 0.2, i.e. 20 % extra load at most). */
  ratio: number;
  /** Retries per second always allowed, so low traffic can still retry (default 10). */
  minRetriesPerSecond: number;
  /** Length of the sliding window (default 10 s). */
  windowMs: number;
}

/** Defaults for {@link RetryBudgetOptions}. */
export const DEFAULT_RETRY_BUDGET_OPTIONS: Readonly<RetryBudgetOptions> = Object.freeze({
  ratio: 0.2,
  minRetriesPerSecond: 10,
  windowMs: 10_000,
});

/** Point-in-time view of a {@link RetryBudget}. */
export interface RetryBudgetSnapshot {
  /** First attempts in the window. */
  requests: number;
  /** Retries granted in the window. */
  retries: number;
  /** Retries the window allows in total: max(minRetriesPerSecond × windowMs / 1000, ratio × requests). */
  allowed: number;
}

const BUCKETS = 10;

/**
 * Retry budget (as in Envoy and Finagle): retries may add at most `ratio` of
 * the first-attempt load, plus a floor of `minRetriesPerSecond`, over a sliding
 * window of `windowMs`. When upstreams brown out, every request failing does
 * not turn into 1 + maxRetries requests.
 *
 * A retry is granted while retries in the window < max(minRetriesPerSecond ×
 * windowMs / 1000, ratio × first attempts in the window). The window is kept in
 * 10 time buckets of windowMs / 10 (constant memory), so it slides with that
 * granularity.
 */
export class RetryBudget {
  private readonly options: RetryBudgetOptions;
  private readonly requests: SlidingWindowCounter;
  private readonly retries: SlidingWindowCounter;

  constructor(options: Partial<RetryBudgetOptions> = {}, now: () => number = Date.now) {
    this.options = {
      ratio: options.ratio ?? DEFAULT_RETRY_BUDGET_OPTIONS.ratio,
      minRetriesPerSecond: options.minRetriesPerSecond ?? DEFAULT_RETRY_BUDGET_OPTIONS.minRetriesPerSecond,
      windowMs: options.windowMs ?? DEFAULT_RETRY_BUDGET_OPTIONS.windowMs,
    };
    for (const key of ['ratio', 'minRetriesPerSecond'] as const) {
      const value = this.options[key];
      if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${key} must be a non-negative number, got ${value}`);
    }
    this.requests = new SlidingWindowCounter(this.options.windowMs, BUCKETS, now);
    this.retries = new SlidingWindowCounter(this.options.windowMs, BUCKETS, now);
  }

  /** Counts a first attempt (not a retry); it earns `ratio` retries for the window. */
  recordRequest(): void {
    this.requests.add();
  }

  /** True, counting the retry, when the budget has room for one more retry; false otherwise. */
  tryRetry(): boolean {
    // The tolerance keeps float noise (0.07 × 100 = 7.000000000000001) from granting an extra retry.
    if (this.retries.total() >= this.allowed(this.requests.total()) - 1e-9) return false;
    this.retries.add();
    return true;
  }

  /** Counters of the current window. */
  snapshot(): RetryBudgetSnapshot {
    const requests = this.requests.total();
    return { requests, retries: this.retries.total(), allowed: this.allowed(requests) };
  }

  private allowed(requests: number): number {
    const { ratio, minRetriesPerSecond, windowMs } = this.options;
    return Math.max((minRetriesPerSecond * windowMs) / 1000, ratio * requests);
  }
}
