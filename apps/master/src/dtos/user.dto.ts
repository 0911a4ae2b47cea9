import { RateLimitsSchema } from '@aigw/config';
import { RateLimits, Role } from '@aigw/contracts';
import { Type } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';
import { IsUsd } from './validators';

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
const USERNAME_MESSAGE = 'must be 2-64 letters, digits, . _ -, starting with a letter or digit';

export class UserCreateDto {
  @ApiProperty() @Matches(USERNAME, { message: USERNAME_MESSAGE }) username: string;
  @ApiPropertyOptional({ description: 'omit for a user that only owns API tokens' })
  @IsOptional() @IsString() @MinLength(8) @MaxLength(256) password?: string;
  @ApiPropertyOptional({ enum: Role, default: Role.User }) @IsOptional() @IsIn(Object.values(Role)) role?: Role;
  @ApiPropertyOptional() @IsOptional() @IsUUID() group_id?: string;
  @ApiPropertyOptional({ description: 'initial balance in USD (up to 6 decimals)' }) @IsOptional() @IsUsd() balance_usd?: number | string;
  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled']) status?: 'active' | 'disabled';
  @ApiPropertyOptional({ type: Object, description: 'rate limits {rpm, tpm, concurrency} (docs/quota.md); replaces the stored limits whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
}

export class UserUpdateDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MinLength(8) @MaxLength(256) password?: string;
  @ApiPropertyOptional({ enum: Role }) @IsOptional() @IsIn(Object.values(Role)) role?: Role;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUUID() group_id?: string | null;
  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled']) status?: 'active' | 'disabled';
  @ApiPropertyOptional({ type: Object, description: 'rate limits {rpm, tpm, concurrency} (docs/quota.md); replaces the stored limits whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
}

export class BalanceAdjustmentDto {
  @ApiProperty({ description: 'signed USD amount, e.g. "25" or "-1.5"' })
  @Matches(/^-?\d{1,9}(\.\d{1,6})?$/, { message: 'must be a signed decimal USD amount with at most 6 decimals' })
  amount_usd: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(500) note: string;
}

export class PasswordChangeDto {
  @ApiProperty() @IsString() @MaxLength(256) current_password: string;
  @ApiProperty() @IsString() @MinLength(8) @MaxLength(256) new_password: string;
}

export class UserListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) username?: string;
  @ApiPropertyOptional({ enum: Role }) @IsOptional() @IsIn(Object.values(Role)) role?: Role;
  @ApiPropertyOptional() @IsOptional() @IsUUID() group_id?: string;
}

export class UserResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty({ enum: Role }) role: Role;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true }) group_id: string | null;
  @ApiProperty() balance_micros: number;
  @ApiProperty() balance_usd: string;
  @ApiProperty({ type: Object, description: 'rate limits {rpm, tpm, concurrency}' }) limits: RateLimits;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
