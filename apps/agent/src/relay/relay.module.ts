import { DynamicModule, Module, Type } from '@nestjs/common';
import { PolicyStore } from './policy-store';
import { RelayController } from './relay.controller';
import { RelayService } from './relay.service';
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
      controllers: [RelayController],
      providers: [PolicyStore, RelayService, { provide: UsageSink, useClass: options.usageSink }],
      exports: [PolicyStore],
    };
  }
}
