import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';
import { NAME_MESSAGE, NAME_PATTERN } from './group.dto';

export class EnrollmentTokenCreateDto {
  @ApiProperty() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name: string;
  @ApiPropertyOptional({ description: 'bind enrolled agents to this region' }) @IsOptional() @IsString() @MaxLength(64) region?: string;
  @ApiPropertyOptional({ default: 1, nullable: true, description: 'omitted: single use; null: unlimited until expiry' })
  @IsOptional() @IsInt() @Min(1) @Max(100000) max_uses?: number | null;
  @ApiPropertyOptional({ default: 86400 }) @IsOptional() @IsInt() @Min(60) @Max(365 * 86400) expires_in_seconds?: number;
}

/** What an agent says when it enrolls (the enrollment token goes in the Authorization header). */
export class AgentEnrollDto {
  @ApiProperty({ description: 'unique agent name' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: 'must be 1-128 letters, digits, . _ - (starting with a letter or digit)' })
  name: string;
  @ApiPropertyOptional({ description: "the region it serves; an enrollment token bound to a region decides" })
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 letters, digits, . _ -' })
  region?: string;
  @ApiPropertyOptional({ description: 'its release' }) @IsOptional() @IsString() @MaxLength(64) build?: string;
}

export class AgentEnrollResponseDto {
  @ApiProperty() agent_id: string;
  @ApiProperty() name: string;
  @ApiProperty() region: string;
  @ApiProperty({ description: 'shown once; the master keeps only its hash' }) credential: string;
  @ApiProperty({ description: 'base64 key that opens channel secrets in sync traffic; shown once' }) sync_key: string;
}

export class AgentUsageDto {
  @ApiProperty({ type: 'array', items: {}, description: 'usage records (at most 1000): objects, or rows (arrays in the sync protocol\'s column order)' })
  @IsArray() @ArrayMaxSize(1000)
  records: unknown[];
}

export class AgentUsageResponseDto {
  @ApiProperty({ enum: ['settled', 'failed'] }) outcome: 'settled' | 'failed';
  @ApiProperty() accepted: number;
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { request_id: { type: 'string' }, reason: { type: 'string' } } } })
  refused: Array<{ request_id: string; reason: string }>;
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
  @ApiProperty({ description: 'versions behind the master\'s change log (null while offline)', nullable: true }) lag: number | null;
  @ApiProperty({ description: 'a sync session is open on some master and heartbeats arrive' }) online: boolean;
  @ApiProperty({ nullable: true }) last_seen_at: string | null;
  @ApiProperty({ nullable: true }) connected_at: string | null;
  @ApiProperty({ nullable: true }) revoked_at: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'from the latest heartbeat: requests_per_minute, errors_per_minute, spool_records, spool_oldest_age_ms, in_flight, uptime_seconds' })
  stats: Record<string, number | null>;
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
