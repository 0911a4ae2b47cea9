import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import {
  JOB_ATTEMPTS,
  JOB_BACKOFF_MS,
  JobHandle,
  JobName,
  JobOptions,
  JobPayloads,
  JobProcessor,
  JobQueue,
  PermanentJobError,
  QueueHealth,
  JobState,
  FailedJob,
  recordsIn,
} from './job-queue';

const QUEUE_NAME = 'jobs';

export interface BullmqJobQueueOptions {
  redisUrl: string;
  /** Redis key prefix; lets several deployments (or test files) share one Redis. */
  prefix?: string;
  concurrency?: number;
  /** false: only produce jobs (the worker runs in another process); default true. */
  consume?: boolean;
}

/** A job whose worker died is taken up again after at most this long (BullMQ's stalled-job check). */
const STALLED_CHECK_MS = 5_000;
const LOCK_MS = 15_000;
/** Completed settlement jobs kept (with their payloads) for the producer's checks. */
const SETTLEMENT_KEEP_COMPLETED = 500;

/**
 * Jobs on Redis with BullMQ: survive a master restart, are shared by every
 * master (any one of them processes a job), retried with exponential backoff.
 * Completed job ids are kept an hour so a re-delivered job id is a no-op —
 * except settlement jobs, whose payloads (up to 500 usage records) would
 * hold gigabytes of Redis at a few thousand requests per second: they are
 * kept ten minutes and at most SETTLEMENT_KEEP_COMPLETED, which is enough
 * for the producer to see them completed; settlement itself is idempotent
 * by request id, so a re-delivery after that is a no-op in Postgres.
 */
export class BullmqJobQueue extends JobQueue {
  private readonly connections: IORedis[] = [];
  private readonly queue: Queue;
  private readonly worker: Worker | null;
  private readonly events: QueueEvents;

  constructor(processors: JobProcessor[], options: BullmqJobQueueOptions) {
    super();
    const byName = new Map(processors.map((processor) => [processor.name, processor]));
    const prefix = options.prefix ?? 'aigw';
    const connect = () => {
      // BullMQ's blocking commands need maxRetriesPerRequest: null.
      const connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
      connection.on('error', () => undefined);
      this.connections.push(connection);
      return connection;
    };
    this.queue = new Queue(QUEUE_NAME, {
      connection: connect(),
      prefix,
      defaultJobOptions: {
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'exponential', delay: JOB_BACKOFF_MS },
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
    // Every job a producer waits on (waitUntilFinished) holds one 'closing' listener on the queue until it
    // finishes; settlement waits on many batches at once (each usage batch is kept until settled).
    this.queue.setMaxListeners(0);
    this.worker = options.consume === false ? null : new Worker(
      QUEUE_NAME,
      async (job: Job) => {
        const processor = byName.get(job.name as JobName);
        if (!processor) throw new UnrecoverableError(`no processor for job ${job.name}`);
        try {
          await processor.process(job.data);
        } catch (error) {
          throw error instanceof PermanentJobError ? new UnrecoverableError(error.message) : error;
        }
      },
      { connection: connect(), prefix, concurrency: options.concurrency ?? 4, stalledInterval: STALLED_CHECK_MS, lockDuration: LOCK_MS },
    );
    this.worker?.on('error', () => undefined);
    this.events = new QueueEvents(QUEUE_NAME, { connection: connect(), prefix });
    this.events.on('error', () => undefined);
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: JobOptions = {}): Promise<JobHandle> {
    await this.events.waitUntilReady();
    const settlement = name === 'settle-usage' || name === 'settle-usage-batch';
    const job = await this.queue.add(name, payload, {
      ...(options.jobId ? { jobId: options.jobId } : {}),
      ...(settlement ? { removeOnComplete: { age: 600, count: SETTLEMENT_KEEP_COMPLETED } } : {}),
    });
    return { id: job.id!, finished: () => job.waitUntilFinished(this.events).then(() => undefined) };
  }

  async failedJobs(limit: number): Promise<FailedJob[]> {
    const jobs = await this.queue.getFailed(0, Math.max(0, limit - 1));
    return jobs
      .filter((job): job is Job => Boolean(job))
      .map((job) => ({
        id: job.id!,
        name: job.name as JobName,
        reason: job.failedReason ?? '',
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        records: recordsIn(job.name, job.data),
      }));
  }

  async retryFailed(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(jobId);
    if (!job || (await job.getState()) !== 'failed') return false;
    await job.retry('failed');
    return true;
  }

  async state(jobId: string): Promise<JobState> {
    const state = await this.queue.getJobState(jobId);
    if (state === 'completed') return 'completed';
    if (state === 'failed') return 'failed';
    if (state === 'unknown') return 'missing';
    return 'pending';
  }

  async health(): Promise<QueueHealth> {
    try {
      const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'failed');
      return {
        kind: 'bullmq',
        ok: true,
        waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0),
        failed: counts.failed ?? 0,
      };
    } catch (error) {
      return { kind: 'bullmq', ok: false, waiting: 0, failed: 0, error: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.events.close();
    await this.queue.close();
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }
}
