import 'reflect-metadata';
import { ConfigError, loadConfig } from '@aigw/config';
import { BootstrapError } from './services/bootstrap.service';
import { createMasterApp } from './create-master-app';

/**
 * `npm start`: the master with its embedded agent on one port. Configuration
 * problems end the process with one line on stderr and exit code 1.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const master = await createMasterApp(config);
  const mode = config.embeddedDatabase ? `embedded PGlite in ${config.dataDir}` : 'Postgres';
  const queue = config.redisUrl ? 'BullMQ on Redis' : 'in-process queue';
  process.stdout.write(`aigw master listening on ${master.url.replace('127.0.0.1', config.host)} (${mode}, ${queue}, node ${process.version})\n`);

  // Close in order — HTTP, queue, database, embedded Postgres — so PGlite flushes to disk.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`aigw: ${signal} received, shutting down\n`);
    master.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`aigw: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof BootstrapError) {
    process.stderr.write(`aigw: configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(`aigw: failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  }
  process.exit(1);
});
