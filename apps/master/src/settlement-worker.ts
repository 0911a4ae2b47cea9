import 'reflect-metadata';
import { ConfigError, loadConfig } from '@aigw/config';
import { createJobQueue } from '@aigw/metering';
import { MIGRATIONS } from '@aigw/migrations';
import { Database } from '@aigw/persistence';
import { createLogger } from '@aigw/telemetry';

/**
 * The settlement worker `npm start` runs beside the master when it has
 * Postgres and Redis: it works the settlement and rollup jobs, so their
 * database writes never share the relay's event loop. Same config as the
 * master (file and env); exits when the master goes away. A worker killed
 * mid-batch loses nothing: its transaction rolls back, BullMQ hands the job
 * to the next worker after the stalled-job check, and settlement is
 * idempotent by request id.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.redisUrl || !config.databaseUrl) throw new ConfigError('the settlement worker needs redis_url and database_url');
  const logger = createLogger(config.logLevel);
  const database = await Database.open({ url: config.databaseUrl, dataDir: config.dataDir, migrations: MIGRATIONS, migrate: false });
  const queue = createJobQueue(database.dataSource, config.redisUrl, config.redisPrefix, true);
  logger.info({ msg: 'settlement worker started', pid: process.pid });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void queue
      .close()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`aigw settlement worker: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
