import { UsageRecord } from '@aigw/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FailedJob, JobHandle, JobQueue, JobState, QueueHealth } from './job-queue';
import { SettlementDelivery } from './settlement-delivery';

/**
 * A queue whose jobs end the way the test says: each enqueue takes the next
 * scripted outcome. 'lost' is BullMQ after a Redis restart between the
 * enqueue and the wait: the wait rejects ("Missing key") and the job is gone.
 */
class ScriptedQueue extends JobQueue {
  readonly enqueued: string[] = [];
  private readonly states = new Map<string, JobState>();

  constructor(private readonly script: Array<'settled' | 'failed' | 'lost'>) {
    super();
  }

  async enqueue(_name: string, _payload: unknown, options: { jobId?: string } = {}): Promise<JobHandle> {
    const id = options.jobId!;
    this.enqueued.push(id);
    const outcome = this.script.shift() ?? 'settled';
    this.states.set(id, outcome === 'settled' ? 'completed' : outcome === 'failed' ? 'failed' : 'missing');
    const finished = () => (outcome === 'settled' ? Promise.resolve() : Promise.reject(new Error(outcome === 'lost' ? `Missing key for job ${id}. isFinished` : 'failed')));
    return { id, finished };
  }

  async state(jobId: string): Promise<JobState> {
    return this.states.get(jobId) ?? 'missing';
  }

  async failedJobs(): Promise<FailedJob[]> {
    return [];
  }

  async retryFailed(): Promise<boolean> {
    return false;
  }

  async health(): Promise<QueueHealth> {
    return { kind: 'in-process', ok: true, waiting: 0, failed: 0 };
  }

  async close(): Promise<void> {}
}

const records = [{ request_id: 'req-1' }] as UsageRecord[];

describe('SettlementDelivery', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('delivers again a batch whose wait was rejected because the queue lost the job, and settles it', async () => {
    const queue = new ScriptedQueue(['lost', 'settled']);
    const delivery = new SettlementDelivery(queue);
    delivery.start();
    const { settled } = delivery.submit(records);
    let outcome: string | undefined;
    void settled.then((value) => (outcome = value));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(queue.enqueued).toHaveLength(2);
    expect(queue.enqueued[1]).toBe(`${queue.enqueued[0]}-r1`);
    expect(outcome).toBe('settled');
    expect(delivery.unsettled).toBe(0);
    await delivery.stop();
  });

  it('ends a batch the queue failed for good as failed, without delivering it again', async () => {
    const queue = new ScriptedQueue(['failed']);
    const delivery = new SettlementDelivery(queue);
    delivery.start();
    const { settled } = delivery.submit(records);
    await expect(settled).resolves.toBe('failed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(queue.enqueued).toHaveLength(1);
    expect(delivery.unsettled).toBe(0);
    await delivery.stop();
  });
});
