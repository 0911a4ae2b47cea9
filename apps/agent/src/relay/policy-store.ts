import { PolicySnapshot } from '@aigw/contracts';
import { PolicyIndex } from '@aigw/routing';
import { Injectable } from '@nestjs/common';

/** Ids of the tokens and users a policy update read anew. */
export interface FreshRows {
  tokens: ReadonlySet<string>;
  users: ReadonlySet<string>;
}

const EMPTY: PolicySnapshot = { version: 0, tokens: [], users: [], groups: [], channels: [], models: [], routes: [] };

/**
 * The agent's in-memory policy: one compiled PolicyIndex, swapped whole when
 * a newer snapshot arrives. Requests read `current` and never wait.
 */
@Injectable()
export class PolicyStore {
  private index = new PolicyIndex(EMPTY);
  private loaded = false;
  private suspended: string | null = null;
  private readonly listeners: Array<(index: PolicyIndex, builtAt: number | undefined, fresh: FreshRows | undefined) => void> = [];

  get current(): PolicyIndex {
    return this.index;
  }

  /**
   * Swaps in the policy the sync client applied (it orders updates; a
   * snapshot from the master is authoritative even when its version is lower,
   * e.g. after the master's database was restored). `fresh` names the tokens and users read from the
   * database for it (a delta's rows); the others are carried over from the
   * current policy as they are. Omitted: every row is fresh (a snapshot).
   */
  replace(snapshot: PolicySnapshot, fresh?: FreshRows): void {
    const index = new PolicyIndex(snapshot);
    for (const listener of this.listeners) listener(index, snapshot.builtAt, fresh);
    this.index = index;
    this.loaded = true;
  }

  /**
   * Why the relay may not serve now (answered as a 503), or null: no policy
   * yet (a new agent before its first snapshot), or the agent was revoked.
   */
  get unavailable(): string | null {
    if (this.suspended) return this.suspended;
    return this.loaded ? null : 'this gateway agent has not received its policy from the master yet';
  }

  /** Stops serving for good (the master revoked this agent). */
  suspend(reason: string): void {
    this.suspended = reason;
  }

  /** Called with each new index before requests see it (the spend ledger re-applies recent charges to fresh rows). */
  onReplace(listener: (index: PolicyIndex, builtAt: number | undefined, fresh: FreshRows | undefined) => void): void {
    this.listeners.push(listener);
  }
}
