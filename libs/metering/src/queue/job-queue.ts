import { UsageRecord } from '@aigw/contracts';

/** Jobs and their payloads. Payloads are plain JSON: they cross Redis. */
export interface JobPayloads {
  'settle-usage': UsageRecord;
  'settle-usage-batch': { records: UsageRecord[] };
  'rollup-daily': { day: string };
}

export type JobName = keyof JobPayloads;

export interface JobOptions {
  /** Jobs with the same id are deduplicated while one is pending. */
  jobId?: string;
}

export interface JobHandle {
  id: string;
  /** Resolves when the job completed, rejects when it failed its last attempt. */
  finished(): Promise<void>;
}

/** A processor of one job name; the same code runs on BullMQ and in-process. */
export interface JobProcessor<N extends JobName = JobName> {
  readonly name: N;
  process(payload: JobPayloads[N]): Promise<void>;
}

export interface QueueHealth {
  kind: 'bullmq' | 'in-process';
  ok: boolean;
  waiting: number;
  failed: number;
  error?: string;
}

/** Where a job is: still to run (waiting, active, delayed for a retry), done, failed for good, or gone (its queue lost it). */
export type JobState = 'pending' | 'completed' | 'failed' | 'missing';

/** A job that failed its last attempt: kept (BullMQ: a week) until an admin retries it. */
export interface FailedJob {
  id: string;
  name: JobName;
  /** The last error. */
  reason: string;
  attempts: number;
  failedAt: string | null;
  /** Usage records it carries (settlement jobs), or 0. */
  records: number;
}

/** Settlement and rollup jobs: BullMQ on Redis when configured, else in-process. */
export abstract class JobQueue {
  abstract enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options?: JobOptions): Promise<JobHandle>;
  /** Lets a producer that keeps its own copy find out whether a job was lost (e.g. Redis restarted without persistence). */
  abstract state(jobId: string): Promise<JobState>;
  /** The dead letters: jobs that failed for good, newest first. */
  abstract failedJobs(limit: number): Promise<FailedJob[]>;
  /** Runs a failed job again (same payload, fresh attempts); false when there is no such failed job. */
  abstract retryFailed(jobId: string): Promise<boolean>;
  abstract health(): Promise<QueueHealth>;
  abstract close(): Promise<void>;
}

/** A job that can never succeed (malformed payload): fails at once, no retries. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

export const JOB_ATTEMPTS = 5;
export const JOB_BACKOFF_MS = 500;

/** How many usage records a job payload carries (0 for a rollup). */
export function recordsIn(name: string, payload: unknown): number {
  if (name === 'settle-usage') return 1;
  if (name === 'settle-usage-batch') return Array.isArray((payload as { records?: unknown[] })?.records) ? (payload as { records: unknown[] }).records.length : 0;
  return 0;
}
