import { Page, Role } from '@aigw/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { Principal } from '../auth/principal';
import { UUID_PARAM } from '../common/uuid-param.pipe';
import { UpstreamDispatcher } from '../../../agent/src/relay';
import { ChannelCreateDto, ChannelListQueryDto, ChannelResponseDto, ChannelTestDto, ChannelTestResponseDto, ChannelUpdateDto } from '../dtos/channel.dto';
import { ChannelsService } from '../services/channels.service';

@ApiTags('channels')
@Controller('api/channels')
export class ChannelsController {
  constructor(
    private readonly service: ChannelsService,
    private readonly dispatcher: UpstreamDispatcher,
  ) {}

  @Get()
  @Access(Role.Operator, Role.Viewer)
  list(@Query() query: ChannelListQueryDto): Promise<Page<ChannelResponseDto>> {
    return this.service.list(query);
  }

  @Get(':id')
  @Access(Role.Operator, Role.Viewer)
  get(@Param('id', UUID_PARAM) id: string): Promise<ChannelResponseDto> {
    return this.service.get(id);
  }

  @Post()
  @Access(Role.Operator)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: ChannelCreateDto): Promise<ChannelResponseDto> {
    return this.service.create(principal, dto);
  }

  @Patch(':id')
  @Access(Role.Operator)
  update(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string, @Body() dto: ChannelUpdateDto): Promise<ChannelResponseDto> {
    return this.service.update(principal, id, dto);
  }

  /** A minimal real request ("ping", one token) through the channel's adaptor: latency, or the error class. */
  @Post(':id/test')
  @HttpCode(200)
  @Access(Role.Operator)
  async test(@Param('id', UUID_PARAM) id: string, @Body() dto: ChannelTestDto): Promise<ChannelTestResponseDto> {
    const { channel, upstreamModel } = await this.service.probeTarget(id, dto.model);
    return { ...(await this.dispatcher.probe(channel, upstreamModel)), model: upstreamModel };
  }

  @Delete(':id')
  @HttpCode(204)
  @Access(Role.Operator)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.service.remove(principal, id);
  }
}
