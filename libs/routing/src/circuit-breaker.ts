/** Tuning of a {@link CircuitBreaker}. */
export interface BreakerOptions {
  /** M: how many of the most recent outcomes are kept (default 20). */
  windowSize: number;
  /** N: failures among the last M outcomes that open the breaker (default 10). */
  failureThreshold: number;
  /** Outcomes needed in the window before the N-of-M rule applies (default: failureThreshold). */
  minimumRequests?: number;
  /** Failures in a row that open the breaker, whatever the window says (default 5). */
  consecutiveFailures: number;
  /** How long the breaker stays open before it lets one half-open probe through (default 30 s). */
  cooldownMs: number;
}

/** Defaults for {@link BreakerOptions}; `minimumRequests` defaults to `failureThreshold`. */
export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  windowSize: 20,
  failureThreshold: 10,
  consecutiveFailures: 5,
  cooldownMs: 30_000,
});

/**
 * - `closed`: traffic flows, outcomes are recorded;
 * - `open`: traffic is refused until the cooldown ends;
 * - `half_open`: the cooldown has ended; one probe request decides between closed and open.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Point-in-time view of a {@link CircuitBreaker}, for metrics and admin pages. */
export interface BreakerSnapshot {
  state: BreakerState;
  /** Failures among the outcomes in the window. */
  failures: number;
  /** Outcomes in the window (at most windowSize). */
  outcomes: number;
  /** Current run of failures in a row. */
  consecutiveFailures: number;
  /** When the breaker last opened; null while closed. */
  openedAt: number | null;
  /** When a half-open probe is (or was) allowed; null while closed. */
  retryAt: number | null;
}

/**
 * Per-upstream circuit breaker. It opens when either
 * - `consecutiveFailures` outcomes in a row were failures, or
 * - at least `failureThreshold` of the last `windowSize` outcomes were failures
 *   (only once the window holds `minimumRequests` outcomes);
 *
 * (both rules are checked when a failure is recorded, never on a success);
 * stays open for `cooldownMs`, then admits exactly one probe (`half_open`):
 * the probe's success closes it with an empty window, its failure reopens it
 * for another cooldown.
 *
 * Usage: call `tryAcquire()` before an attempt; when it returns true, report
 * exactly one of `onSuccess()`, `onFailure()` or `release()` afterwards.
 * Outcomes reported while the breaker is open (late answers to requests
 * admitted before it opened) are ignored. While half-open the breaker cannot
 * tell reports apart, so any verdict is taken as the probe's.
 *
 * Time comes from `now` (milliseconds), so tests control it.
 */
export class CircuitBreaker {
  private readonly options: Required<BreakerOptions>;
  /** Ring buffer of the last outcomes: 1 = failure, 0 = success. */
  private readonly window: Uint8Array;
  private head = 0;
  private outcomes = 0;
  private failures = 0;
  private consecutive = 0;
  private mode: BreakerState = 'closed';
  private probeInFlight = false;
  private openedAt: number | null = null;
  private retryAt: number | null = null;

