import 'reflect-metadata';
import { ConfigError, loadConfig } from '@aigw/config';
import { usageCharge, usageRow } from '@aigw/contracts';
import { AgentUsageSpool, BUILD_VERSION, UsageSpool } from '@aigw/sync';
import { PinoNestLogger, createLogger } from '@aigw/telemetry';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AgentModule } from './agent.module';
import { EnrollmentRefused, loadOrEnroll } from './sync/agent-identity';

/**
 * `npm run start:agent`: a standalone data-plane process (default port 8139).
 * Enrolls with its master on the first start (AIGW_MASTER_URL,
 * AIGW_ENROLLMENT_TOKEN), then serves from the policy the master syncs to it
 * — or, while the master is away, from the snapshot in its data directory.
 */
async function main(): Promise<void> {
  const config = loadConfig({ defaultPort: 8139 });
  const logger = createLogger(config.logLevel);
  const identity = await loadOrEnroll(config, BUILD_VERSION, (line) => process.stderr.write(`${line}\n`));
  const spool: AgentUsageSpool = new UsageSpool({
    dir: join(config.dataDir, 'usage-spool'),
    maxRecords: config.usageSpoolMaxRecords,
    maxBytes: config.usageSpoolMaxBytes,
    flushDelayMs: config.usageSpoolCommitMs,
    syncDelayMs: config.usageSpoolSyncMs,
    summarize: usageCharge,
    serialize: usageRow,
  });
  await spool.open();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    requestIdHeader: false,
    // Usage is settled once per request id: ids are this agent's own, never a client's (see usage-validation).
    genReqId: () => `${identity.agent_id}.${randomUUID()}`,
    bodyLimit: config.relayBodyLimitBytes,
  });
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AgentModule.forRoot(config, identity, spool), adapter, {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(
    `aigw agent "${identity.name}" (${identity.agent_id}, region ${identity.region}) listening on http://${config.host}:${config.port} (node ${process.version})\n`,
  );
}

main().catch((error: unknown) => {
  const prefix = error instanceof ConfigError ? 'configuration error' : error instanceof EnrollmentRefused ? 'enrollment failed' : 'failed to start';
  process.stderr.write(`aigw agent: ${prefix}: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
