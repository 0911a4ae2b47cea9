import { ModelRoutingSchema } from '@aigw/config';
import { ModelRouting } from '@aigw/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { ListQueryDto } from '../common/list-query.dto';
import { NAME_MESSAGE, NAME_PATTERN } from './group.dto';
import { IsUsd } from './validators';

/** USD per 1M tokens (per unit for the media prices), up to 6 decimals. */
export class ModelPriceDto {
  // input and output always have a price (0 is a price); null is refused, not stored.
  @ApiPropertyOptional() @ValidateIf((_, value) => value !== undefined) @IsUsd() input?: number | string;
  @ApiPropertyOptional() @ValidateIf((_, value) => value !== undefined) @IsUsd() output?: number | string;
  @ApiPropertyOptional({ nullable: true, description: 'null: not offered' }) @IsOptional() @IsUsd() cached_input?: number | string | null;
  @ApiPropertyOptional({ nullable: true, description: 'null: not offered' }) @IsOptional() @IsUsd() cache_write?: number | string | null;
  @ApiPropertyOptional({ nullable: true, description: 'USD per generated image (when the upstream reports no tokens); null: free' }) @IsOptional() @IsUsd() image?: number | string | null;
  @ApiPropertyOptional({ nullable: true, description: 'USD per second of transcribed or translated audio (when the upstream reports no tokens); null: free' })
  @IsOptional() @IsUsd() audio_second?: number | string | null;
  @ApiPropertyOptional({ nullable: true, description: 'USD per 1M characters turned into speech; null: free' }) @IsOptional() @IsUsd() character?: number | string | null;
  @ApiPropertyOptional({ nullable: true, description: 'USD per rerank search unit; null: free' }) @IsOptional() @IsUsd() search_unit?: number | string | null;
}

export class ModelCreateDto {
  @ApiProperty() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name: string;
  @ApiPropertyOptional({ type: ModelPriceDto }) @IsOptional() @ValidateNested() @Type(() => ModelPriceDto) price?: ModelPriceDto;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ type: Object, description: 'retries, affinity and strategy for this model (docs/routing.md); replaces the stored routing whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ModelRoutingSchema) routing?: ModelRoutingSchema;
}

export class ModelUpdateDto {
  @ApiPropertyOptional() @IsOptional() @Matches(NAME_PATTERN, { message: NAME_MESSAGE }) name?: string;
  @ApiPropertyOptional({ type: ModelPriceDto }) @IsOptional() @ValidateNested() @Type(() => ModelPriceDto) price?: ModelPriceDto;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) description?: string;
  @ApiPropertyOptional({ type: Object, description: 'retries, affinity and strategy for this model (docs/routing.md); replaces the stored routing whole' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ModelRoutingSchema) routing?: ModelRoutingSchema;
}

export class ModelListQueryDto extends ListQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) name?: string;
}

export class ModelPriceResponseDto {
  @ApiProperty({ description: 'micro-USD per 1M input tokens' }) input_micros: number;
  @ApiProperty() output_micros: number;
  @ApiProperty({ nullable: true }) cached_input_micros: number | null;
  @ApiProperty({ nullable: true }) cache_write_micros: number | null;
  @ApiProperty({ nullable: true, description: 'micro-USD per image' }) image_micros: number | null;
  @ApiProperty({ nullable: true, description: 'micro-USD per second of audio' }) audio_second_micros: number | null;
  @ApiProperty({ nullable: true, description: 'micro-USD per 1M speech characters' }) character_micros: number | null;
  @ApiProperty({ nullable: true, description: 'micro-USD per rerank search unit' }) search_unit_micros: number | null;
}

export class ModelResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: ModelPriceResponseDto }) price: ModelPriceResponseDto;
  @ApiProperty() description: string;
  @ApiProperty({ type: Object, description: 'retries, affinity and strategy (docs/routing.md)' }) routing: ModelRouting;
  @ApiProperty() created_at: string;
  @ApiProperty() updated_at: string;
}
