import { GatewayError } from '@aigw/providers';
import { PolicyIndex } from '@aigw/routing';
import { Injectable } from '@nestjs/common';
import { Caller } from './client-auth.util';
import { FreshRows, PolicyStore } from './policy-store';
import { LeaseHold } from './quota-leases';

/** What one token (or user) holds in flight and awaits settlement for. */
interface Spend {
  reserved: number;
  unconfirmed: number;
}

/** A request's hold on its token's quota and its owner's balance, from before forwarding until its cost is known. */
export interface Reservation {
  tokenId: string;
  userId: string;
  amountMicros: number;
  open: boolean;
  /** The same amount taken from the master's quota leases (remote agents). */
  lease?: LeaseHold;
  /** The token's and the user's spend: completing touches them directly, no lookup. */
  readonly token: Spend;
  readonly user: Spend;
}

/** A settled charge, as the usage sink confirms it. */
export interface SettledCharge {
  token_id: string | null;
  user_id: string | null;
  cost_micros: number;
}

/** How long confirmations are kept to be re-applied to a snapshot whose build started before them. */
const CONFIRMATION_MEMORY_MS = 120_000;

/**
 * The agent's view of what each token and user may still spend, without a
 * database call per request:
 *
 *   token available = quota − used − unconfirmed − reserved
 *   user available  = balance − unconfirmed − reserved
 *
 * `used`/`balance` come from the policy snapshot and move as the settlement
 * confirms charges (the usage sink reports them); `unconfirmed` is what this
 * agent metered but settlement has not confirmed yet; `reserved` is the
 * worst-case cost of requests in flight. A request is forwarded only when its
 * worst case fits both; when it ends, its reservation becomes its actual cost
 * (≤ the worst case), on every path — success, error, abort, failover.
 *
 * A snapshot is read in one transaction that starts at `builtAt`: charges
 * confirmed after that are re-applied to it (a charge confirmed just before
 * may be counted twice until the next snapshot — the safe direction).
 */
@Injectable()
export class SpendLedger {
  /**
   * By token id and by user id (the policy's own id strings: no key is built
   * per request). An entry is kept once made (one small object per token or
   * user that spent), so a reservation can hold it for its whole life.
   */
  private readonly spend = { tokens: new Map<string, Spend>(), users: new Map<string, Spend>() };
  /** Each confirmation of the last CONFIRMATION_MEMORY_MS, summed per token and per user (not kept per request). */
  private recent: Array<{ at: number; tokens: Map<string, number>; users: Map<string, number> }> = [];

  constructor(private readonly policy: PolicyStore) {
    policy.onReplace((index, builtAt, fresh) => this.rebase(index, builtAt, fresh));
  }

  /**
   * Holds `amountMicros` against the caller's token quota and balance, or
   * refuses with a 402 in the client's protocol. A zero amount (a free model)
   * always passes.
   */
  reserve(caller: Caller, amountMicros: number): Reservation {
    const tokenId = caller.token.id;
    const userId = caller.token.userId;
    const tokenSpend = spendOf(this.spend.tokens, tokenId);
    const userSpend = spendOf(this.spend.users, userId);
    if (amountMicros > 0) {
      const index = this.policy.current;
      const token = index.tokenById(tokenId) ?? caller.token;
      if (token.quotaMicros !== null && amountMicros > token.quotaMicros - token.usedMicros - tokenSpend.unconfirmed - tokenSpend.reserved) {
        throw new GatewayError('quota_exceeded', "this API key's quota is exhausted (or too low for this request's worst-case cost)", { status: 402 });
      }
      const balance = index.user(userId)?.balanceMicros ?? 0;
      if (amountMicros > balance - userSpend.unconfirmed - userSpend.reserved) {
        throw new GatewayError('quota_exceeded', "the account's balance is too low for this request's worst-case cost", { status: 402 });
      }
    }
    tokenSpend.reserved += amountMicros;
    userSpend.reserved += amountMicros;
    return { tokenId, userId, amountMicros, open: true, lease: undefined, token: tokenSpend, user: userSpend };
  }

  /** The request ended and cost `costMicros`: the reservation is released and the cost awaits settlement. Idempotent. */
  complete(reservation: Reservation, costMicros: number): void {
    if (!reservation.open) return;
    reservation.open = false;
    reservation.lease?.settle(costMicros);
    reservation.token.reserved -= reservation.amountMicros;
    reservation.user.reserved -= reservation.amountMicros;
    if (costMicros <= 0) return;
    reservation.token.unconfirmed += costMicros;
    reservation.user.unconfirmed += costMicros;
  }

