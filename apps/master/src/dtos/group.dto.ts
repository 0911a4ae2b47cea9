import { RateLimitsSchema } from '@aigw/config';
import { RateLimits } from '@aigw/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNumber, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,127}$/;
export const NAME_MESSAGE = 'must be 1-128 letters, digits and . _ : / -, starting with a letter or digit';

export class GroupCreateDto {
  @ApiProperty() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name: string;
  @ApiPropertyOptional({ description: 'price multiplier, 0-1000, up to 6 decimals', default: 1 })
  @IsOptional() @IsNumber({ maxDecimalPlaces: 6, allowNaN: false, allowInfinity: false }) @Min(0) @Max(1000) ratio?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'logical models members may use; null/omitted: all' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(128, { each: true }) models?: string[] | null;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'channel ids allowed to serve members; null/omitted: any' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsArray() @ArrayMaxSize(500) @IsUUID(undefined, { each: true }) channels?: string[] | null;
  @ApiPropertyOptional({ type: Object, description: 'rate limits shared by all members {rpm, tpm, concurrency} (docs/quota.md); replaces the stored limits whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
}

export class GroupUpdateDto {
  @ApiPropertyOptional() @IsOptional() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber({ maxDecimalPlaces: 6, allowNaN: false, allowInfinity: false }) @Min(0) @Max(1000) ratio?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'logical models members may use; null/omitted: all' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsArray() @ArrayMaxSize(500) @IsString({ each: true }) @MaxLength(128, { each: true }) models?: string[] | null;
  @ApiPropertyOptional({ type: [String], nullable: true, description: 'channel ids allowed to serve members; null/omitted: any' })
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsArray() @ArrayMaxSize(500) @IsUUID(undefined, { each: true }) channels?: string[] | null;
  @ApiPropertyOptional({ type: Object, description: 'rate limits shared by all members {rpm, tpm, concurrency} (docs/quota.md); replaces the stored limits whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RateLimitsSchema) limits?: RateLimitsSchema;
}

export class GroupListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'substring of the name' }) @IsOptional() @IsString() @MaxLength(128) name?: string;
}

export class GroupResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() ratio: number;
  @ApiProperty() description: string;
  @ApiProperty({ nullable: true, type: [String] }) models: string[] | null;
  @ApiProperty({ nullable: true, type: [String] }) channels: string[] | null;
  @ApiProperty({ type: Object, description: 'rate limits {rpm, tpm, concurrency}' }) limits: RateLimits;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
