import { AppConfig, SecretCipher } from '@aigw/config';
import { AgentUsageSpool, BUILD_VERSION, SnapshotFile, SyncClient, recordsMessageBytes, webSocketDialer } from '@aigw/sync';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PolicyStore, SpendLedger, UsageSink } from '../relay';
import { AGENT_IDENTITY, USAGE_SPOOL } from './agent-sync.tokens';
import { AgentIdentity } from './agent-identity';
import { LeaseBook } from './lease-book';
import { SpoolUsageSink } from './spool-usage.sink';

const DRAIN_BATCH = 500;

/**
 * A remote agent's link to its master: the sync client over a WebSocket,
 * with the policy snapshot kept in the data directory and usage shipped
 * from the spool. Revoked, the agent stops serving and hands the master
 * what it metered before (POST /api/agents/usage), then goes quiet.
 */
@Injectable()
export class AgentSyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AgentSync');
  readonly client: SyncClient;
  private draining: Promise<void> | null = null;

  constructor(
    @Inject(AGENT_IDENTITY) private readonly identity: AgentIdentity,
    @Inject(USAGE_SPOOL) private readonly spool: AgentUsageSpool,
    store: PolicyStore,
    spend: SpendLedger,
    usage: UsageSink,
    config: AppConfig,
    private readonly leases: LeaseBook,
  ) {
    const sink = usage as SpoolUsageSink;
    this.client = new SyncClient({
      dial: webSocketDialer(identity.master_url, identity.credential),
      cipher: new SecretCipher(Buffer.from(identity.sync_key, 'base64')),
      target: store,
      build: BUILD_VERSION,
      store: SnapshotFile.in(config.dataDir),
      spool,
      onSettled: (charges) => spend.confirm(charges),
      stats: () => {
        const rates = sink.rates();
        const { reservations } = spend.outstanding();
        return { requests_per_minute: rates.requests, errors_per_minute: rates.errors, in_flight: reservations, uptime_seconds: Math.round(process.uptime()) };
      },
      onRevoked: () => {
        store.suspend('this gateway agent was revoked by its master');
        this.draining = this.drainAfterRevocation();
      },
      logger: this.logger,
    });
    leases.attach(this.client);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.client.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leases.stop();
    await this.client.stop();
    await this.draining;
    await this.spool.close();
  }

  /** What was metered before the revocation still reaches the master (the upstream was paid). */
  private async drainAfterRevocation(): Promise<void> {
    await this.spool.flush().catch(() => undefined);
    for (let failures = 0; failures < 10; ) {
      const batch = this.spool.nextFrame(DRAIN_BATCH);
      if (!batch) return;
      try {
        const response = await fetch(new URL('/api/agents/usage', this.identity.master_url), {
          method: 'POST',
          headers: { authorization: `Bearer ${this.identity.credential}`, 'content-type': 'application/json' },
          // Written records are bytes: copied into the body as they are, not decoded to text and encoded again.
          body: recordsMessageBytes('{"records":[', batch.json),
          signal: AbortSignal.timeout(60_000),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const answer = (await response.json()) as { outcome?: string; accepted?: number; refused?: Array<{ request_id: string; reason: string }> };
        if (answer.refused?.length) this.logger.error({ msg: 'the master refused usage handed in after revocation', count: answer.refused.length, first: answer.refused[0] });
        this.logger.log({ msg: 'handed usage to the master after revocation', records: batch.json.length, accepted: answer.accepted, outcome: answer.outcome });
        await this.spool.acknowledge(batch.last);
      } catch (error) {
        failures += 1;
        this.spool.requeue();
        this.logger.warn({ msg: 'could not hand usage to the master after revocation; retrying', error: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, 1000 * failures));
      }
    }
  }
}
