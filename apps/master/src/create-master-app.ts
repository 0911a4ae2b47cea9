import { AppConfig } from '@aigw/config';
import { REQUEST_ID_PATTERN } from '@aigw/contracts';
import { MIGRATIONS } from '@aigw/migrations';
import { Database } from '@aigw/persistence';
import { PinoNestLogger, createLogger } from '@aigw/telemetry';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import pino from 'pino';
import { handleClientError } from './common/client-error.handler';
import { GlobalExceptionFilter } from './common/global-exception.filter';
import { NulCharacterPipe } from './common/nul-character.pipe';
import { createValidationPipe } from './common/validation.pipe';
import { EmbeddedSyncClient } from './embedded-agent/embedded-sync.client';
import { MasterModule } from './master.module';
import { AdminSeedService } from './services/admin-seed.service';
import { BootstrapService } from './services/bootstrap.service';

export interface RegisteredRoute {
  method: string;
  url: string;
}

export interface MasterApp {
  app: NestFastifyApplication;
  database: Database;
  /** Every route Fastify registered (for the RBAC table test). */
  routes: RegisteredRoute[];
  url: string;
  close(): Promise<void>;
}

export interface MasterAppOptions {
  /** Where JSON logs go (default stdout). */
  logDestination?: pino.DestinationStream;
  /** Where the one-time admin password banner goes (default stdout). */
  print?: (line: string) => void;
  /** Skip listen (for in-process tests using app.inject). */
  listen?: boolean;
  /** false (BullMQ only): settlement runs in a separate worker process (`npm start` does that with Redis). Default true. */
  settleInProcess?: boolean;
}


/**
 * Builds and starts the master: opens the database and migrates it, wires
 * Nest on Fastify, seeds the admin, applies the config's bootstrap, listens.
 */
export async function createMasterApp(config: AppConfig, options: MasterAppOptions = {}): Promise<MasterApp> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const database = await Database.fromConfig(config, MIGRATIONS);
  try {
    const adapter = new FastifyAdapter({
      loggerInstance: logger,
      requestIdHeader: false,
      // The relay's request id keys settlement (one charge per id), so it is always the gateway's own; a
      // client's X-Request-Id is kept beside it (client_request_id). The admin API adopts the client's for tracing.
      genReqId: (request: IncomingMessage) => {
        const incoming = request.headers['x-request-id'];
        if (request.url?.startsWith('/v1')) return randomUUID();
        return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
      },
      bodyLimit: 1024 * 1024,
      trustProxy: false,
      clientErrorHandler: handleClientError,
    });
    const routes: RegisteredRoute[] = [];
    const fastify = adapter.getInstance();
    fastify.addHook('onRoute', (route) => {
      // The admin API takes small JSON; the relay takes images and documents.
      route.bodyLimit = route.url.startsWith('/v1') ? config.relayBodyLimitBytes : 1024 * 1024;
      for (const method of [route.method].flat()) {
        if (method !== 'HEAD') routes.push({ method, url: route.url });
      }
    });
    fastify.addHook('onRequest', async (request, reply) => {
      void reply.header('x-request-id', request.id);
    });

    const app = await NestFactory.create<NestFastifyApplication>(MasterModule.forRoot(config, database, { settleInProcess: options.settleInProcess ?? true }), adapter, {
      logger: new PinoNestLogger(logger),
    });
    // The sync hub reads its own frames (SyncGateway); Nest's event routing is not used.
    app.useWebSocketAdapter(new WsAdapter(app, { messageParser: () => undefined }));
    app.useGlobalPipes(new NulCharacterPipe(), createValidationPipe());
    app.useGlobalFilters(new GlobalExceptionFilter());

    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('AI gateway admin API')
        .setDescription('Control plane of the gateway. Each operation lists its allowed roles in `x-roles`.')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('api/docs', app, document, {
      jsonDocumentUrl: 'api/docs/openapi.json',
      yamlDocumentUrl: 'api/docs/openapi.yaml',
    });

    await app.init();
    await app.get(AdminSeedService).ensureAdmin(options.print);
    await app.get(BootstrapService).apply();
    // The embedded agent serves what the seed and the bootstrap just wrote.
    await app.get(EmbeddedSyncClient).refresh();
    if (options.listen !== false) await app.listen({ port: config.port, host: config.host });
    const address = fastify.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;

    return {
      app,
      database,
      routes,
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
