import { Role } from '@aigw/contracts';
import { JobQueue } from '@aigw/metering';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { ApiException } from '../common/api.exception';
import { AuditService } from '../services/audit.service';

export class FailedJobsQueryDto {
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit: number = 50;
}

export class FailedJobDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['settle-usage', 'settle-usage-batch', 'rollup-daily'] }) name: string;
  @ApiProperty({ description: 'the last error' }) reason: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true }) failed_at: string | null;
  @ApiProperty({ description: 'usage records the job carries (0 for a rollup)' }) records: number;
}

export class FailedJobListDto {
  @ApiProperty({ type: [FailedJobDto] }) data: FailedJobDto[];
}

/**
 * The settlement queue's dead letters: jobs that failed their last attempt
 * (kept a week on BullMQ, with their usage records), and a retry for each.
 * Settlement is idempotent by request id, so a retry never charges twice.
 */
@ApiTags('settlement')
@Controller('api/settlement')
export class SettlementController {
  constructor(
    private readonly queue: JobQueue,
    private readonly audit: AuditService,
  ) {}

  @Get('failed')
  @Access(Role.Operator, Role.Viewer)
  async failed(@Query() query: FailedJobsQueryDto): Promise<FailedJobListDto> {
    const jobs = await this.queue.failedJobs(query.limit);
    return { data: jobs.map((job) => ({ id: job.id, name: job.name, reason: job.reason, attempts: job.attempts, failed_at: job.failedAt, records: job.records })) };
  }

  @Post('failed/:id/retry')
  @HttpCode(202)
  @Access()
  async retry(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ id: string; status: 'queued' }> {
    if (!/^[A-Za-z0-9._:-]{1,200}$/.test(id) || !(await this.queue.retryFailed(id))) throw ApiException.notFound('failed job');
    await this.audit.record(principal, 'retry', 'settlement-job', id);
    return { id, status: 'queued' };
  }
}
