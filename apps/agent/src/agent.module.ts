import { Controller, Get, Module } from '@nestjs/common';

@Controller()
export class AgentHealthController {
  /** Liveness of the data plane. */
  @Get('ping')
  ping(): { status: 'ok'; role: 'agent' } {
    return { status: 'ok', role: 'agent' };
  }
}

/**
 * The data plane process. It serves /ping today; the /v1 relay, the policy
 * cache and the sync client join it with their issues (see DESIGN.md).
 */
@Module({ controllers: [AgentHealthController] })
export class AgentModule {}
