import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, AgentCredential, CurrentPrincipal } from '../auth/access.decorator';
import { AgentCredentialGuard, AgentRequest, EnrollmentTokenGuard } from '../auth/agent-auth.guards';
import { Principal } from '../auth/principal';
import { ListQueryDto } from '../common/list-query.dto';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import {
  AgentEnrollDto,
  AgentEnrollResponseDto,
  AgentListQueryDto,
  AgentResponseDto,
  AgentUsageDto,
  AgentUsageResponseDto,
  EnrollmentTokenCreateDto,
  EnrollmentTokenResponseDto,
} from '../dtos/agent.dto';
import { AgentsService } from '../services/agents.service';
import { SyncHub } from '../sync/sync-hub.service';



@ApiTags('agents')
@Controller('api/agents')
export class AgentsController {
  constructor(
    private readonly agents: AgentsService,
    private readonly hub: SyncHub,
  ) {}

  /** An agent's first call: `Authorization: Bearer <enrollment token>`; answers its credential once. */
  @Post('enroll')
  @AgentCredential()
  @UseGuards(EnrollmentTokenGuard)
  enroll(@Req() request: AgentRequest, @Body() dto: AgentEnrollDto): Promise<AgentEnrollResponseDto> {
    return this.agents.enroll(request.enrollmentToken!, dto);
  }

  /**
   * Usage from an agent (`Authorization: Bearer <agent credential>`), answered once settled. Agents ship
   * usage over their sync session; this is the way left to a revoked one for what it metered before.
   */
  @Post('usage')
  @AgentCredential()
  @HttpCode(200)
  @UseGuards(AgentCredentialGuard)
  usage(@Req() request: AgentRequest, @Body() dto: AgentUsageDto): Promise<AgentUsageResponseDto> {
    return this.hub.settleFromAgent(request.agent!, dto.records);
  }

  @Get()
  @Access(Role.Operator, Role.Viewer)
  list(@Query() query: AgentListQueryDto): Promise<Page<AgentResponseDto>> {
    return this.agents.list(query);
  }

  @Get('enrollment-tokens')
  @Access(Role.Operator)
  listEnrollmentTokens(@Query() query: ListQueryDto): Promise<Page<EnrollmentTokenResponseDto>> {
    return this.agents.listEnrollmentTokens(query);
  }

  /** Answers the token once as `{ "token": "..." }`; only its hash is stored. */
  @Post('enrollment-tokens')
  @Access(Role.Operator)
  createEnrollmentToken(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: EnrollmentTokenCreateDto,
  ): Promise<EnrollmentTokenResponseDto & { token: string }> {
    return this.agents.createEnrollmentToken(principal, dto);
  }

  @Delete('enrollment-tokens/:id')
  @HttpCode(204)
  @Access(Role.Operator)
  async revokeEnrollmentToken(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.agents.revokeEnrollmentToken(principal, id);
  }

  @Get(':id')
  @Access(Role.Operator, Role.Viewer)
  get(@Param('id', UUID_PARAM) id: string): Promise<AgentResponseDto> {
    return this.agents.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(Role.Operator)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.agents.revoke(principal, id);
  }
}
