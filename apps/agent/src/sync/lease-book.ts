import { PolicyToken } from '@aigw/contracts';
import { SyncClient, writeFileAtomic } from '@aigw/sync';
import { GatewayError } from '@aigw/providers';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Caller, LeaseHold, QuotaLeases } from '../relay';

/** Smallest lease asked for ($0.01): a request's worst case is often less. */
const MIN_LEASE_MICROS = 10_000;
/** A lease counts as expired this long before the master's end of it (round trip and timer slack). */
const EXPIRY_MARGIN = 0.1;
const PERSIST_DELAY_MS = 1_000;
/** Asks for one request before giving up (each a round trip; the master answering 0 ends it at once). */
const MAX_ASKS = 4;

interface Lease {
  remaining: number;
  lastGrant: number;
  /** performance.now() after which the master may have taken it back. */
  expiresAt: number;
  /** Read from disk at start: usable only while the master is away. */
  restored: boolean;
  /** Last time a request drew on it (renewals keep only used leases alive). */
  usedAt: number;
  pending: Promise<number> | null;
}

export interface LeaseBookOptions {
  dataDir: string;
  /** With the master unreachable: spend what the leases hold, or refuse metered traffic. */
  offline: 'serve' | 'fail_closed';
}

const NO_HOLD: LeaseHold = { settle: () => undefined };

/**
 * A remote agent's quota leases (docs/sync-protocol.md): budget of a token's
 * quota and of its owner's balance, lent by the master. A request's worst
 * case comes out of both at once — from memory when they cover it, else
 * after asking the master for more (about one round trip, for the first
 * request of a token or when a lease ran low without being renewed); its
 * actual cost settles and the rest goes back. Leases in use are renewed in
 * the background before they expire (by the agent's monotonic clock) and
 * topped up when half spent. What remains is written to the data directory,
 * so an agent restarted while the master is away can go on spending it.
 */
export class LeaseBook extends QuotaLeases {
  private readonly logger = new Logger('QuotaLeases');
  private readonly leases = new Map<string, Lease>();
  /** Worst cases of the requests waiting for more of a subject: the next ask covers them all. */
  private readonly demand = new Map<string, number>();
  /** Each token's subject keys, built once per policy row. */
  private readonly subjectKeys = new WeakMap<PolicyToken, { id: string; userId: string; both: string[]; userOnly: string[] }>();
  private client: SyncClient | null = null;
  private ttlMs = 60_000;
  private persistTimer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private readonly path: string;

  constructor(private readonly options: LeaseBookOptions) {
    super();
    this.path = join(options.dataDir, 'quota-leases.json');
    this.restore();
  }

  /** Connects the book to the sync client: leases are asked for and renewed over it. */
  attach(client: SyncClient): void {
    this.client = client;
    client.onConnection((connected) => {
      if (!connected) return;
      // Leases read from disk are the master's no longer (it took them back when they expired): start afresh.
      for (const [subject, lease] of this.leases) if (lease.restored) this.leases.delete(subject);
    });
    this.renewTimer = setInterval(() => this.renew(), 5_000);
    this.renewTimer.unref();
  }

