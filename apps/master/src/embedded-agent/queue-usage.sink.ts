import { UsageRecord } from '@aigw/contracts';
import { JobQueue, MAX_SETTLEMENT_BATCH, SettlementDelivery } from '@aigw/metering';
import { BeforeApplicationShutdown, Injectable, OnModuleInit } from '@nestjs/common';
import { SpendLedger, UsageSink } from '../../../agent/src/relay';

/** How long a record may wait for others before its batch is enqueued. */
const FLUSH_AFTER_MS = 25;
const BATCH_SIZE = 500;

/**
 * The embedded agent settles through the master's own queue. Records are
 * batched (up to 500, or 25 ms): one job and one transaction per batch
 * instead of per request, delivered by SettlementDelivery (kept until
 * settled, delivered again when the queue lost it). Once settled, the
 * charges count in the policy's used/balance instead of as unconfirmed
 * spend; a batch that failed for good stays unconfirmed (the safe side).
 */
@Injectable()
export class QueueUsageSink extends UsageSink implements OnModuleInit, BeforeApplicationShutdown {
  private pending: UsageRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly delivery: SettlementDelivery;

  constructor(
    queue: JobQueue,
    private readonly spend: SpendLedger,
  ) {
    super();
    this.delivery = new SettlementDelivery(queue);
  }

  onModuleInit(): void {
    this.delivery.start();
  }

  record(usage: UsageRecord): void {
    this.pending.push(usage);
    if (this.pending.length >= Math.min(BATCH_SIZE, MAX_SETTLEMENT_BATCH)) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }

  /** Hands what is pending to the settlement queue; resolves when the queue took it (or refused it for now). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return Promise.resolve();
    const records = this.pending;
    this.pending = [];
    const { accepted, settled } = this.delivery.submit(records);
    void settled.then((outcome) => {
      if (outcome === 'settled') this.spend.confirm(records);
    });
    return accepted;
  }

  /** Unsettled batches kept for redelivery (for tests and health). */
  get unsettledBatches(): number {
    return this.delivery.unsettled;
  }

  async beforeApplicationShutdown(): Promise<void> {
    void this.flush();
    await this.delivery.stop();
  }
}
