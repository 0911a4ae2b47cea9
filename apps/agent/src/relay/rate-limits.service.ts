import { PolicyToken, RateLimits } from '@aigw/contracts';
import { GatewayError } from '@aigw/providers';
import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import IORedis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { Caller } from './client-auth.util';

/** Where counters live: Redis (shared by every agent and master on it), or null for this process only. */
export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');
export interface RateLimitStore {
  redisUrl: string;
  prefix: string;
}

const WINDOW_SECONDS = 60;
const WINDOW_MS = WINDOW_SECONDS * 1000;

export interface Scope {
  /** 'token:<id>', 'user:<id>', 'group:<id>' */
  key: string;
  limits: RateLimits;
}

/** What an admitted request holds: its concurrency slots, and the TPM counters it charges when it ends. */
export interface Admission {
  headers: Record<string, string>;
  /** Frees the slots and counts the request's tokens; idempotent. */
  release(tokens: number): void;
}

const positive = (value: number | null | undefined): number | null => (typeof value === 'number' && value > 0 ? value : null);

/**
 * Fixed one-minute windows per key, in this process's memory: a window
 * starts with its key's first count and ends a minute later. Synchronous,
 * no timer per key (expired windows are swept once a minute).
 */
export class LocalWindows {
  private readonly windows = new Map<string, { endsAt: number; points: number }>();
  private sweptAt = 0;

  constructor(private readonly durationMs = WINDOW_MS) {}

  /** What the key counted in its current window, and the ms until that window ends (0 and the full duration when none is open). */
  get(key: string, now: number): { points: number; msBeforeNext: number } {
    const window = this.windows.get(key);
    if (!window || window.endsAt <= now) return { points: 0, msBeforeNext: this.durationMs };
    return { points: window.points, msBeforeNext: window.endsAt - now };
  }

  /** Counts `points` for the key (opening a window if none is open); returns the window's new total. */
  add(key: string, points: number, now: number): { points: number; msBeforeNext: number } {
    if (now - this.sweptAt >= this.durationMs) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { endsAt: now + this.durationMs, points: 0 };
      this.windows.set(key, window);
    }
    window.points += points;
    return { points: window.points, msBeforeNext: window.endsAt - now };
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/**
 * Requests per minute, tokens per minute and concurrent requests per token,
 * per user (over all their tokens) and per group (over all its members).
 * With Redis (the distributed deployment): rate-limiter-flexible, atomic and
 * shared by all agents, falling back to this process's memory while Redis is
 * unreachable (its insurance limiter: the agent keeps serving with local
 * limits). Without: {@link LocalWindows}, synchronous — admission then costs
 * no promise. Concurrency is counted per agent. TPM is checked when a request
 * starts and charged when it ends, so a burst can pass the limit by at most
 * the requests already in flight.
 */
@Injectable()
export class RateLimitService implements OnApplicationShutdown {
  private readonly logger = new Logger('rate-limits');
  private readonly redis: IORedis | null;
  /** With Redis: one limiter per kind and limit (requests or tokens per minute), keyed by the number, no key built per request. */
  private readonly limiters = { rpm: new Map<number, RateLimiterAbstract>(), tpm: new Map<number, RateLimiterAbstract>() };
  private readonly inflight = new Map<string, number>();
  /** Without Redis: the counters, synchronous. */
  private readonly local = { rpm: new LocalWindows(), tpm: new LocalWindows() };
  /** Each token's scopes, kept while the token's, its owner's and its group's limits are the same objects (a scope reads its limits' values when used). */
  private readonly scopeCache = new WeakMap<PolicyToken, { token?: RateLimits; user?: RateLimits; group?: RateLimits; groupId: string | null; scopes: Scope[] }>();

