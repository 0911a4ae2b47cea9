import { AppConfig, ConfigModule } from '@aigw/config';
import { AgentUsageSpool } from '@aigw/sync';
import { Controller, DynamicModule, Get, Module } from '@nestjs/common';
import { QuotaLeases, RelayModule } from './relay';
import { LeaseBook } from './sync/lease-book';
import { AgentIdentity } from './sync/agent-identity';
import { AgentSyncService } from './sync/agent-sync.service';
import { AGENT_IDENTITY, USAGE_SPOOL } from './sync/agent-sync.tokens';
import { SpoolUsageSink } from './sync/spool-usage.sink';

@Controller()
export class AgentHealthController {
  /** Liveness of the data plane. */
  @Get('ping')
  ping(): { status: 'ok'; role: 'agent' } {
    return { status: 'ok', role: 'agent' };
  }
}

/**
 * The standalone data-plane process: the same RelayModule the master embeds,
 * fed by the sync protocol from its master (AgentSyncService), its usage
 * spooled to disk and shipped to the master.
 */
@Module({})
export class AgentModule {
  static forRoot(config: AppConfig, identity: AgentIdentity, spool: AgentUsageSpool): DynamicModule {
    const leases = new LeaseBook({ dataDir: config.dataDir, offline: config.leaseOffline });
    const shared = [
      { provide: AGENT_IDENTITY, useValue: identity },
      { provide: USAGE_SPOOL, useValue: spool },
      { provide: LeaseBook, useValue: leases },
      { provide: QuotaLeases, useValue: leases },
    ];
    return {
      module: AgentModule,
      imports: [
        ConfigModule.forRoot(config),
        RelayModule.forRoot({
          usageSink: SpoolUsageSink,
          routing: config.routing,
          metering: config.relayMetering,
          rateLimitStore: config.redisUrl ? { redisUrl: config.redisUrl, prefix: config.redisPrefix } : null,
          providers: shared,
        }),
      ],
      providers: [...shared, AgentSyncService],
      controllers: [AgentHealthController],
    };
  }
}
