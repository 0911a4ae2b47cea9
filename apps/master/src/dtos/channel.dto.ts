import { ChannelSettingsSchema } from '@aigw/config';
import { ChannelSettings, PROVIDER_TYPES } from '@aigw/contracts';
import { Type } from 'class-transformer';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';
import { NAME_MESSAGE, NAME_PATTERN } from './group.dto';
import { IsStringRecord } from './validators';

const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

export class ChannelCreateDto {
  @ApiProperty() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name: string;
  @ApiProperty({ enum: PROVIDER_TYPES }) @IsIn(PROVIDER_TYPES as unknown as string[]) type: string;
  @ApiPropertyOptional({ description: "the provider's base URL as its official SDK takes it; default: the provider type's (GET /api/providers), required for types without one" })
  @IsOptional() @IsUrl(URL_OPTIONS) @MaxLength(2048) base_url?: string;
  @ApiPropertyOptional({ description: 'upstream API key; write-only, stored encrypted' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(8192) key?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(128, { each: true }) models?: string[];
  @ApiPropertyOptional({ description: 'logical model → upstream model' }) @IsOptional() @IsStringRecord() model_mapping?: Record<string, string>;
  @ApiPropertyOptional({ description: 'extra headers sent upstream' }) @IsOptional() @IsStringRecord() headers?: Record<string, string>;
  @ApiPropertyOptional({ default: 0, description: 'larger is tried first' }) @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @IsInt() @Min(0) @Max(10000) weight?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) region?: string;
  @ApiPropertyOptional({ enum: ['enabled', 'disabled'] }) @IsOptional() @IsIn(['enabled', 'disabled']) status?: 'enabled' | 'disabled';
  @ApiPropertyOptional({ type: Object, description: 'limits, timeouts and circuit breaker (docs/routing.md); replaces the stored settings whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ChannelSettingsSchema) settings?: ChannelSettingsSchema;
}

export class ChannelUpdateDto {
  @ApiPropertyOptional() @IsOptional() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name?: string;
  @ApiPropertyOptional({ enum: PROVIDER_TYPES }) @IsOptional() @IsIn(PROVIDER_TYPES as unknown as string[]) type?: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl(URL_OPTIONS) @MaxLength(2048) base_url?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, value) => value !== null) @IsString() @MinLength(1) @MaxLength(8192) key?: string | null;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @MaxLength(128, { each: true }) models?: string[];
  @ApiPropertyOptional() @IsOptional() @IsStringRecord() model_mapping?: Record<string, string>;
  @ApiPropertyOptional() @IsOptional() @IsStringRecord() headers?: Record<string, string>;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10000) weight?: number;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, value) => value !== null) @IsString() @MaxLength(64) region?: string | null;
  @ApiPropertyOptional({ enum: ['enabled', 'disabled'] }) @IsOptional() @IsIn(['enabled', 'disabled']) status?: 'enabled' | 'disabled';
  @ApiPropertyOptional({ type: Object, description: 'limits, timeouts and circuit breaker (docs/routing.md); replaces the stored settings whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ChannelSettingsSchema) settings?: ChannelSettingsSchema;
}

export class ChannelListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) name?: string;
  @ApiPropertyOptional({ enum: PROVIDER_TYPES }) @IsOptional() @IsIn(PROVIDER_TYPES as unknown as string[]) type?: string;
  @ApiPropertyOptional({ enum: ['enabled', 'disabled', 'auto_disabled'] }) @IsOptional() @IsIn(['enabled', 'disabled', 'auto_disabled']) status?: string;
  @ApiPropertyOptional({ description: 'channels serving this model' }) @IsOptional() @IsString() @MaxLength(128) model?: string;
}

export class ChannelResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() type: string;
  @ApiProperty() base_url: string;
  @ApiProperty({ nullable: true, description: 'masked key' }) key_hint: string | null;
  @ApiProperty({ type: [String] }) models: string[];
  @ApiProperty() model_mapping: Record<string, string>;
  @ApiProperty({ description: 'header names only; values are not echoed' }) headers: string[];
  @ApiProperty() priority: number;
  @ApiProperty() weight: number;
  @ApiProperty({ nullable: true }) region: string | null;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true, description: 'why the gateway disabled it (auto_disabled)' }) status_reason: string | null;
  @ApiProperty({ type: Object, description: 'limits, timeouts and circuit breaker (docs/routing.md)' }) settings: ChannelSettings;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class ChannelTestDto {
  @ApiPropertyOptional({ description: "logical model to ask for (mapped like a request); default: the channel's first model or route" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128) model?: string;
}

export class ChannelTestResponseDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ nullable: true, type: Number, description: "the upstream's HTTP status; null when unreachable" }) status: number | null;
  @ApiProperty() latency_ms: number;
  @ApiPropertyOptional({ description: 'error class when not ok (authentication, rate_limit, timeout, upstream, …)' }) error?: string;
  @ApiPropertyOptional({ description: "the gateway's description; the upstream's body is never echoed" }) message?: string;
  @ApiProperty() model: string;
}
