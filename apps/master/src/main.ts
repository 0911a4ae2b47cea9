import 'reflect-metadata';
import { ConfigError, loadConfig } from '@aigw/config';
import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createMasterApp } from './create-master-app';
import { BootstrapError } from './services/bootstrap.service';

/**
 * `npm start`: the master with its embedded agent on one port. Configuration
 * problems end the process with one line on stderr and exit code 1.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  // With Postgres and Redis, settlement runs in its own process, off the relay's event loop.
  const separateWorker = config.redisUrl !== null && config.databaseUrl !== null;
  const master = await createMasterApp(config, { settleInProcess: !separateWorker });
  const worker = separateWorker ? superviseSettlementWorker() : null;
  const mode = config.embeddedDatabase ? `embedded PGlite in ${config.dataDir}` : 'Postgres';
  const queue = config.redisUrl ? `BullMQ on Redis, settlement ${separateWorker ? 'in a worker process' : 'in process'}` : 'in-process queue';
  process.stdout.write(`aigw master listening on ${master.url.replace('127.0.0.1', config.host)} (${mode}, ${queue}, node ${process.version})\n`);
  if (!config.relayMetering) {
    process.stdout.write('aigw: WARNING relay_metering is false: no usage records, quotas or rate limits on /v1 (benchmarks only)\n');
  }

  // Close in order — HTTP, queue, database, embedded Postgres — so PGlite flushes to disk.
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`aigw: ${signal} received, shutting down\n`);
    master
      .close()
      .then(() => worker?.stop())
      .then(
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

/**
 * Runs dist/apps/master/src/settlement-worker.js with the master's argv and
 * env, and starts it again when it dies (at once, or with backoff when it
 * keeps dying). Stopped after the master closed, so the last batches are
 * enqueued before the worker drains.
 */
function superviseSettlementWorker(): { stop(): Promise<void> } {
  let child: ChildProcess | null = null;
  let stopping = false;
  let quickExits = 0;
  const start = () => {
    const startedAt = Date.now();
    const current = fork(join(__dirname, 'settlement-worker.js'), process.argv.slice(2), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child = current;
    current.once('exit', (code, signal) => {
      if (stopping) return;
      quickExits = Date.now() - startedAt < 10_000 ? quickExits + 1 : 0;
      const delay = quickExits === 0 ? 0 : Math.min(30_000, 500 * 2 ** quickExits);
      process.stderr.write(`aigw: settlement worker exited (${signal ?? code}); starting it again${delay ? ` in ${delay} ms` : ''}\n`);
      setTimeout(start, delay);
    });
  };
  start();
  return {
    async stop() {
      stopping = true;
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = once(current, 'exit');
      current.kill('SIGTERM');
      await exited;
    },
  };
}
