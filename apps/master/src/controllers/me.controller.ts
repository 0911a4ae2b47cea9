import { Role } from '@aigw/contracts';
import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { PasswordChangeDto, UserResponseDto } from '../dtos/user.dto';
import { UsersService } from '../services/users.service';

const EVERYONE = [Role.Operator, Role.Viewer, Role.User];

@ApiTags('me')
@Controller('api/me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Access(...EVERYONE)
  me(@CurrentPrincipal() principal: Principal): Promise<UserResponseDto> {
    return this.users.get(principal.id);
  }

  @Put('password')
  @HttpCode(204)
  @Access(...EVERYONE)
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() dto: PasswordChangeDto): Promise<void> {
    await this.users.changeOwnPassword(principal, dto);
  }
}
