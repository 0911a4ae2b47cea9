import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';
import { NAME_MESSAGE, NAME_PATTERN } from './group.dto';

export class EnrollmentTokenCreateDto {
  @ApiProperty() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name: string;
  @ApiPropertyOptional({ description: 'bind enrolled agents to this region' }) @IsOptional() @IsString() @MaxLength(64) region?: string;
  @ApiPropertyOptional({ default: 1, nullable: true, description: 'omitted: single use; null: unlimited until expiry' })
  @IsOptional() @IsInt() @Min(1) @Max(100000) max_uses?: number | null;
  @ApiPropertyOptional({ default: 86400 }) @IsOptional() @IsInt() @Min(60) @Max(365 * 86400) expires_in_seconds?: number;
}

export class AgentListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) region?: string;
}

export class AgentResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() region: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true }) version: string | null;
  @ApiProperty() applied_policy_version: number;
  @ApiProperty({ nullable: true }) last_seen_at: string | null;
  @ApiProperty() created_at: string;
}

export class EnrollmentTokenResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() token_hint: string;
  @ApiProperty({ nullable: true }) region: string | null;
  @ApiProperty({ nullable: true }) max_uses: number | null;
  @ApiProperty() uses: number;
  @ApiProperty({ nullable: true }) expires_at: string | null;
  @ApiProperty({ nullable: true }) revoked_at: string | null;
  @ApiProperty() created_at: string;
}
