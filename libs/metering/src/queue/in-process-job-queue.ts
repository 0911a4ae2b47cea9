import { randomUUID } from 'node:crypto';
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

interface PendingJob {
  id: string;
  name: JobName;
  payload: unknown;
  attempt: number;
  done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** Like BullMQ's removeOnComplete { age: 3600, count: 10000 }: a recently completed job id is a no-op. */
const COMPLETED_TTL_MS = 3_600_000;
const COMPLETED_MAX = 10_000;

/**
 * The embedded queue: one worker in this process, retries with exponential
 * backoff, dedupe by job id while pending and for an hour after completion. Jobs live in memory, so a crash
 * loses queued work; callers that need durability (the agent's usage spool)
 * keep their own copy until the job finished.
 */
export class InProcessJobQueue extends JobQueue {
  private readonly processors = new Map<JobName, JobProcessor>();
  private readonly ready: PendingJob[] = [];
  private readonly pending = new Map<string, PendingJob>();
  private readonly completed = new Map<string, number>();
  private running = false;
  private closed = false;
  private failed = 0;
  /** Jobs that failed for good, by id (bounded like `completed`): the dead letters. */
  private readonly failedJobsById = new Map<string, { job: PendingJob; reason: string; failedAt: string }>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(processors: JobProcessor[]) {
    super();
    for (const processor of processors) this.processors.set(processor.name, processor);
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: JobOptions = {}): Promise<JobHandle> {
    if (this.closed) throw new Error('queue is closed');
    const id = options.jobId ?? randomUUID();
    const existing = this.pending.get(id);
    if (existing) return { id, finished: () => existing.done };
    const completedAt = this.completed.get(id);
    if (completedAt !== undefined && Date.now() - completedAt < COMPLETED_TTL_MS) return { id, finished: () => Promise.resolve() };
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    done.catch(() => undefined);
    const job: PendingJob = { id, name, payload: structuredClone(payload), attempt: 0, done, resolve, reject };
    this.pending.set(id, job);
    this.ready.push(job);
    this.pump();
    return { id, finished: () => done };
  }

  async state(jobId: string): Promise<JobState> {
    if (this.pending.has(jobId)) return 'pending';
    if (this.completed.has(jobId)) return 'completed';
    if (this.failedJobsById.has(jobId)) return 'failed';
    return 'missing';
  }

  async failedJobs(limit: number): Promise<FailedJob[]> {
    return [...this.failedJobsById.values()]
      .reverse()
      .slice(0, limit)
      .map(({ job, reason, failedAt }) => ({ id: job.id, name: job.name, reason, attempts: job.attempt, failedAt, records: recordsIn(job.name, job.payload) }));
  }

  async retryFailed(jobId: string): Promise<boolean> {
    const failed = this.failedJobsById.get(jobId);
    if (!failed || this.closed) return false;
    this.failedJobsById.delete(jobId);
    this.failed -= 1;
    await this.enqueue(failed.job.name, failed.job.payload as never, { jobId });
    return true;
  }

  async health(): Promise<QueueHealth> {
    return { kind: 'in-process', ok: !this.closed, waiting: this.pending.size, failed: this.failed };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const job of this.pending.values()) job.reject(new Error('queue closed'));
    this.pending.clear();
    this.ready.length = 0;
  }

  private pump(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.work().finally(() => {
      this.running = false;
      if (this.ready.length > 0) this.pump();
    });
  }

  private async work(): Promise<void> {
    for (let job = this.ready.shift(); job && !this.closed; job = this.ready.shift()) {
      const processor = this.processors.get(job.name);
      job.attempt += 1;
      try {
        if (!processor) throw new Error(`no processor for job ${job.name}`);
        await processor.process(job.payload as never);
        this.pending.delete(job.id);
        this.remember(job.id);
        job.resolve();
      } catch (error) {
        if (job.attempt >= JOB_ATTEMPTS || !processor || error instanceof PermanentJobError) {
          this.failed += 1;
          this.failedJobsById.set(job.id, { job, reason: (error as Error)?.message ?? String(error), failedAt: new Date().toISOString() });
          if (this.failedJobsById.size > COMPLETED_MAX) this.failedJobsById.delete(this.failedJobsById.keys().next().value!);
          this.pending.delete(job.id);
          job.reject(error);
        } else {
          this.retryLater(job);
        }
      }
    }
  }

  private remember(id: string): void {
    this.completed.delete(id);
    this.completed.set(id, Date.now());
    // Maps iterate in insertion order: the first entries are the oldest.
    for (const oldest of this.completed.keys()) {
      if (this.completed.size <= COMPLETED_MAX) break;
      this.completed.delete(oldest);
    }
  }

  private retryLater(job: PendingJob): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(job);
      this.pump();
    }, JOB_BACKOFF_MS * 2 ** (job.attempt - 1));
    timer.unref();
    this.timers.add(timer);
  }
}
