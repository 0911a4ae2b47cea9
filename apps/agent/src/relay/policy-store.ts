import { PolicySnapshot } from '@aigw/contracts';
import { PolicyIndex } from '@aigw/routing';
import { Injectable } from '@nestjs/common';

const EMPTY: PolicySnapshot = { version: 0, tokens: [], users: [], groups: [], channels: [], models: [], routes: [] };

/**
 * The agent's in-memory policy: one compiled PolicyIndex, swapped whole when
 * a newer snapshot arrives. Requests read `current` and never wait.
 */
@Injectable()
export class PolicyStore {
  private index = new PolicyIndex(EMPTY);
  private readonly listeners: Array<(index: PolicyIndex, builtAt: number | undefined) => void> = [];

  get current(): PolicyIndex {
    return this.index;
  }

  replace(snapshot: PolicySnapshot): void {
    if (snapshot.version < this.index.version) return;
    const index = new PolicyIndex(snapshot);
    for (const listener of this.listeners) listener(index, snapshot.builtAt);
    this.index = index;
  }

  /** Called with each new index before requests see it (the spend ledger re-applies recent charges). */
  onReplace(listener: (index: PolicyIndex, builtAt: number | undefined) => void): void {
    this.listeners.push(listener);
  }
}
