import { UsageRecord } from '@aigw/contracts';
import { JobQueue, JobState, MAX_SETTLEMENT_BATCH } from '@aigw/metering';
import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { SpendLedger, UsageSink } from '../../../agent/src/relay';

/** How long a record may wait for others before its batch is enqueued. */
const FLUSH_AFTER_MS = 25;
const BATCH_SIZE = 500;
/** How often unsettled batches are checked, and from what age. */
const CHECK_EVERY_MS = 2_000;
const CHECK_AFTER_MS = 5_000;
/** Batches looked at per check (the oldest first). */
const CHECK_AT_MOST = 100;

interface Outstanding {
  records: UsageRecord[];
  jobId: string;
  since: number;
  redeliveries: number;
  /** The queue refused the job (Redis away): deliver it again at the next check. */
  enqueueFailed: boolean;
}

/** A queue that does not answer a state query in this long is asked again at the next check. */
const STATE_TIMEOUT_MS = 3_000;

/**
 * The embedded agent settles through the master's own queue. Records are
 * batched (up to 500, or 25 ms): one job and one transaction per batch
 * instead of per request. Each batch is kept until its job completed: a job
 * its queue lost — Redis restarted without persistence — is delivered again
 * under a new job id. Settlement is idempotent by request id, so a batch
 * delivered twice charges nothing twice (at-least-once delivery, exactly-once
 * effect). A job that failed for good stays in the queue's failed set (kept a
 * week, visible in /api/health) with its records.
 */
@Injectable()
export class QueueUsageSink extends UsageSink implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueUsageSink.name);
  private pending: UsageRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private checking = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly outstanding = new Map<string, Outstanding>();

  constructor(
    private readonly queue: JobQueue,
    private readonly spend: SpendLedger,
  ) {
    super();
  }

  onModuleInit(): void {
    this.watchdog = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.watchdog.unref();
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
    const key = `usage-${records[0].request_id}-${records.length}`;
    const entry: Outstanding = { records, jobId: key, since: Date.now(), redeliveries: 0, enqueueFailed: false };
    this.outstanding.set(key, entry);
    return this.deliver(key, entry);
  }

  /** Unsettled batches kept for redelivery (for tests and health). */
  get unsettledBatches(): number {
    return this.outstanding.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.flush();
    await Promise.all(this.inFlight);
  }

  private deliver(key: string, entry: Outstanding): Promise<unknown> {
    const enqueued = this.queue
      .enqueue('settle-usage-batch', { records: entry.records }, { jobId: entry.jobId })
      .then((job) => {
        // Once settled, the charges count in the policy's used/balance instead of as unconfirmed spend.
        // A job that fails for good leaves them unconfirmed: the agent keeps counting them (the safe side).
        job.finished().then(
          () => this.settled(key, entry),
          () => this.outstanding.delete(key),
        );
      })
      .catch((error: unknown) => {
        entry.enqueueFailed = true;
        this.logger.error({ msg: 'could not enqueue usage; will retry', records: entry.records.length, error: (error as Error).message });
      })
      .finally(() => this.inFlight.delete(enqueued));
    this.inFlight.add(enqueued);
    return enqueued;
  }

  private settled(key: string, entry: Outstanding): void {
    if (this.outstanding.get(key) !== entry) return;
    this.outstanding.delete(key);
    this.spend.confirm(entry.records);
  }

  /** The job's state, or 'pending' when the queue does not answer in time (a check must never hang the watchdog). */
  private stateWithin(jobId: string): Promise<JobState> {
    let timer: NodeJS.Timeout;
    const late = new Promise<JobState>((resolve) => {
      timer = setTimeout(() => resolve('pending'), STATE_TIMEOUT_MS);
    });
    return Promise.race([this.queue.state(jobId), late]).finally(() => clearTimeout(timer));
  }

  /** Old unsettled batches: settled after all (a missed event), failed for good, still queued, or lost (delivered again). */
  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const now = Date.now();
      let looked = 0;
      for (const [key, entry] of this.outstanding) {
        if (looked >= CHECK_AT_MOST || (now - entry.since < CHECK_AFTER_MS && !entry.enqueueFailed)) continue;
        looked += 1;
        const state = entry.enqueueFailed ? 'missing' : await this.stateWithin(entry.jobId);
        if (state === 'completed') this.settled(key, entry);
        else if (state === 'failed') this.outstanding.delete(key);
        else if (state === 'missing') {
          entry.enqueueFailed = false;
          entry.redeliveries += 1;
          entry.since = Date.now();
          entry.jobId = `${key}-r${entry.redeliveries}`;
          this.logger.warn({ msg: 'usage batch lost by the queue; delivering it again', records: entry.records.length, jobId: entry.jobId });
          void this.deliver(key, entry);
        } else entry.since = Date.now() - CHECK_AFTER_MS / 2;
      }
    } catch (error) {
      this.logger.warn({ msg: 'could not check unsettled usage batches', error: (error as Error).message });
    } finally {
      this.checking = false;
    }
  }
}
