import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import { ChannelHealthRegistry, PolicyStore, assertModelAllowed, callerForToken, dryRunRoute } from '../../../agent/src/relay';
import { ApiException } from '../common/api.exception';
import { RouteCreateDto, RouteDryRunDto, RouteDryRunResponseDto, RouteListQueryDto, RouteResponseDto, RouteUpdateDto } from '../dtos/route.dto';
import { RoutesService } from '../services/routes.service';

@ApiTags('routes')
@Controller('api/routes')
export class RoutesController {
  constructor(
    private readonly service: RoutesService,
    private readonly policy: PolicyStore,
    private readonly health: ChannelHealthRegistry,
  ) {}

  /**
   * What the embedded agent would do for a model (and a token): candidates in
   * expected order, shares, circuit and saturation state. Nothing is sent.
   */
  @Post('dry-run')
  @HttpCode(200)
  @Access(Role.Operator, Role.Viewer)
  dryRun(@Body() dto: RouteDryRunDto): RouteDryRunResponseDto {
    const policy = this.policy.current;
    let caller = null;
    if (dto.token_id) {
      caller = callerForToken(policy, dto.token_id);
      if (!caller) throw ApiException.notFound('token');
      try {
        assertModelAllowed(caller, dto.model);
      } catch (error) {
        return { ...dryRunRoute(policy, this.health, dto.model, caller), candidates: [], refused: (error as Error).message };
      }
    }
    return dryRunRoute(policy, this.health, dto.model, caller);
  }

  @Get()
  @Access(Role.Operator, Role.Viewer)
  list(@Query() query: RouteListQueryDto): Promise<Page<RouteResponseDto>> {
    return this.service.list(query);
  }

  @Get(':id')
  @Access(Role.Operator, Role.Viewer)
  get(@Param('id', UUID_PARAM) id: string): Promise<RouteResponseDto> {
    return this.service.get(id);
  }

  @Post()
  @Access(Role.Operator)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: RouteCreateDto): Promise<RouteResponseDto> {
    return this.service.create(principal, dto);
  }

  @Patch(':id')
  @Access(Role.Operator)
  update(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string, @Body() dto: RouteUpdateDto): Promise<RouteResponseDto> {
    return this.service.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(Role.Operator)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.service.remove(principal, id);
  }
}
