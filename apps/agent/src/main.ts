import 'reflect-metadata';
import { ConfigError, loadConfig } from '@aigw/config';
import { PinoNestLogger, createLogger } from '@aigw/telemetry';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AgentModule } from './agent.module';

/** `npm run start:agent`: a standalone data-plane process (default port 8139). */
async function main(): Promise<void> {
  const config = loadConfig({ defaultPort: 8139 });
  const logger = createLogger(config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(AgentModule.forRoot(config), new FastifyAdapter({ loggerInstance: logger }), {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`aigw agent listening on http://${config.host}:${config.port} (node ${process.version})\n`);
}

main().catch((error: unknown) => {
  const prefix = error instanceof ConfigError ? 'configuration error' : 'failed to start';
  process.stderr.write(`aigw agent: ${prefix}: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
