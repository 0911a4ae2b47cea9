import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import { TokenCreateDto, TokenCreatedResponseDto, TokenListQueryDto, TokenResponseDto, TokenUpdateDto } from '../dtos/token.dto';
import { TokensService } from '../services/tokens.service';

/** API tokens. A `user` sees and manages only their own; other users' tokens answer 404. */
@ApiTags('tokens')
@Controller('api/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get()
  @Access(Role.Viewer, Role.User)
  list(@CurrentPrincipal() principal: Principal, @Query() query: TokenListQueryDto): Promise<Page<TokenResponseDto>> {
    return this.tokens.list(principal, query);
  }

  @Get(':id')
  @Access(Role.Viewer, Role.User)
  get(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<TokenResponseDto> {
    return this.tokens.get(principal, id);
  }

  @Post()
  @Access(Role.User)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: TokenCreateDto): Promise<TokenCreatedResponseDto> {
    return this.tokens.create(principal, dto);
  }

  @Patch(':id')
  @Access(Role.User)
  update(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string, @Body() dto: TokenUpdateDto): Promise<TokenResponseDto> {
    return this.tokens.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(Role.User)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.tokens.remove(principal, id);
  }
}
