import { JobQueue } from '@aigw/metering';
import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';

/**
 * Every ten minutes, re-rolls today (and yesterday during the first hour of a
 * UTC day, for late usage). Job ids per day and slot keep several masters
 * from doing the same work twice.
 */
@Injectable()
export class RollupSchedulerService {
  private readonly logger = new Logger(RollupSchedulerService.name);

  constructor(private readonly queue: JobQueue) {}

  @Cron('*/10 * * * *')
  async schedule(now = new Date()): Promise<string[]> {
    const days = [now.toISOString().slice(0, 10)];
    if (now.getUTCHours() === 0) days.push(new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10));
    const slot = Math.floor(now.getTime() / 600_000);
    try {
      for (const day of days) await this.queue.enqueue('rollup-daily', { day }, { jobId: `rollup-${day}-${slot}` });
    } catch (error) {
      this.logger.warn({ msg: 'could not enqueue daily rollups', error: (error as Error).message });
    }
    return days;
  }
}
