import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import { GroupCreateDto, GroupListQueryDto, GroupResponseDto, GroupUpdateDto } from '../dtos/group.dto';
import { GroupsService } from '../services/groups.service';

@ApiTags('groups')
@Controller('api/groups')
export class GroupsController {
  constructor(private readonly service: GroupsService) {}

  @Get()
  @Access(Role.Operator, Role.Viewer)
  list(@Query() query: GroupListQueryDto): Promise<Page<GroupResponseDto>> {
    return this.service.list(query);
  }

  @Get(':id')
  @Access(Role.Operator, Role.Viewer)
  get(@Param('id', UUID_PARAM) id: string): Promise<GroupResponseDto> {
    return this.service.get(id);
  }

  @Post()
  @Access(Role.Admin)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: GroupCreateDto): Promise<GroupResponseDto> {
    return this.service.create(principal, dto);
  }

  @Patch(':id')
  @Access(Role.Admin)
  update(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string, @Body() dto: GroupUpdateDto): Promise<GroupResponseDto> {
    return this.service.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(Role.Admin)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.service.remove(principal, id);
  }
}
