import { AppConfig } from '@aigw/config';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RollupDailyProcessor } from '../processors/rollup-daily.processor';
import { SettleUsageBatchProcessor, SettleUsageProcessor } from '../processors/settle-usage.processor';
import { BullmqJobQueue } from './bullmq-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';

/**
 * BullMQ with a Redis URL, else in-process. `consume: false` (BullMQ only):
 * this process enqueues, a settlement worker process works the jobs.
 */
export function createJobQueue(dataSource: DataSource, redisUrl: string | null, prefix = 'aigw', consume = true): JobQueue {
  const processors = [new SettleUsageProcessor(dataSource), new SettleUsageBatchProcessor(dataSource), new RollupDailyProcessor(dataSource)];
  return redisUrl ? new BullmqJobQueue(processors, { redisUrl, prefix, consume }) : new InProcessJobQueue(processors);
}

/** The job queue of the master, chosen by config: BullMQ with redis_url, else in-process. */
@Global()
@Module({})
export class QueueModule implements OnApplicationShutdown {
  constructor(@Inject(JobQueue) private readonly queue: JobQueue) {}

  static forRoot(options: { consume?: boolean } = {}): DynamicModule {
    return {
      module: QueueModule,
      providers: [
        {
          provide: JobQueue,
          inject: [DataSource, AppConfig],
          useFactory: (dataSource: DataSource, config: AppConfig) =>
            createJobQueue(dataSource, config.redisUrl, config.redisPrefix, options.consume ?? true),
        },
      ],
      exports: [JobQueue],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
