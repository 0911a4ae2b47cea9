import { SecretCipher } from '@aigw/config';
import { BUILD_VERSION, SyncClient } from '@aigw/sync';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { PolicyStore } from '../../../agent/src/relay';
import { SyncHub } from '../sync/sync-hub.service';

/**
 * The embedded agent's policy comes over the same sync protocol as a remote
 * agent's — SyncClient on one end, SyncHub on the other — through an
 * in-process link instead of a WebSocket. It serves every channel (no
 * region) and keeps nothing on disk: the master's database is right here.
 */
@Injectable()
export class EmbeddedSyncClient implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly client: SyncClient;

  constructor(
    private readonly hub: SyncHub,
    store: PolicyStore,
  ) {
    const cipher = new SecretCipher(randomBytes(32));
    this.client = new SyncClient({
      dial: hub.localDialer({ agentId: null, name: 'embedded', audience: { region: null, cipher } }),
      cipher,
      target: store,
      build: BUILD_VERSION,
      logger: new Logger('EmbeddedSync'),
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.client.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.client.stop();
  }

  /** Resolves once every change committed before the call is applied by the embedded agent. */
  async refresh(): Promise<void> {
    await this.client.ready();
    await this.hub.publish();
  }
}
