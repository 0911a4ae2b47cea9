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
  process.stdout.write(`aigw master listening on http://${config.host}:${config.port} (${mode}, ${queue})\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof BootstrapError) {
    process.stderr.write(`aigw: configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(`aigw: failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  }
  process.exit(1);
});
