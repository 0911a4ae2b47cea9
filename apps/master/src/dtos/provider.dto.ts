import {
  PROVIDER_CAPABILITIES,
  ProviderAuthStyle,
  ProviderCapabilities,
  ProviderFamily,
  ProviderPreset,
} from '@aigw/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const FAMILIES: ProviderFamily[] = ['openai', 'openai-compatible', 'anthropic', 'gemini', 'azure', 'bedrock', 'vertex', 'cohere'];
const AUTH_STYLES: ProviderAuthStyle[] = ['bearer', 'header', 'none', 'aws-sigv4', 'google-service-account'];

export class ProviderAuthDto {
  @ApiProperty({ enum: AUTH_STYLES, description: 'bearer: Authorization: Bearer <key>; header: the key in `header`; none: no key is sent' }) style: ProviderAuthStyle;
  @ApiPropertyOptional({ description: 'the header that carries the key' }) header?: string;
}

export class ProviderQuirkDto {
  @ApiProperty({ description: 'a top-level Chat Completions field' }) param: string;
  @ApiProperty({ enum: ['drop', 'refuse'], description: 'drop: removed silently; refuse: answered 400 naming the parameter and the provider' }) action: 'drop' | 'refuse';
  @ApiPropertyOptional({ type: [Object], description: 'values a refused parameter may have (dropped instead): n 1, logprobs false' }) harmless?: (string | number | boolean)[];
  @ApiProperty() reason: string;
}

export class ProviderQuirksDto {
  @ApiProperty({ type: [ProviderQuirkDto] }) params: ProviderQuirkDto[];
  @ApiProperty({ description: 'field → the name the provider reads' }) renames: Record<string, string>;
  @ApiProperty({ enum: ['max_tokens', 'as_sent'], description: 'max_tokens: max_completion_tokens is renamed' }) max_tokens_field: 'max_tokens' | 'as_sent';
  @ApiProperty({ description: 'stream_options.include_usage is taken; false: stream_options is removed' }) stream_options: boolean;
  @ApiProperty({ description: 'messages[].name is removed' }) drop_message_names: boolean;
}

export class ProviderResponseDto {
  @ApiProperty({ description: 'the channel type' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: FAMILIES, description: 'the wire family (adaptor) the gateway speaks to it' }) family: ProviderFamily;
  @ApiProperty({ nullable: true, type: String, description: 'a channel created without base_url gets it; null: base_url is required' }) default_base_url: string | null;
  @ApiPropertyOptional({ description: 'what the base URL looks like when there is no default' }) example_base_url?: string;
  @ApiProperty({ type: ProviderAuthDto }) auth: ProviderAuthDto;
  @ApiProperty({ type: Object, description: `what the provider's API offers: ${PROVIDER_CAPABILITIES.join(', ')}` }) capabilities: ProviderCapabilities;
  @ApiProperty({ type: ProviderQuirksDto, description: 'how its Chat Completions dialect departs from OpenAI’s (applied by the gateway)' }) quirks: ProviderQuirksDto;
  @ApiPropertyOptional({ description: "the provider's API documentation" }) docs?: string;
}

export class ProviderListResponseDto {
  @ApiProperty({ type: [ProviderResponseDto] }) data: ProviderResponseDto[];
  @ApiProperty() total: number;
}

export function toProviderResponse(preset: ProviderPreset): ProviderResponseDto {
  return {
    id: preset.id,
    name: preset.name,
    family: preset.family,
    default_base_url: preset.baseUrl,
    ...(preset.exampleBaseUrl ? { example_base_url: preset.exampleBaseUrl } : {}),
    auth: { ...preset.auth },
    capabilities: { ...preset.capabilities },
    quirks: {
      params: preset.quirks.params.map(({ param, action, harmless, reason }) => ({ param, action, ...(harmless ? { harmless: [...harmless] } : {}), reason })),
      renames: { ...preset.quirks.renames },
      max_tokens_field: preset.quirks.maxTokensField,
      stream_options: preset.quirks.streamOptions,
      drop_message_names: preset.quirks.dropMessageNames,
    },
    ...(preset.docs ? { docs: preset.docs } : {}),
  };
}
