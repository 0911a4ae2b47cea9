import { DynamicModule, Module, Type } from '@nestjs/common';
import { PolicyStore } from './policy-store';
import { AuxiliaryRelayService } from './auxiliary-relay.service';
import { RelayService } from './relay.service';
import { RelayRoutes } from './relay.routes';
import { UpstreamDispatcher } from './upstream-dispatcher.service';
import { UsageReporter } from './usage-reporter.service';
import { UsageSink } from './usage-sink';

/**
 * The data plane: the same module in the standalone agent and in the
 * master's embedded agent; only the usage sink (and who feeds the
 * PolicyStore) differ.
 */
@Module({})
export class RelayModule {
  static forRoot(options: { usageSink: Type<UsageSink>; imports?: DynamicModule['imports'] }): DynamicModule {
    return {
      module: RelayModule,
      imports: options.imports ?? [],
      providers: [
        PolicyStore,
        UpstreamDispatcher,
        UsageReporter,
        RelayService,
        AuxiliaryRelayService,
        RelayRoutes,
        { provide: UsageSink, useClass: options.usageSink },
      ],
      exports: [PolicyStore],
    };
  }
}
