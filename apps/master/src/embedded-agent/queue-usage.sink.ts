import { UsageRecord } from '@aigw/contracts';
import { JobQueue } from '@aigw/metering';
import { Injectable, Logger } from '@nestjs/common';
import { UsageSink } from '../../../agent/src/relay';

/** The embedded agent settles through the master's own queue, idempotent by request id. */
@Injectable()
export class QueueUsageSink extends UsageSink {
  private readonly logger = new Logger(QueueUsageSink.name);

  constructor(private readonly queue: JobQueue) {
    super();
  }

  record(usage: UsageRecord): void {
    this.queue.enqueue('settle-usage', usage, { jobId: `usage-${usage.request_id}` }).catch((error: unknown) => {
      this.logger.error({ msg: 'could not enqueue usage', requestId: usage.request_id, error: (error as Error).message });
    });
  }
}
