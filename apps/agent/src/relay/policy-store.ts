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

  get current(): PolicyIndex {
    return this.index;
  }

  replace(snapshot: PolicySnapshot): void {
    if (snapshot.version < this.index.version) return;
    this.index = new PolicyIndex(snapshot);
  }
}
