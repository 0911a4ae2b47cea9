import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { FastifyRequest } from 'fastify';
import { Public } from '../auth/access.decorator';
import { AuthService, LoginResult } from '../auth/auth.service';

export class LoginDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(64) username: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) password: string;
}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOkResponse({ description: '{ access_token, token_type, expires_in }' })
  @ApiTooManyRequestsResponse({ description: 'too many failed attempts; see Retry-After' })
  login(@Body() dto: LoginDto, @Req() request: FastifyRequest): Promise<LoginResult> {
    return this.auth.login(dto.username, dto.password, request.ip);
  }
}
