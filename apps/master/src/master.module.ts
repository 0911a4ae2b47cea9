import { AppConfig, ConfigModule } from '@aigw/config';
import { QueueModule } from '@aigw/metering';
import { Database, ENTITIES } from '@aigw/persistence';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RelayModule } from '../../agent/src/relay';
import { ChannelProbeService } from './embedded-agent/channel-probe.service';
import { DatabaseChannelStatusSink } from './embedded-agent/database-channel-status.sink';
import { AccessGuard } from './auth/access.guard';
import { AuthService } from './auth/auth.service';
import { JwtStrategy } from './auth/jwt.strategy';
import { LoginLimiterService } from './auth/login-limiter.service';
import { AgentsController } from './controllers/agents.controller';
import { SettlementController } from './controllers/settlement.controller';
import { AuthController } from './controllers/auth.controller';
import { ChannelsController } from './controllers/channels.controller';
import { GroupsController } from './controllers/groups.controller';
import { HealthController } from './controllers/health.controller';
import { MeController } from './controllers/me.controller';
import { ModelsController } from './controllers/models.controller';
import { ProvidersController } from './controllers/providers.controller';
import { RootController } from './controllers/root.controller';
import { RoutesController } from './controllers/routes.controller';
import { TokensController } from './controllers/tokens.controller';
import { UsageController } from './controllers/usage.controller';
import { UsersController } from './controllers/users.controller';
import { EmbeddedSyncClient } from './embedded-agent/embedded-sync.client';
import { PolicyRefreshInterceptor } from './embedded-agent/policy-refresh.interceptor';
import { QueueUsageSink } from './embedded-agent/queue-usage.sink';
import { AdminSeedService } from './services/admin-seed.service';
import { AgentsService } from './services/agents.service';
import { AuditService } from './services/audit.service';
import { BootstrapService } from './services/bootstrap.service';
import { ChannelsService } from './services/channels.service';
import { GroupsService } from './services/groups.service';
import { ModelsService } from './services/models.service';
import { PasswordService } from './services/password.service';
import { RollupSchedulerService } from './services/rollup-scheduler.service';
import { RoutesService } from './services/routes.service';
import { TokensService } from './services/tokens.service';
import { UsageService } from './services/usage.service';
import { UsersService } from './services/users.service';
import { SyncGateway } from './sync/sync.gateway';
import { SyncHub } from './sync/sync-hub.service';

/** The control plane (admin API, auth, settlement queue) and the embedded agent. Wiring only. */
@Module({})
export class MasterModule {
  /** `settleInProcess: false` (with Redis): this process only enqueues settlement jobs; a worker process settles them. */
  static forRoot(config: AppConfig, database: Database, options: { settleInProcess?: boolean } = {}): DynamicModule {
    return {
      module: MasterModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => database.dataSource.options,
          dataSourceFactory: async () => database.dataSource,
        }),
        TypeOrmModule.forFeature(ENTITIES),
        PassportModule,
        JwtModule.register({}),
        TerminusModule,
        ScheduleModule.forRoot(),
        QueueModule.forRoot({ consume: options.settleInProcess ?? true }),
        // The embedded agent: the data plane on the same port.
        RelayModule.forRoot({
          usageSink: QueueUsageSink,
          channelStatusSink: DatabaseChannelStatusSink,
          routing: config.routing,
          metering: config.relayMetering,
          rateLimitStore: config.redisUrl ? { redisUrl: config.redisUrl, prefix: config.redisPrefix } : null,
        }),
      ],
      controllers: [
        RootController,
        SettlementController,
        HealthController,
        AuthController,
        MeController,
        UsersController,
        GroupsController,
        TokensController,
        ChannelsController,
        ModelsController,
        ProvidersController,
        RoutesController,
        AgentsController,
        UsageController,
      ],
      providers: [
        { provide: Database, useValue: database },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: PolicyRefreshInterceptor },
        SyncHub,
        SyncGateway,
        EmbeddedSyncClient,
        ChannelProbeService,
        JwtStrategy,
        AuthService,
        LoginLimiterService,
        PasswordService,
        AuditService,
        AdminSeedService,
        BootstrapService,
        UsersService,
        GroupsService,
        TokensService,
        ChannelsService,
        ModelsService,
        RoutesService,
        AgentsService,
        UsageService,
        RollupSchedulerService,
      ],
    };
  }
}
