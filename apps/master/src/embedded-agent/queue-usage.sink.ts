import { UsageRecord } from '@aigw/contracts';
import { JobQueue, MAX_SETTLEMENT_BATCH } from '@aigw/metering';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { SpendLedger, UsageSink } from '../../../agent/src/relay';

/** How long a record may wait for others before its batch is enqueued. */
const FLUSH_AFTER_MS = 25;
const BATCH_SIZE = 500;

/**
 * The embedded agent settles through the master's own queue. Records are
 * batched (up to 500, or 25 ms): one job and one transaction per batch instead
 * of per request. Settlement stays idempotent by request id, so a batch
 * delivered twice charges nothing twice.
 */
@Injectable()
export class QueueUsageSink extends UsageSink implements BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueUsageSink.name);
  private pending: UsageRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly queue: JobQueue,
    private readonly spend: SpendLedger,
  ) {
    super();
  }

  record(usage: UsageRecord): void {
    this.pending.push(usage);
    if (this.pending.length >= Math.min(BATCH_SIZE, MAX_SETTLEMENT_BATCH)) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }

  /** Enqueues what is pending; resolves when the queue accepted it (not when it settled). */
  flush(): Promise<unknown> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return Promise.resolve();
    const records = this.pending;
    this.pending = [];
    const enqueued = this.queue
      .enqueue('settle-usage-batch', { records }, { jobId: `usage-${records[0].request_id}-${records.length}` })
      .then((job) => {
        // Once settled, the charges count in the policy's used/balance instead of as unconfirmed spend.
        // A job that fails for good leaves them unconfirmed: the agent keeps counting them (the safe side).
        job.finished().then(
          () => this.spend.confirm(records),
          () => undefined,
        );
      })
      .catch((error: unknown) => {
        this.logger.error({ msg: 'could not enqueue usage', records: records.length, error: (error as Error).message });
      })
      .finally(() => this.inFlight.delete(enqueued));
    this.inFlight.add(enqueued);
    return enqueued;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.flush();
    await Promise.all(this.inFlight);
  }
}
