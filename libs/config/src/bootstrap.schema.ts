import { ChannelSettingsSchema, ModelRoutingSchema, RateLimitsSchema } from './routing.schema';
import { PROVIDER_TYPES, Role } from '@aigw/contracts';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsDateOnlyOrTimestamp, IsStringRecord, IsUsd } from './validators';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,127}$/;
const NAME_MESSAGE = 'must be 1-128 characters of letters, digits and . _ : / -, starting with a letter or digit';

export class BootstrapGroup {
  @Matches(NAME, { message: NAME_MESSAGE }) name: string;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1000) ratio?: number;
  @IsOptional() @IsString() @MaxLength(500) description?: string;
  @IsOptional() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
  @IsOptional() @IsBoolean() delete?: boolean;
}

export class BootstrapUser {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, { message: 'must be 2-64 letters, digits, . _ -' }) username: string;
  @IsOptional() @IsString() @MinLength(8) @MaxLength(256) password?: string;
  @IsOptional() @IsString() group?: string;
  @IsOptional() @IsIn(Object.values(Role)) role?: Role;
  /** Applied when the user is created; later balance changes are live state. */
  @IsOptional() @IsUsd() balance_usd?: number | string;
  @IsOptional() @IsIn(['active', 'disabled']) status?: 'active' | 'disabled';
  @IsOptional() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
  @IsOptional() @IsBoolean() delete?: boolean;
}

export class BootstrapChannel {
  @Matches(NAME, { message: NAME_MESSAGE }) name: string;
  @IsOptional() @IsIn(PROVIDER_TYPES as unknown as string[]) type?: string;
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }) base_url?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(8192) key?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) models?: string[];
  @IsOptional() @IsStringRecord() model_mapping?: Record<string, string>;
  @IsOptional() @IsStringRecord() headers?: Record<string, string>;
  @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10000) weight?: number;
  @IsOptional() @IsString() @MaxLength(64) region?: string;
  @IsOptional() @IsIn(['enabled', 'disabled']) status?: 'enabled' | 'disabled';
  @IsOptional() @ValidateNested() @Type(() => ChannelSettingsSchema) settings?: ChannelSettingsSchema;
  @IsOptional() @IsBoolean() delete?: boolean;
}

export class BootstrapPrice {
  @ValidateIf((_, value) => value !== undefined) @IsUsd() input?: number | string;
  @ValidateIf((_, value) => value !== undefined) @IsUsd() output?: number | string;
  @IsOptional() @IsUsd() cached_input?: number | string;
  @IsOptional() @IsUsd() cache_write?: number | string;
  /** Per image, per second of audio, per 1M speech characters, per rerank search unit. */
  @IsOptional() @IsUsd() image?: number | string;
  @IsOptional() @IsUsd() audio_second?: number | string;
  @IsOptional() @IsUsd() character?: number | string;
  @IsOptional() @IsUsd() search_unit?: number | string;
}

export class BootstrapModel {
  @Matches(NAME, { message: NAME_MESSAGE }) name: string;
  @IsOptional() @ValidateNested() @Type(() => BootstrapPrice) price?: BootstrapPrice;
  @IsOptional() @IsString() @MaxLength(500) description?: string;
  @IsOptional() @ValidateNested() @Type(() => ModelRoutingSchema) routing?: ModelRoutingSchema;
  @IsOptional() @IsBoolean() delete?: boolean;
}

export class BootstrapRoute {
  @Matches(NAME, { message: NAME_MESSAGE }) model: string;
  @Matches(NAME, { message: NAME_MESSAGE }) channel: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(256) upstream_model?: string;
  @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10000) weight?: number;
  @IsOptional() @IsBoolean() delete?: boolean;
}

export class BootstrapToken {
  @Matches(NAME, { message: NAME_MESSAGE }) name: string;
  @IsOptional() @Matches(/^sk-[A-Za-z0-9_-]{16,200}$/, { message: 'must look like sk-… with at least 16 characters after sk-' }) key?: string;
  @IsOptional() @IsString() user?: string;
  @IsOptional() @IsUsd() quota_usd?: number | string;
  @IsOptional() @IsArray() @IsString({ each: true }) models?: string[];
  @IsOptional() @IsDateOnlyOrTimestamp() expires_at?: string;
  @IsOptional() @IsIn(['active', 'disabled']) status?: 'active' | 'disabled';
  @IsOptional() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
  @IsOptional() @IsBoolean() delete?: boolean;
}

export class BootstrapConfig {
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => BootstrapGroup) groups?: BootstrapGroup[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => BootstrapUser) users?: BootstrapUser[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => BootstrapChannel) channels?: BootstrapChannel[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => BootstrapModel) models?: BootstrapModel[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => BootstrapRoute) routes?: BootstrapRoute[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => BootstrapToken) tokens?: BootstrapToken[];
}