  constructor(@Optional() @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore | null) {
    this.redis = store ? new IORedis(store.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : null;
    this.redis?.on('error', () => undefined);
  }

  /** The caller's scopes that carry any limit (none: the common case, checked without awaiting anything). */
  scopes(caller: Caller): Scope[] {
    const cached = this.scopeCache.get(caller.token);
    if (cached && cached.token === caller.token.limits && cached.user === caller.userLimits && cached.group === caller.groupLimits && cached.groupId === caller.groupId) {
      return cached.scopes;
    }
    const scopes: Scope[] = [];
    const add = (key: string, limits: RateLimits | undefined) => {
      if (limits && (positive(limits.rpm) || positive(limits.tpm) || positive(limits.concurrency))) scopes.push({ key, limits });
    };
    add(`token:${caller.token.id}`, caller.token.limits);
    add(`user:${caller.token.userId}`, caller.userLimits);
    if (caller.groupId) add(`group:${caller.groupId}`, caller.groupLimits);
    this.scopeCache.set(caller.token, { token: caller.token.limits, user: caller.userLimits, group: caller.groupLimits, groupId: caller.groupId, scopes });
    return scopes;
  }

  /** Admits the request or throws a 429 (rate_limit, with Retry-After) naming the exhausted limit; synchronous without Redis. */
  admit(scopes: Scope[]): Admission | Promise<Admission> {
    return this.redis ? this.admitShared(scopes) : this.admitLocal(scopes);
  }

  private admitLocal(scopes: Scope[]): Admission {
    const now = Date.now();
    // Nothing is counted unless every limit admits the request.
    for (const scope of scopes) {
      this.checkConcurrency(scope);
      const tpm = positive(scope.limits.tpm);
      if (tpm !== null) {
        const used = this.local.tpm.get(scope.key, now);
        if (used.points >= tpm) throw refusal(`${describe(scope)} reached its limit of ${tpm} tokens per minute`, used.msBeforeNext);
      }
      const rpm = positive(scope.limits.rpm);
      if (rpm !== null) {
        const used = this.local.rpm.get(scope.key, now);
        if (used.points >= rpm) throw refusal(`${describe(scope)} reached its limit of ${rpm} requests per minute`, used.msBeforeNext);
      }
    }
    let tightest: { rpm: number; remaining: number; msBeforeNext: number } | null = null;
    for (const scope of scopes) {
      const rpm = positive(scope.limits.rpm);
      if (rpm === null) continue;
      const counted = this.local.rpm.add(scope.key, 1, now);
      const remaining = Math.max(0, rpm - counted.points);
      if (!tightest || remaining < tightest.remaining) tightest = { rpm, remaining, msBeforeNext: counted.msBeforeNext };
    }
    return this.admitted(scopes, tightest ? requestHeaders(tightest.rpm, tightest.remaining, tightest.msBeforeNext) : NO_HEADERS, (key, tokens) =>
      this.local.tpm.add(key, tokens, Date.now()),
    );
  }

  private async admitShared(scopes: Scope[]): Promise<Admission> {
    // Concurrency and TPM first: they refuse without consuming anything.
    for (const scope of scopes) {
      this.checkConcurrency(scope);
      const tpm = positive(scope.limits.tpm);
      if (tpm !== null) {
        const used = await this.safely(this.limiter('tpm', tpm).get(scope.key));
        if (used && used.consumedPoints >= tpm) throw refusal(`${describe(scope)} reached its limit of ${tpm} tokens per minute`, used.msBeforeNext);
      }
    }
    const consumed: Array<{ scope: Scope; result: RateLimiterRes }> = [];
    for (const scope of scopes) {
      const rpm = positive(scope.limits.rpm);
      if (rpm === null) continue;
      try {
        consumed.push({ scope, result: await this.limiter('rpm', rpm).consume(scope.key, 1) });
      } catch (rejection) {
        for (const taken of consumed) void this.safely(this.limiter('rpm', positive(taken.scope.limits.rpm)!).reward(taken.scope.key, 1));
        if (rejection instanceof RateLimiterRes) throw refusal(`${describe(scope)} reached its limit of ${rpm} requests per minute`, rejection.msBeforeNext);
        // Neither Redis nor the insurance limiter answered: serve rather than fail closed.
        this.logger.warn({ msg: 'rate limiter unavailable', error: (rejection as Error)?.message });
      }
    }
    return this.admitted(scopes, rateLimitHeaders(consumed), (key, tokens, tpm) => void this.safely(this.limiter('tpm', tpm).penalty(key, tokens)));
  }

  private checkConcurrency(scope: Scope): void {
    const concurrency = positive(scope.limits.concurrency);
    if (concurrency !== null && (this.inflight.get(scope.key) ?? 0) >= concurrency) {
      throw refusal(`${describe(scope)} has ${concurrency} requests in flight already (its concurrency limit)`, 1_000);
    }
  }

  /** Takes the concurrency slots; the admission frees them and charges the tokens (`chargeTokens`) on release. */
  private admitted(scopes: Scope[], headers: Record<string, string>, chargeTokens: (key: string, tokens: number, tpm: number) => void): Admission {
    for (const scope of scopes) if (positive(scope.limits.concurrency) !== null) this.inflight.set(scope.key, (this.inflight.get(scope.key) ?? 0) + 1);
    let released = false;
    return {
      headers,
      release: (tokens: number) => {
        if (released) return;
        released = true;
        for (const scope of scopes) {
          if (positive(scope.limits.concurrency) !== null) {
            const left = (this.inflight.get(scope.key) ?? 1) - 1;
            if (left > 0) this.inflight.set(scope.key, left);
            else this.inflight.delete(scope.key);
          }
          const tpm = positive(scope.limits.tpm);
          if (tpm !== null && tokens > 0) chargeTokens(scope.key, tokens, tpm);
        }
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  private limiter(kind: 'rpm' | 'tpm', points: number): RateLimiterAbstract {
    let limiter = this.limiters[kind].get(points);
    if (!limiter) {
      const options = { points, duration: WINDOW_SECONDS, keyPrefix: `${this.store!.prefix}:rl:${kind}:${points}` };
      limiter = new RateLimiterRedis({ ...options, storeClient: this.redis!, insuranceLimiter: new RateLimiterMemory(options) });
      this.limiters[kind].set(points, limiter);
    }
    return limiter;
  }

  /** A store failure (with no insurance left) is logged, never fails the request. */
  private async safely<T>(promise: Promise<T>): Promise<T | null> {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof RateLimiterRes) return null;
      this.logger.warn({ msg: 'rate limiter unavailable', error: (error as Error)?.message });
      return null;
    }
  }
}

function describe(scope: Scope): string {
  const [kind] = scope.key.split(':');
  return kind === 'token' ? 'this API key' : kind === 'user' ? 'your account' : 'your group';
}

function refusal(message: string, retryAfterMs: number): GatewayError {
  return new GatewayError('rate_limit', message, { retryAfterMs: Math.max(1_000, retryAfterMs) });
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** OpenAI's x-ratelimit-* request headers, for the tightest requests-per-minute limit that applied. */
function rateLimitHeaders(consumed: Array<{ scope: Scope; result: RateLimiterRes }>): Record<string, string> {
  if (consumed.length === 0) return NO_HEADERS;
  const tightest = consumed.reduce((a, b) => (remaining(a) <= remaining(b) ? a : b));
  return requestHeaders(positive(tightest.scope.limits.rpm)!, remaining(tightest), tightest.result.msBeforeNext);
}

/** `1s` … `60s`: a window's reset, built once. */
const RESET_TEXT = Array.from({ length: WINDOW_SECONDS + 1 }, (_, seconds) => `${seconds}s`);

function requestHeaders(rpm: number, remaining: number, msBeforeNext: number): Record<string, string> {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return {
    'x-ratelimit-limit-requests': String(rpm),
    'x-ratelimit-remaining-requests': String(remaining),
    'x-ratelimit-reset-requests': RESET_TEXT[seconds] ?? `${seconds}s`,
  };
}

function remaining(entry: { scope: Scope; result: RateLimiterRes }): number {
  return Math.max(0, positive(entry.scope.limits.rpm)! - entry.result.consumedPoints);
}
