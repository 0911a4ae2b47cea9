import { SecretCipher } from '@aigw/config';
import { PolicySnapshotBuilder } from '@aigw/sync';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PolicyStore } from '../../../agent/src/relay';

/**
 * Feeds the embedded agent's policy from the database: at start, and after
 * every committed admin write (PolicyRefreshInterceptor), so a change is live
 * on the single node when its API call returns. Remote agents get the same
 * snapshots over the sync protocol (its own issue).
 */
@Injectable()
export class EmbeddedPolicyLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger(EmbeddedPolicyLoader.name);
  private readonly builder: PolicySnapshotBuilder;
  private version = 0;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    dataSource: DataSource,
    cipher: SecretCipher,
    private readonly store: PolicyStore,
  ) {
    this.builder = new PolicySnapshotBuilder(dataSource, cipher);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.refresh();
  }

  /** Rebuilds the snapshot; concurrent calls coalesce into at most one more build. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const snapshot = await this.builder.build(++this.version);
        this.store.replace(snapshot);
      } while (this.again);
    })()
      .catch((error: unknown) => this.logger.error({ msg: 'policy refresh failed', error: (error as Error).message }))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }
}
