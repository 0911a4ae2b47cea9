import { RateLimitsSchema } from '@aigw/config';
import { RateLimits } from '@aigw/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIP, IsIn, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';
import { NAME_MESSAGE, NAME_PATTERN } from './group.dto';
import { IsDateOnlyOrTimestamp, IsUsd } from './validators';

export class TokenCreateDto {
  @ApiProperty() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name: string;
  @ApiPropertyOptional({ description: 'owner; admins only (default: the caller)' }) @IsOptional() @IsUUID() user_id?: string;
  @ApiPropertyOptional({ description: 'budget in USD; admins only; omit for unlimited (bounded by the balance)' })
  @IsOptional() @IsUsd() quota_usd?: number | string;
  @ApiPropertyOptional({ type: [String], description: 'model allow-list; omit for all' })
  @IsOptional() @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(128, { each: true }) models?: string[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(100) @IsIP(undefined, { each: true }) ip_allowlist?: string[];
  @ApiPropertyOptional({ description: 'YYYY-MM-DD or ISO-8601' }) @IsOptional() @IsDateOnlyOrTimestamp() expires_at?: string;
  @ApiPropertyOptional({ type: [String], description: 'channel ids allowed to serve this token; admins only; omit for any' })
  @IsOptional() @IsArray() @ArrayMaxSize(500) @IsUUID(undefined, { each: true }) channels?: string[];
  @ApiPropertyOptional({ description: 'answers carry the x-aigw-route debug header; admins only', default: false }) @IsOptional() @IsBoolean() debug?: boolean;
  @ApiPropertyOptional({ type: Object, description: 'rate limits {rpm, tpm, concurrency} (docs/quota.md); admins only' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
}

export class TokenUpdateDto {
  @ApiPropertyOptional() @IsOptional() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name?: string;
  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled']) status?: 'active' | 'disabled';
  @ApiPropertyOptional({ nullable: true, description: 'admins only; null for unlimited' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsUsd() quota_usd?: number | string | null;
  @ApiPropertyOptional({ type: [String], nullable: true })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(128, { each: true }) models?: string[] | null;
  @ApiPropertyOptional({ type: [String], nullable: true })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsArray() @ArrayMaxSize(100) @IsIP(undefined, { each: true }) ip_allowlist?: string[] | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, value) => value !== null) @IsDateOnlyOrTimestamp() expires_at?: string | null;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'admins only; null for any channel' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsArray() @ArrayMaxSize(500) @IsUUID(undefined, { each: true }) channels?: string[] | null;
  @ApiPropertyOptional({ description: 'admins only' }) @IsOptional() @IsBoolean() debug?: boolean;
  @ApiPropertyOptional({ type: Object, description: 'rate limits {rpm, tpm, concurrency} (docs/quota.md); admins only; replaces the stored limits whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
}

export class TokenListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() user_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) name?: string;
  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled']) status?: string;
}

export class TokenResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'masked key' }) key_hint: string;
  @ApiProperty() user_id: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true }) quota_micros: number | null;
  @ApiProperty() used_micros: number;
  @ApiProperty({ nullable: true, type: [String] }) models: string[] | null;
  @ApiProperty({ nullable: true, type: [String] }) ip_allowlist: string[] | null;
  @ApiProperty({ nullable: true, type: [String] }) channels: string[] | null;
  @ApiProperty() debug: boolean;
  @ApiProperty({ type: Object, description: 'rate limits {rpm, tpm, concurrency}' }) limits: RateLimits;
  @ApiProperty({ nullable: true }) expires_at: string | null;
  @ApiProperty({ nullable: true }) last_used_at: string | null;
  @ApiProperty() created_at: string;
}

export class TokenCreatedResponseDto extends TokenResponseDto {
  @ApiProperty({ description: 'the API key; shown only in this response' }) key: string;
}
