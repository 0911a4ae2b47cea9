import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { ListQueryDto } from '../common/list-query.dto';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import { AgentListQueryDto, AgentResponseDto, EnrollmentTokenCreateDto, EnrollmentTokenResponseDto } from '../dtos/agent.dto';
import { AgentsService } from '../services/agents.service';

@ApiTags('agents')
@Controller('api/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

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
