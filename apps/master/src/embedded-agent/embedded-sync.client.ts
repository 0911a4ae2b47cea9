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
/** An admin write waits at most this long for the embedded agent to apply it. */
const REFRESH_BOUND_MS = 15_000;

@Injectable()
export class EmbeddedSyncClient implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly client: SyncClient;
  private readonly logger = new Logger(EmbeddedSyncClient.name);

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

  /** Resolves once every change committed before the call is applied by the embedded agent (or after 15 s, logged). */
  async refresh(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), REFRESH_BOUND_MS);
      timer.unref();
    });
    const outcome = await Promise.race([this.client.ready().then(() => this.hub.publish()), late]).finally(() => clearTimeout(timer));
    if (outcome === 'late') this.logger.error({ msg: 'the embedded agent has not applied the policy in time', boundMs: REFRESH_BOUND_MS });
  }
}
