export * from './processors/rollup-daily.processor';
export * from './processors/settle-usage.processor';
export * from './queue/bullmq-job-queue';
export * from './queue/in-process-job-queue';
export * from './queue/job-queue';
export * from './queue/queue.module';
export * from './estimate-tokens';
export * from './queue/settlement-delivery';
