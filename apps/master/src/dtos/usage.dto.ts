import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsCalendarDay } from './validators';
import { ListQueryDto } from '../common/list-query.dto';

export class UsageListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() user_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() token_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() channel_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) model?: string;
  @ApiPropertyOptional({ description: "the client's own request id (X-Client-Request-Id / X-Request-Id)" }) @IsOptional() @IsString() @MaxLength(128) client_request_id?: string;
  @ApiPropertyOptional({ description: 'ISO-8601, inclusive' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: 'ISO-8601, exclusive' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

export class RollupListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() user_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() token_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() channel_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) model?: string;
  @ApiPropertyOptional({ description: 'YYYY-MM-DD, inclusive' }) @IsOptional() @IsCalendarDay() from?: string;
  @ApiPropertyOptional({ description: 'YYYY-MM-DD, inclusive' }) @IsOptional() @IsCalendarDay() to?: string;
}

export class AuditListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) entity?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) entity_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() actor_id?: string;
}
