import { PROVIDER_CATALOG, Role } from '@aigw/contracts';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '../auth/access.decorator';
import { ProviderListResponseDto, toProviderResponse } from '../dtos/provider.dto';

/** The catalog is static: answered from one list built at start. */
const PROVIDERS: ProviderListResponseDto = { data: PROVIDER_CATALOG.map(toProviderResponse), total: PROVIDER_CATALOG.length };

@ApiTags('providers')
@Controller('api/providers')
export class ProvidersController {
  /** Every provider type a channel can have: family, default base URL, auth, capabilities and quirks. */
  @Get()
  @Access(Role.Operator, Role.Viewer, Role.User)
  @ApiOkResponse({ type: ProviderListResponseDto })
  list(): ProviderListResponseDto {
    return PROVIDERS;
  }
}