  /** Stops renewing; writes what is held if a write was due. */
  async stop(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistTimer = null;
      await this.persist();
    }
  }

  take(caller: Caller, amountMicros: number): LeaseHold | Promise<LeaseHold> {
    if (amountMicros <= 0) return NO_HOLD;
    const connected = this.client?.connected ?? false;
    if (!connected && this.options.offline === 'fail_closed') throw unreachable();
    const subjects = this.subjectsOf(caller.token);
    let covered = true;
    for (const subject of subjects) covered &&= this.covers(subject, amountMicros, connected);
    if (covered) return this.hold(subjects, amountMicros);
    return this.takeAfterAsking(subjects, amountMicros);
  }

  /** The leases a token's requests draw on: its quota's (unless unlimited) and its owner's balance. */
  private subjectsOf(token: PolicyToken): readonly string[] {
    let keys = this.subjectKeys.get(token);
    if (!keys || keys.id !== token.id || keys.userId !== token.userId) {
      const user = `u:${token.userId}`;
      keys = { id: token.id, userId: token.userId, both: [`t:${token.id}`, user], userOnly: [user] };
      this.subjectKeys.set(token, keys);
    }
    return token.quotaMicros === null ? keys.userOnly : keys.both;
  }

  /** What this agent holds of a subject (for tests and status). */
  holding(subject: string): number {
    return this.leases.get(subject)?.remaining ?? 0;
  }

  /**
   * Asks the master until the leases cover the request: concurrent requests share one ask per subject, and
   * a grant other waiters used up is asked for again. Refused (402) only when the master lent nothing: none left.
   */
  private async takeAfterAsking(subjects: readonly string[], amount: number): Promise<LeaseHold> {
    for (const subject of subjects) this.demand.set(subject, (this.demand.get(subject) ?? 0) + amount);
    try {
      return await this.askUntilCovered(subjects, amount);
    } finally {
      for (const subject of subjects) {
        const left = (this.demand.get(subject) ?? 0) - amount;
        if (left > 0) this.demand.set(subject, left);
        else this.demand.delete(subject);
      }
    }
  }

  private async askUntilCovered(subjects: readonly string[], amount: number): Promise<LeaseHold> {
    for (let round = 0; round < MAX_ASKS; round += 1) {
      const missing = subjects.filter((subject) => !this.covers(subject, amount, this.client?.connected ?? false));
      if (missing.length === 0) return this.hold(subjects, amount);
      let exhausted: string | null = null;
      for (const subject of missing) {
        const granted = await this.obtain(subject, amount);
        if (granted === 0 && !this.covers(subject, amount, this.client?.connected ?? false)) exhausted = subject;
      }
      if (exhausted) throw exhaustedError(exhausted);
    }
    const missing = subjects.find((subject) => !this.covers(subject, amount, this.client?.connected ?? false));
    if (missing) throw exhaustedError(missing);
    return this.hold(subjects, amount);
  }

  private covers(subject: string, amount: number, connected: boolean): boolean {
    const lease = this.leases.get(subject);
    if (!lease || lease.remaining < amount) return false;
    // Offline and serving: spend what is held, expired or not (the documented overspend bound).
    if (!connected) return true;
    return !lease.restored && performance.now() < lease.expiresAt;
  }

  private hold(subjects: readonly string[], amount: number): LeaseHold {
    const now = performance.now();
    for (const subject of subjects) {
      const lease = this.leases.get(subject)!;
      lease.remaining -= amount;
      lease.usedAt = now;
      if (lease.remaining < lease.lastGrant / 2 && !lease.pending && this.client?.connected) void this.obtain(subject, 0).catch(() => undefined);
    }
    this.schedulePersist();
    let settled = false;
    return {
      settle: (cost: number) => {
        if (settled) return;
        settled = true;
        const back = amount - Math.max(0, Math.min(cost, amount));
        for (const subject of subjects) {
          const lease = this.leases.get(subject);
          if (lease) lease.remaining += back;
        }
        this.schedulePersist();
      },
    };
  }

  /** Asks the master for at least `amount` more of a subject (concurrent asks for one subject share one request). */
  private obtain(subject: string, amount: number, topUp = true): Promise<number> {
    const existing = this.leases.get(subject);
    if (existing?.pending) return existing.pending;
    if (!this.client?.connected) return Promise.reject(unreachable());
    const lease: Lease = existing ?? { remaining: 0, lastGrant: 0, expiresAt: 0, restored: false, usedAt: performance.now(), pending: null };
    this.leases.set(subject, lease);
    const live = !lease.restored && performance.now() < lease.expiresAt;
    const need = Math.max(0, amount - (live ? lease.remaining : 0));
    const want = topUp ? Math.max(need * 4, lease.lastGrant * 2, (this.demand.get(subject) ?? 0) * 2, MIN_LEASE_MICROS) : 0;
    const asked = performance.now();
    lease.pending = this.client
      .requestLease(subject, need, want)
      .then(({ granted, ttlMs }) => {
        this.ttlMs = ttlMs || this.ttlMs;
        const stillLive = !lease.restored && performance.now() < lease.expiresAt;
        lease.remaining = (stillLive ? lease.remaining : 0) + granted;
        lease.restored = false;
        lease.expiresAt = asked + this.ttlMs * (1 - EXPIRY_MARGIN);
        if (granted > 0) lease.lastGrant = granted;
        this.schedulePersist();
        return granted;
      })
      .catch((error: unknown) => {
        this.logger.warn({ msg: 'could not obtain a quota lease', subject, error: (error as Error).message });
        throw unreachable();
      })
      .finally(() => {
        lease.pending = null;
      });
    return lease.pending;
  }

  /** Leases used in the last TTL and past a third of it are extended (a zero-amount ask renews the master's end). */
  private renew(): void {
    if (!this.client?.connected) return;
    const now = performance.now();
    for (const [subject, lease] of this.leases) {
      if (lease.pending || lease.restored || lease.remaining <= 0) continue;
      const left = lease.expiresAt - now;
      if (left <= 0) continue;
      if (now - lease.usedAt > this.ttlMs) continue;
      if (left < (this.ttlMs * 2) / 3) void this.obtain(subject, 0, false).catch(() => undefined);
    }
  }

  private restore(): void {
    try {
      const stored = JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, number>;
      for (const [subject, remaining] of Object.entries(stored)) {
        if (/^[tu]:[0-9a-f-]{36}$/.test(subject) && Number.isSafeInteger(remaining) && remaining > 0) {
          this.leases.set(subject, { remaining, lastGrant: remaining, expiresAt: 0, restored: true, usedAt: 0, pending: null });
        }
      }
    } catch {
      // none yet
    }
  }

  private schedulePersist(): void {
    if (this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      void this.persist();
    }, PERSIST_DELAY_MS);
    this.persistTimer.unref();
  }

  private async persist(): Promise<void> {
    const held = Object.fromEntries([...this.leases].filter(([, lease]) => lease.remaining > 0).map(([subject, lease]) => [subject, lease.remaining]));
    try {
      await writeFileAtomic(this.path, JSON.stringify(held));
    } catch (error) {
      this.logger.warn({ msg: 'could not write the quota leases', error: (error as Error).message });
    }
  }
}

function exhaustedError(subject: string): GatewayError {
  return new GatewayError(
    'quota_exceeded',
    subject.startsWith('t:') ? "this API key's quota is exhausted (or too low for this request's worst-case cost)" : "the account's balance is too low for this request's worst-case cost",
    { status: 402 },
  );
}

function unreachable(): GatewayError {
  return new GatewayError('overloaded', "this request's quota cannot be confirmed: the gateway's master is unreachable", { status: 503, retryAfterMs: 5_000 });
}
