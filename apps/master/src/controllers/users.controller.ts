import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import { BalanceAdjustmentDto, UserCreateDto, UserListQueryDto, UserResponseDto, UserUpdateDto } from '../dtos/user.dto';
import { UsersService } from '../services/users.service';

@ApiTags('users')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Access(Role.Viewer)
  list(@Query() query: UserListQueryDto): Promise<Page<UserResponseDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @Access(Role.Viewer)
  get(@Param('id', UUID_PARAM) id: string): Promise<UserResponseDto> {
    return this.users.get(id);
  }

  @Post()
  @Access(Role.Admin)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: UserCreateDto): Promise<UserResponseDto> {
    return this.users.create(principal, dto);
  }

  @Patch(':id')
  @Access(Role.Admin)
  update(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string, @Body() dto: UserUpdateDto): Promise<UserResponseDto> {
    return this.users.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(Role.Admin)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.users.remove(principal, id);
  }

  @Post(':id/balance-adjustments')
  @Access(Role.Admin)
  adjustBalance(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UUID_PARAM) id: string,
    @Body() dto: BalanceAdjustmentDto,
  ): Promise<UserResponseDto> {
    return this.users.adjustBalance(principal, id, dto);
  }
}
