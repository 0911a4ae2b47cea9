import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import { ModelCreateDto, ModelListQueryDto, ModelResponseDto, ModelUpdateDto } from '../dtos/model.dto';
import { ModelsService } from '../services/models.service';

@ApiTags('models')
@Controller('api/models')
export class ModelsController {
  constructor(private readonly service: ModelsService) {}

  @Get()
  @Access(Role.Operator, Role.Viewer, Role.User)
  list(@Query() query: ModelListQueryDto): Promise<Page<ModelResponseDto>> {
    return this.service.list(query);
  }

  @Get(':id')
  @Access(Role.Operator, Role.Viewer, Role.User)
  get(@Param('id', UUID_PARAM) id: string): Promise<ModelResponseDto> {
    return this.service.get(id);
  }

  @Post()
  @Access(Role.Operator)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: ModelCreateDto): Promise<ModelResponseDto> {
    return this.service.create(principal, dto);
  }

  @Patch(':id')
  @Access(Role.Operator)
  update(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string, @Body() dto: ModelUpdateDto): Promise<ModelResponseDto> {
    return this.service.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(Role.Operator)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.service.remove(principal, id);
  }
}