  /** Settlement committed these charges: they move from `unconfirmed` into the policy's used/balance. */
  confirm(charges: SettledCharge[], at = Date.now()): void {
    const confirmed = { at, tokens: new Map<string, number>(), users: new Map<string, number>() };
    // A frame's charges come in runs of one token (and user): each run is summed before it touches a map.
    let tokenId: string | null = null;
    let userId: string | null = null;
    let tokenSum = 0;
    let userSum = 0;
    for (const charge of charges) {
      const cost = charge.cost_micros;
      if (!(cost > 0)) continue;
      if (charge.token_id !== tokenId) {
        if (tokenId) this.add(confirmed.tokens, tokenId, tokenSum);
        tokenId = charge.token_id;
        tokenSum = 0;
      }
      if (charge.user_id !== userId) {
        if (userId) this.add(confirmed.users, userId, userSum);
        userId = charge.user_id;
        userSum = 0;
      }
      tokenSum += cost;
      userSum += cost;
    }
    if (tokenId) this.add(confirmed.tokens, tokenId, tokenSum);
    if (userId) this.add(confirmed.users, userId, userSum);
    if (confirmed.tokens.size === 0 && confirmed.users.size === 0) return;
    for (const [tokenId, cost] of confirmed.tokens) spendOf(this.spend.tokens, tokenId).unconfirmed -= cost;
    for (const [userId, cost] of confirmed.users) spendOf(this.spend.users, userId).unconfirmed -= cost;
    this.apply(this.policy.current, confirmed);
    this.recent.push(confirmed);
    this.forget(at - CONFIRMATION_MEMORY_MS);
  }

  /** One token's and its owner's spend awaiting settlement and in flight. */
  held(tokenId: string, userId: string): { tokenUnconfirmed: number; tokenReserved: number; userUnconfirmed: number; userReserved: number } {
    const token = this.spend.tokens.get(tokenId);
    const user = this.spend.users.get(userId);
    return {
      tokenUnconfirmed: token?.unconfirmed ?? 0,
      tokenReserved: token?.reserved ?? 0,
      userUnconfirmed: user?.unconfirmed ?? 0,
      userReserved: user?.reserved ?? 0,
    };
  }

  /** Totals in flight and awaiting settlement (0 and 0 when the agent is idle and settled); `reservations`: tokens with some in flight. */
  outstanding(): { reservedMicros: number; unconfirmedMicros: number; reservations: number } {
    let reservedMicros = 0;
    let unconfirmedMicros = 0;
    let reservations = 0;
    for (const spend of this.spend.tokens.values()) {
      reservedMicros += spend.reserved;
      unconfirmedMicros += spend.unconfirmed;
      if (spend.reserved !== 0) reservations += 1;
    }
    return { reservedMicros, unconfirmedMicros, reservations };
  }

  /** Rows read anew (all of a snapshot, a delta's) get the charges confirmed since their read began; carried-over rows have them. */
  private rebase(index: PolicyIndex, builtAt: number | undefined, fresh: FreshRows | undefined): void {
    this.forget(Date.now() - CONFIRMATION_MEMORY_MS);
    if (builtAt === undefined) return;
    for (const entry of this.recent) if (entry.at >= builtAt) this.apply(index, entry, fresh);
  }

  private apply(index: PolicyIndex, charged: { tokens: Map<string, number>; users: Map<string, number> }, only?: FreshRows): void {
    for (const [tokenId, cost] of charged.tokens) {
      const token = !only || only.tokens.has(tokenId) ? index.tokenById(tokenId) : undefined;
      if (token) token.usedMicros += cost;
    }
    for (const [userId, cost] of charged.users) {
      const user = !only || only.users.has(userId) ? index.user(userId) : undefined;
      if (user) user.balanceMicros -= cost;
    }
  }

  private forget(before: number): void {
    if (this.recent.length > 0 && this.recent[0].at < before) this.recent = this.recent.filter((entry) => entry.at >= before);
  }

  private add(map: Map<string, number>, key: string, delta: number): void {
    if (delta === 0) return;
    const next = (map.get(key) ?? 0) + delta;
    if (next === 0) map.delete(key);
    else map.set(key, next);
  }
}

function spendOf(map: Map<string, Spend>, key: string): Spend {
  let spend = map.get(key);
  if (!spend) {
    spend = { reserved: 0, unconfirmed: 0 };
    map.set(key, spend);
  }
  return spend;
}
