import { UsageRecord } from '@aigw/contracts';
import { Logger } from '@nestjs/common';
import { JobQueue, JobState } from './job-queue';

/** How often unsettled batches are checked, and from what age. */
const CHECK_EVERY_MS = 2_000;
const CHECK_AFTER_MS = 5_000;
/** Batches looked at per check (the oldest first). */
const CHECK_AT_MOST = 100;
/** A queue that does not answer a state query in this long is asked again at the next check. */
const STATE_TIMEOUT_MS = 3_000;

/** How a delivered batch ended: settled in Postgres, or failed for good (held in the queue's dead letters). */
export type SettlementOutcome = 'settled' | 'failed';

interface Outstanding {
  records: UsageRecord[];
  jobId: string;
  since: number;
  redeliveries: number;
  /** The queue refused the job (Redis away): deliver it again at the next check. */
  enqueueFailed: boolean;
  done: (outcome: SettlementOutcome) => void;
}

/**
 * Delivers usage batches to the settlement queue and keeps each until its
 * job completed: a job its queue lost (Redis restarted without persistence)
 * or refused is delivered again under a new job id. Settlement is idempotent
 * by request id, so a batch delivered twice charges nothing twice
 * (at-least-once delivery, exactly-once effect). A job that failed for good
 * stays in the queue's failed set with its records (the dead letters).
 */
export class SettlementDelivery {
  private readonly logger = new Logger(SettlementDelivery.name);
  private readonly outstanding = new Map<string, Outstanding>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private watchdog: NodeJS.Timeout | null = null;
  private checking = false;
  private sequence = 0;

  constructor(private readonly queue: JobQueue) {}

  start(): void {
    this.watchdog ??= setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.watchdog.unref();
  }

  /**
   * `settled` resolves when the batch settled or failed for good (never
   * rejects); `accepted` when the queue first took it or refused it.
   */
  submit(records: UsageRecord[]): { accepted: Promise<void>; settled: Promise<SettlementOutcome> } {
    let accepted!: Promise<void>;
    const settled = new Promise<SettlementOutcome>((done) => {
      const key = `usage-${records[0]?.request_id ?? 'empty'}-${records.length}-${(this.sequence++).toString(36)}`;
      const entry: Outstanding = { records, jobId: key, since: Date.now(), redeliveries: 0, enqueueFailed: false, done };
      this.outstanding.set(key, entry);
      accepted = this.deliver(key, entry);
    });
    return { accepted, settled };
  }

  /** Batches not settled yet (for tests and health). */
  get unsettled(): number {
    return this.outstanding.size;
  }

  /** Stops checking; waits for enqueues under way (not for settlement). */
  async stop(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    await Promise.all(this.inFlight);
  }

  private deliver(key: string, entry: Outstanding): Promise<void> {
    const enqueued = this.queue
      .enqueue('settle-usage-batch', { records: entry.records }, { jobId: entry.jobId })
      .then((job) => {
        job.finished().then(
          () => this.finish(key, entry, 'settled'),
          () => void this.reconcile(key, entry),
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

  private finish(key: string, entry: Outstanding, outcome: SettlementOutcome): void {
    if (this.outstanding.get(key) !== entry) return;
    this.outstanding.delete(key);
    entry.done(outcome);
  }

  /**
   * A job whose wait ended without completing is not necessarily failed for
   * good: BullMQ also rejects the wait of a job the queue lost ("Missing key",
   * Redis restarted between the enqueue and the wait). Only the queue's
   * state says which: failed stays failed (dead letters); anything else is
   * looked at again at the next check (a lost batch is delivered again).
   */
  private async reconcile(key: string, entry: Outstanding): Promise<void> {
    const state = await this.stateWithin(entry.jobId).catch((): JobState => 'pending');
    if (this.outstanding.get(key) !== entry) return;
    if (state === 'failed') this.finish(key, entry, 'failed');
    else if (state === 'completed') this.finish(key, entry, 'settled');
    else entry.since = 0;
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
        if (state === 'completed') this.finish(key, entry, 'settled');
        else if (state === 'failed') this.finish(key, entry, 'failed');
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
