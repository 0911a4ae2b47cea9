import { Caller } from './client-auth.util';

/** Budget taken from leases for one request; settled once with its actual cost (the rest goes back). */
export interface LeaseHold {
  settle(costMicros: number): void;
}

/**
 * Where a remote agent's quota comes from across agents: budget the master
 * lends it (docs/sync-protocol.md, quota leases). `take` answers at once
 * from leases it holds, or waits for the master to lend more; it throws a
 * GatewayError (402 without budget, 503 with the master unreachable). The
 * embedded agent has none: it sees settlement directly.
 */
export abstract class QuotaLeases {
  abstract take(caller: Caller, amountMicros: number): LeaseHold | Promise<LeaseHold>;
}
