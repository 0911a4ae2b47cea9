import { AppConfig } from '@aigw/config';
import { Controller, DynamicModule, Get, Module } from '@nestjs/common';
import { LogUsageSink } from './log-usage.sink';
import { RelayModule } from './relay';

@Controller()
export class AgentHealthController {
  /** Liveness of the data plane. */
  @Get('ping')
  ping(): { status: 'ok'; role: 'agent' } {
    return { status: 'ok', role: 'agent' };
  }
}

/**
 * The standalone data-plane process: the same RelayModule the master embeds.
 * Its policy arrives over the sync protocol (the master/agent issue); until
 * then it starts empty and refuses every key.
 */
@Module({})
export class AgentModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AgentModule,
      imports: [RelayModule.forRoot({
          usageSink: LogUsageSink,
          routing: config.routing,
          metering: config.relayMetering,
          rateLimitStore: config.redisUrl ? { redisUrl: config.redisUrl, prefix: config.redisPrefix } : null,
        }),],
      controllers: [AgentHealthController],
    };
  }
}
