import { GatewayError } from '@aigw/providers';
import { PolicyIndex } from '@aigw/routing';
import { Injectable } from '@nestjs/common';
import { Caller } from './client-auth.util';
import { FreshRows, PolicyStore } from './policy-store';
import { LeaseHold } from './quota-leases';

/** A request's hold on its token's quota and its owner's balance, from before forwarding until its cost is known. */
export interface Reservation {
  tokenId: string;
  userId: string;
  amountMicros: number;
  open: boolean;
  /** The same amount taken from the master's quota leases (remote agents). */
  lease?: LeaseHold;
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
  private readonly reserved = new Map<string, number>();
  private readonly unconfirmed = new Map<string, number>();
  private recent: Array<{ at: number; charges: SettledCharge[] }> = [];

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
    if (amountMicros > 0) {
      const index = this.policy.current;
      const token = index.tokenById(tokenId) ?? caller.token;
      if (token.quotaMicros !== null) {
        const available = token.quotaMicros - token.usedMicros - this.get(this.unconfirmed, `t:${tokenId}`) - this.get(this.reserved, `t:${tokenId}`);
        if (amountMicros > available) {
          throw new GatewayError('quota_exceeded', "this API key's quota is exhausted (or too low for this request's worst-case cost)", { status: 402 });
        }
      }
      const balance = index.user(userId)?.balanceMicros ?? 0;
      const available = balance - this.get(this.unconfirmed, `u:${userId}`) - this.get(this.reserved, `u:${userId}`);
      if (amountMicros > available) {
        throw new GatewayError('quota_exceeded', "the account's balance is too low for this request's worst-case cost", { status: 402 });
      }
    }
    this.add(this.reserved, `t:${tokenId}`, amountMicros);
    this.add(this.reserved, `u:${userId}`, amountMicros);
    return { tokenId, userId, amountMicros, open: true };
  }

  /** The request ended and cost `costMicros`: the reservation is released and the cost awaits settlement. Idempotent. */
  complete(reservation: Reservation, costMicros: number): void {
    if (!reservation.open) return;
    reservation.open = false;
    reservation.lease?.settle(costMicros);
    this.add(this.reserved, `t:${reservation.tokenId}`, -reservation.amountMicros);
    this.add(this.reserved, `u:${reservation.userId}`, -reservation.amountMicros);
    if (costMicros <= 0) return;
    this.add(this.unconfirmed, `t:${reservation.tokenId}`, costMicros);
    this.add(this.unconfirmed, `u:${reservation.userId}`, costMicros);
  }

  /** Settlement committed these charges: they move from `unconfirmed` into the policy's used/balance. */
  confirm(charges: SettledCharge[], at = Date.now()): void {
    const billed = charges.filter((charge) => charge.cost_micros > 0);
    if (billed.length === 0) return;
    for (const charge of billed) {
      if (charge.token_id) this.add(this.unconfirmed, `t:${charge.token_id}`, -charge.cost_micros);
      if (charge.user_id) this.add(this.unconfirmed, `u:${charge.user_id}`, -charge.cost_micros);
    }
    this.apply(this.policy.current, billed);
    this.recent.push({ at, charges: billed });
    this.forget(at - CONFIRMATION_MEMORY_MS);
  }

  /** One token's and its owner's spend awaiting settlement and in flight. */
  held(tokenId: string, userId: string): { tokenUnconfirmed: number; tokenReserved: number; userUnconfirmed: number; userReserved: number } {
    return {
      tokenUnconfirmed: this.get(this.unconfirmed, `t:${tokenId}`),
      tokenReserved: this.get(this.reserved, `t:${tokenId}`),
      userUnconfirmed: this.get(this.unconfirmed, `u:${userId}`),
      userReserved: this.get(this.reserved, `u:${userId}`),
    };
  }

  /** Totals in flight and awaiting settlement (0 and 0 when the agent is idle and settled). */
  outstanding(): { reservedMicros: number; unconfirmedMicros: number; reservations: number } {
    let reservedMicros = 0;
    let unconfirmedMicros = 0;
    for (const [key, value] of this.reserved) if (key.startsWith('t:')) reservedMicros += value;
    for (const [key, value] of this.unconfirmed) if (key.startsWith('t:')) unconfirmedMicros += value;
    return { reservedMicros, unconfirmedMicros, reservations: [...this.reserved.keys()].filter((key) => key.startsWith('t:')).length };
  }

  /** Rows read anew (all of a snapshot, a delta's) get the charges confirmed since their read began; carried-over rows have them. */
  private rebase(index: PolicyIndex, builtAt: number | undefined, fresh: FreshRows | undefined): void {
    this.forget(Date.now() - CONFIRMATION_MEMORY_MS);
    if (builtAt === undefined) return;
    for (const entry of this.recent) if (entry.at >= builtAt) this.apply(index, entry.charges, fresh);
  }

  private apply(index: PolicyIndex, charges: SettledCharge[], only?: FreshRows): void {
    for (const charge of charges) {
      const token = charge.token_id && (!only || only.tokens.has(charge.token_id)) ? index.tokenById(charge.token_id) : undefined;
      if (token) token.usedMicros += charge.cost_micros;
      const user = charge.user_id && (!only || only.users.has(charge.user_id)) ? index.user(charge.user_id) : undefined;
      if (user) user.balanceMicros -= charge.cost_micros;
    }
  }

  private forget(before: number): void {
    if (this.recent.length > 0 && this.recent[0].at < before) this.recent = this.recent.filter((entry) => entry.at >= before);
  }

  private get(map: Map<string, number>, key: string): number {
    return map.get(key) ?? 0;
  }

  private add(map: Map<string, number>, key: string, delta: number): void {
    if (delta === 0) return;
    const next = (map.get(key) ?? 0) + delta;
    if (next === 0) map.delete(key);
    else map.set(key, next);
  }
}
