import { JobQueue } from '@aigw/metering';
import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { FastifyReply } from 'fastify';
import { Public } from '../auth/access.decorator';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly queue: JobQueue,
  ) {}

  /** Liveness: the process answers. No dependencies are checked. */
  @Get('ping')
  @Public()
  ping(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: database, queue (and Redis behind it when configured). 503 when one is down. */
  @Get('api/health')
  @Public()
  @HealthCheck()
  async check(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 3000 }),
        async () => {
          const session = this.indicators.check('queue');
          const state = await this.queue.health();
          return state.ok ? session.up({ ...state }) : session.down({ ...state });
        },
      ]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        void reply.status(503);
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }
}
