import { AppConfig, SecretCipher } from '@aigw/config';
import { AgentUsageSpool, BUILD_VERSION, SnapshotFile, SyncClient, recordsMessageBytes, webSocketDialer } from '@aigw/sync';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PolicyStore, SpendLedger, UsageSink } from '../relay';
import { AGENT_IDENTITY, USAGE_SPOOL } from './agent-sync.tokens';
import { AgentIdentity } from './agent-identity';
import { LeaseBook } from './lease-book';
import { SpoolUsageSink } from './spool-usage.sink';

const DRAIN_BATCH = 500;
/** A revoked agent hands in usage of requests still running for at most this long (a long stream's included). */
const DRAIN_MAX_MS = 15 * 60_000;
const DRAIN_POLL_MS = 100;

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
  private stopping = false;

  constructor(
    @Inject(AGENT_IDENTITY) private readonly identity: AgentIdentity,
    @Inject(USAGE_SPOOL) private readonly spool: AgentUsageSpool,
    store: PolicyStore,
    private readonly spend: SpendLedger,
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
    this.stopping = true;
    await this.leases.stop();
    await this.client.stop();
    await this.draining;
    await this.spool.close();
  }

  /**
   * What was metered before the revocation still reaches the master (the
   * upstream was paid) — requests still running when it came included: their
   * usage is spooled as they end, so the hand-in goes on until none is in
   * flight (at most DRAIN_MAX_MS).
   */
  private async drainAfterRevocation(): Promise<void> {
    const deadline = Date.now() + DRAIN_MAX_MS;
    for (let failures = 0; failures < 10; ) {
      await this.spool.flush().catch(() => undefined);
      const batch = this.spool.nextFrame(DRAIN_BATCH);
      if (!batch) {
        if (this.stopping || this.spend.outstanding().reservations === 0 || Date.now() > deadline) return;
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
        continue;
      }
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
        // Frees the records at once; the position is persisted within a second (a lost one only hands in settled records again).
        this.spool.acknowledge(batch.last).catch((error: unknown) => this.logger.error({ msg: 'could not record the usage acknowledgement', error: (error as Error).message }));
      } catch (error) {
        failures += 1;
        this.spool.requeue();
        this.logger.warn({ msg: 'could not hand usage to the master after revocation; retrying', error: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, 1000 * failures));
      }
    }
  }
}
