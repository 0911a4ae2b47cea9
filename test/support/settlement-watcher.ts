import { Queue, QueueEvents } from 'bullmq';
import { TEST_REDIS_URL } from './environment';

/**
 * Settlement, observed through BullMQ's own events: when a settlement job completes (or an attempt
 * fails), its payload says which requests it carried. Works whether the usage sink enqueues one
 * job per record (`settle-usage`) or batches them (`settle-usage-batch`, `{ records }`).
 */
export class SettlementWatcher {
  private readonly outcomes = new Map<string, Promise<string | null>>();
  private readonly waiters = new Map<string, (outcome: Promise<string | null>) => void>();

  private constructor(
    private readonly events: QueueEvents,
    private readonly queue: Queue,
  ) {
    events.on('completed', ({ jobId }) => this.observe(jobId, null));
    // A failed attempt of a retried job moves it to `delayed`; `failed` is its last attempt.
    events.on('delayed', ({ jobId }) => this.observe(jobId, 'delayed'));
    events.on('failed', ({ jobId }) => this.observe(jobId, 'failed'));
  }

  /** Reads the queue's event stream from its beginning, so no event is missed. */
  static async start(prefix: string): Promise<SettlementWatcher> {
    const connection = { url: TEST_REDIS_URL };
    const events = new QueueEvents('jobs', { connection, prefix, lastEventId: '0' });
    await events.waitUntilReady();
    return new SettlementWatcher(events, new Queue('jobs', { connection, prefix }));
  }

  /** null once the request's usage was settled; the failure reason when its settlement job failed an attempt. */
  outcome(requestId: string): Promise<string | null> {
    return this.outcomes.get(requestId) ?? new Promise((resolve) => this.waiters.set(requestId, resolve));
  }

  async close(): Promise<void> {
    await this.events.close();
    await this.queue.close();
  }

  private observe(jobId: string, failure: string | null): void {
    const job = this.queue.getJob(jobId);
    void job.then((found) => {
      type Ids = { request_id?: string; client_request_id?: string | null };
      const data = found?.data as ({ records?: Ids[] } & Ids) | undefined;
      // Found by the gateway's request id or by the client's own (X-Request-Id), whichever the test knows.
      const requestIds = (data?.records ?? [data ?? {}]).flatMap((record) => [record.request_id, record.client_request_id ?? undefined]);
      const outcome = Promise.resolve(failure === null ? null : found?.failedReason || failure);
      for (const requestId of requestIds) {
        if (!requestId || this.outcomes.has(requestId)) continue;
        this.outcomes.set(requestId, outcome);
        this.waiters.get(requestId)?.(outcome);
        this.waiters.delete(requestId);
      }
    });
  }
}
