import { Page, Role } from '@aigw/contracts';
import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { AuditListQueryDto, RollupListQueryDto, UsageListQueryDto } from '../dtos/usage.dto';
import { UsageService } from '../services/usage.service';

@ApiTags('usage')
@Controller('api')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /** One row per metered request; a `user` sees only their own. */
  @Get('usage')
  @Access(Role.Operator, Role.Viewer, Role.User)
  list(@CurrentPrincipal() principal: Principal, @Query() query: UsageListQueryDto): Promise<Page<Record<string, unknown>>> {
    return this.usage.listUsage(principal, query);
  }

  /** The usage log as CSV (same filters; a `user` gets only their own; formula-escaped). */
  @Get('usage/export.csv')
  @Access(Role.Operator, Role.Viewer, Role.User)
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="usage.csv"')
  @ApiProduces('text/csv')
  exportCsv(@CurrentPrincipal() principal: Principal, @Query() query: UsageListQueryDto): Promise<string> {
    return this.usage.exportUsageCsv(principal, query);
  }

  /** Sums per UTC day, token, user, channel and model. */
  @Get('usage/daily')
  @Access(Role.Operator, Role.Viewer, Role.User)
  daily(@CurrentPrincipal() principal: Principal, @Query() query: RollupListQueryDto): Promise<Page<Record<string, unknown>>> {
    return this.usage.listRollups(principal, query);
  }

  @Get('audit')
  @Access(Role.Operator, Role.Viewer)
  audit(@Query() query: AuditListQueryDto): Promise<Page<Record<string, unknown>>> {
    return this.usage.listAudit(query);
  }
}
