/** Tuning of a {@link LatencyTracker}. */
export interface LatencyTrackerOptions {
  /** Elapsed time after which a sample's weight has halved (default 30 s). */
  halfLifeMs?: number;
}

/** Default {@link LatencyTrackerOptions.halfLifeMs}. */
export const DEFAULT_LATENCY_HALF_LIFE_MS = 30_000;

/** Floor of the health factor 1 − errorRate in {@link latencyAwareWeight}, so a failing channel keeps a trickle of traffic. */
const HEALTH_FLOOR = 0.05;

/**
 * Per-channel exponentially weighted moving averages of the time to first
 * token (successful samples only) and of the failure rate (all samples).
 *
 * The averages decay with elapsed time, not with sample count: a new sample
 * moves the average by alpha = 1 − 2^(−Δt / halfLifeMs), where Δt is the time
 * since the previous sample of that average. So a sample's weight halves every
 * half-life, a sample after a long silence nearly replaces the average, and
 * samples arriving at the same instant as the previous one do not move it.
 * The first sample sets the average directly.
 */
export class LatencyTracker {
  private readonly halfLifeMs: number;
  private ttft: number | null = null;
  private lastSuccessAt = 0;
  private error = 0;
  private lastSampleAt = 0;
  private sampleCount = 0;

  constructor(options: LatencyTrackerOptions = {}, private readonly now: () => number = Date.now) {
    this.halfLifeMs = options.halfLifeMs ?? DEFAULT_LATENCY_HALF_LIFE_MS;
    if (!(Number.isFinite(this.halfLifeMs) && this.halfLifeMs > 0)) throw new RangeError(`halfLifeMs must be a positive number, got ${this.halfLifeMs}`);
  }

  /**
   * Records one attempt: `ok` feeds the error rate; for a success, `ttftMs`
   * (finite, ≥ 0) feeds the TTFT average. For a failure `ttftMs` is ignored.
   */
  observe(ttftMs: number, ok: boolean): void {
    const at = this.now();
    const failed = ok ? 0 : 1;
    this.error = this.sampleCount === 0 ? failed : this.error + this.alpha(at - this.lastSampleAt) * (failed - this.error);
    this.lastSampleAt = at;
    this.sampleCount += 1;
    if (!ok) return;
    if (!(Number.isFinite(ttftMs) && ttftMs >= 0)) throw new RangeError(`ttftMs must be a non-negative number, got ${ttftMs}`);
    this.ttft = this.ttft === null ? ttftMs : this.ttft + this.alpha(at - this.lastSuccessAt) * (ttftMs - this.ttft);
    this.lastSuccessAt = at;
  }

  /** EWMA of the time to first token in ms; null before any successful sample. */
  get ttftMs(): number | null {
    return this.ttft;
  }

  /** EWMA of failures (0..1); 0 before any sample. */
  get errorRate(): number {
    return this.error;
  }

  /** Samples observed so far, successes and failures. */
  get samples(): number {
    return this.sampleCount;
  }

  private alpha(elapsedMs: number): number {
    return 1 - Math.pow(2, -Math.max(0, elapsedMs) / this.halfLifeMs);
  }
}

/**
 * The `tierBestTtftMs` argument of {@link latencyAwareWeight}: the lowest TTFT
 * average among a tier's trackers that have one; null when none has.
 */
export function tierBestTtftMs(trackers: Iterable<LatencyTracker | undefined>): number | null {
  let best: number | null = null;
  for (const tracker of trackers) {
    const ttft = tracker?.ttftMs ?? null;
    if (ttft !== null && (best === null || ttft < best)) best = ttft;
  }
  return best;
}

/**
 * Effective weight of a candidate for latency-aware routing:
 *
 *     w = baseWeight × (best / max(ttft, 1))^1 × max(0.05, 1 − errorRate)^2
 *
 * where `ttft` is the candidate's TTFT average and `best` (`tierBestTtftMs`)
 * the lowest TTFT average among the tier's candidates that have samples (see
 * {@link tierBestTtftMs}). So a channel twice as slow as the best gets half the
 * weight, and errors cut the weight quadratically down to a floor of 0.05² of
 * it. A candidate without a TTFT average, or any candidate when `best` is null,
 * is treated as the fastest: w = baseWeight × max(0.05, 1 − errorRate)^2, so
 * new channels get traffic and are measured. No tracker means errorRate 0.
 * A baseWeight of 0 (or less) gives 0.
 */
export function latencyAwareWeight(baseWeight: number, tracker: LatencyTracker | undefined, tierBestTtftMs: number | null): number {
  if (!(baseWeight > 0)) return 0;
  const health = Math.pow(Math.max(HEALTH_FLOOR, 1 - (tracker?.errorRate ?? 0)), 2);
  const ttft = tracker?.ttftMs ?? null;
  const speed = ttft === null || tierBestTtftMs === null ? 1 : tierBestTtftMs / Math.max(ttft, 1);
  return baseWeight * speed * health;
}