  constructor(options: Partial<BreakerOptions> = {}, private readonly now: () => number = Date.now) {
    const failureThreshold = options.failureThreshold ?? DEFAULT_BREAKER_OPTIONS.failureThreshold;
    this.options = {
      windowSize: options.windowSize ?? DEFAULT_BREAKER_OPTIONS.windowSize,
      failureThreshold,
      minimumRequests: options.minimumRequests ?? failureThreshold,
      consecutiveFailures: options.consecutiveFailures ?? DEFAULT_BREAKER_OPTIONS.consecutiveFailures,
      cooldownMs: options.cooldownMs ?? DEFAULT_BREAKER_OPTIONS.cooldownMs,
    };
    for (const key of ['windowSize', 'failureThreshold', 'minimumRequests', 'consecutiveFailures'] as const) {
      const value = this.options[key];
      if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`${key} must be a positive integer, got ${value}`);
    }
    const { cooldownMs } = this.options;
    if (!(Number.isFinite(cooldownMs) && cooldownMs >= 0)) throw new RangeError(`cooldownMs must be a non-negative number, got ${cooldownMs}`);
    this.window = new Uint8Array(this.options.windowSize);
  }

  /** Current state; reports `half_open` as soon as the cooldown has elapsed, before any probe is taken. */
  get state(): BreakerState {
    return this.mode === 'open' && this.cooldownOver() ? 'half_open' : this.mode;
  }

  /**
   * Asks to send one attempt. Closed: true. Open before the cooldown ends:
   * false. After it: true for exactly one caller (the probe, leaving the
   * breaker half-open with the probe in flight), false for everyone else until
   * the probe reports or is released.
   */
  tryAcquire(): boolean {
    switch (this.mode) {
      case 'closed':
        return true;
      case 'open':
        if (!this.cooldownOver()) return false;
        this.mode = 'half_open';
        this.probeInFlight = true;
        return true;
      case 'half_open':
        if (this.probeInFlight) return false;
        this.probeInFlight = true;
        return true;
    }
  }

  /** The attempt succeeded: half-open → closed with an empty window; closed → records a success. */
  onSuccess(): void {
    if (this.mode === 'half_open') this.close();
    else if (this.mode === 'closed') this.record(false);
  }

  /** The attempt failed: half-open → open for a new cooldown; closed → records a failure and opens when a rule trips. */
  onFailure(): void {
    if (this.mode === 'half_open') {
      this.open(this.now() + this.options.cooldownMs);
    } else if (this.mode === 'closed') {
      this.record(true);
      const windowTripped = this.outcomes >= this.options.minimumRequests && this.failures >= this.options.failureThreshold;
      if (windowTripped || this.consecutive >= this.options.consecutiveFailures) this.open(this.now() + this.options.cooldownMs);
    }
  }

  /**
   * The acquired attempt ended without a verdict on the upstream (client
   * aborted, a request-caused 4xx): frees the half-open probe slot so another
   * caller can probe; changes nothing else.
   */
  release(): void {
    if (this.mode === 'half_open') this.probeInFlight = false;
  }

  /** When the open period ends (ms); null unless the state is `open`. */
  openUntil(): number | null {
    return this.state === 'open' ? this.retryAt : null;
  }

  /** Counters and times, for metrics and admin pages. */
  snapshot(): BreakerSnapshot {
    return {
      state: this.state,
      failures: this.failures,
      outcomes: this.outcomes,
      consecutiveFailures: this.consecutive,
      openedAt: this.openedAt,
      retryAt: this.retryAt,
    };
  }

  /**
   * Opens the breaker until `untilMs` whatever the outcomes say, e.g. for the
   * Retry-After of a 429. If it is already open, the later end wins. When that
   * time comes the breaker goes half-open as usual. An in-flight probe loses its
   * slot (its late verdict is ignored while open).
   */
  forceOpen(untilMs: number): void {
    if (!Number.isFinite(untilMs)) throw new RangeError(`untilMs must be a finite time, got ${untilMs}`);
    if (this.mode === 'open') this.retryAt = Math.max(this.retryAt ?? untilMs, untilMs);
    else this.open(untilMs);
  }

  private cooldownOver(): boolean {
    return this.retryAt !== null && this.now() >= this.retryAt;
  }

  private open(retryAt: number): void {
    this.mode = 'open';
    this.probeInFlight = false;
    this.openedAt = this.now();
    this.retryAt = retryAt;
  }

  private close(): void {
    this.mode = 'closed';
    this.probeInFlight = false;
    this.openedAt = null;
    this.retryAt = null;
    this.window.fill(0);
    this.head = 0;
    this.outcomes = 0;
    this.failures = 0;
    this.consecutive = 0;
  }

  private record(failed: boolean): void {
    if (this.outcomes === this.window.length) this.failures -= this.window[this.head];
    else this.outcomes += 1;
    this.window[this.head] = failed ? 1 : 0;
    this.head = (this.head + 1) % this.window.length;
    if (failed) {
      this.failures += 1;
      this.consecutive += 1;
    } else {
      this.consecutive = 0;
    }
  }
}
