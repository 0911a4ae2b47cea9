import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';
import { NAME_MESSAGE, NAME_PATTERN } from './group.dto';

export class RouteCreateDto {
  @ApiProperty({ description: 'logical model name clients ask for' }) @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) model: string;
  @ApiProperty() @IsUUID() channel_id: string;
  @ApiPropertyOptional({ description: "the channel's name for the model; default: the logical name after the channel's mapping" })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(256) upstream_model?: string;
  @ApiPropertyOptional({ default: 0 }) @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @IsInt() @Min(0) @Max(10000) weight?: number;
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

export class RouteUpdateDto {
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, value) => value !== null) @IsString() @MinLength(1) @MaxLength(256) upstream_model?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10000) weight?: number;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;
}

export class RouteListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) model?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() channel_id?: string;
}

export class RouteResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() model: string;
  @ApiProperty() channel_id: string;
  @ApiProperty({ nullable: true }) upstream_model: string | null;
  @ApiProperty() priority: number;
  @ApiProperty() weight: number;
  @ApiProperty() enabled: boolean;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}

export class RouteDryRunDto {
  @ApiProperty({ description: 'the logical model a client would name' }) @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) model: string;
  @ApiPropertyOptional({ description: "apply this token's (and its owner's group's) model and channel restrictions" }) @IsOptional() @IsUUID() token_id?: string;
}

export class RouteDryRunCandidateDto {
  @ApiProperty({ description: '1-based position in the expected order' }) order: number;
  @ApiProperty() priority: number;
  @ApiProperty() channel_id: string;
  @ApiProperty() channel_name: string;
  @ApiProperty() upstream_model: string;
  @ApiProperty() weight: number;
  @ApiProperty({ description: 'weight used for the draw (latency-aware when the strategy says so)' }) effective_weight: number;
  @ApiProperty({ description: 'probability of leading its tier' }) share: number;
  @ApiProperty({ enum: ['closed', 'open', 'half_open', 'saturated', 'disabled'] }) state: string;
  @ApiProperty({ description: 'whether a request now would try it' }) eligible: boolean;
}

export class RouteDryRunSettingsDto {
  @ApiProperty() max_attempts: number;
  @ApiProperty() max_channels: number;
  @ApiProperty() affinity: boolean;
  @ApiProperty({ enum: ['weighted', 'latency'] }) strategy: 'weighted' | 'latency';
}

export class RouteDryRunResponseDto {
  @ApiProperty() model: string;
  @ApiProperty() policy_version: number;
  @ApiProperty({ type: RouteDryRunSettingsDto }) settings: RouteDryRunSettingsDto;
  @ApiProperty({ type: [RouteDryRunCandidateDto] }) candidates: RouteDryRunCandidateDto[];
  @ApiPropertyOptional({ description: 'why the token may not use the model at all' }) refused?: string;
}
