import { RoutingDefaults } from '@aigw/contracts';
import { HostResolver } from '@aigw/providers';
import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { AuxiliaryRelayService } from './auxiliary-relay.service';
import { MediaRelayService } from './media/media-relay.service';
import { ExchangeRunner } from './exchange-runner.service';
import { ChannelHealthRegistry, ChannelStatusSink, LogChannelStatusSink, ROUTING_DEFAULTS } from './channel-health';
import { PolicyStore } from './policy-store';
import { RelayService } from './relay.service';
import { RelayRoutes } from './relay.routes';
import { RATE_LIMIT_STORE, RateLimitService, RateLimitStore } from './rate-limits.service';
import { RELAY_METERING } from './relay-options';
import { RoutePlanner } from './route-plan';
import { TokenSelfService } from './token-self.service';
import { SpendLedger } from './spend-ledger';
import { UpstreamDispatcher } from './upstream-dispatcher.service';
import { UsageReporter } from './usage-reporter.service';
import { UsageSink } from './usage-sink';

export interface RelayModuleOptions {
  usageSink: Type<UsageSink>;
  /** Where auto-disable decisions go (default: the log). */
  channelStatusSink?: Type<ChannelStatusSink>;
  /** The config's resolved `routing:` section. */
  routing: RoutingDefaults;
  /** false: no usage records, quotas or rate limits (benchmarks only); default true. */
  metering?: boolean;
  /** Rate-limit counters in Redis (shared), or null for this process only. */
  rateLimitStore?: RateLimitStore | null;
  imports?: DynamicModule['imports'];
  /** What the sinks need besides the relay (e.g. the remote agent's spool). */
  providers?: Provider[];
}

/**
 * The data plane: the same module in the standalone agent and in the
 * master's embedded agent; only the sinks (and who feeds the PolicyStore)
 * differ.
 */
@Module({})
export class RelayModule {
  static forRoot(options: RelayModuleOptions): DynamicModule {
    return {
      module: RelayModule,
      imports: options.imports ?? [],
      providers: [
        PolicyStore,
        { provide: ROUTING_DEFAULTS, useValue: options.routing },
        { provide: RATE_LIMIT_STORE, useValue: options.rateLimitStore ?? null },
        { provide: RELAY_METERING, useValue: options.metering ?? true },
        RateLimitService,
        { provide: ChannelStatusSink, useClass: options.channelStatusSink ?? LogChannelStatusSink },
        ChannelHealthRegistry,
        RoutePlanner,
        SpendLedger,
        // One resolver for every address check (channel saves, upstream connections), so tests can answer for it.
        { provide: HostResolver, useValue: new HostResolver() },
        UpstreamDispatcher,
        UsageReporter,
        ExchangeRunner,
        RelayService,
        AuxiliaryRelayService,
        MediaRelayService,
        RelayRoutes,
        TokenSelfService,
        { provide: UsageSink, useClass: options.usageSink },
        ...(options.providers ?? []),
      ],
      exports: [PolicyStore, ChannelHealthRegistry, RoutePlanner, UpstreamDispatcher, SpendLedger, UsageSink, HostResolver],
    };
  }
}
