import { Page } from '@aigw/contracts';
import { ChannelEntity, ModelRouteEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
import { RouteCreateDto, RouteListQueryDto, RouteResponseDto, RouteUpdateDto } from '../dtos/route.dto';
import { AuditActor, AuditService } from './audit.service';
import { toRouteResponse } from './mappers';
import { toPage } from './page.util';

@Injectable()
export class RoutesService {
  constructor(
    @InjectRepository(ModelRouteEntity) private readonly routes: Repository<ModelRouteEntity>,
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(query: RouteListQueryDto): Promise<Page<RouteResponseDto>> {
    const where: FindOptionsWhere<ModelRouteEntity> = {};
    if (query.model) where.model = query.model;
    if (query.channel_id) where.channelId = query.channel_id;
    const result = await this.routes.findAndCount({
      where,
      order: { model: 'ASC', priority: 'DESC', createdAt: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return toPage(result, toRouteResponse, query.limit, query.offset);
  }

  async get(id: string): Promise<RouteResponseDto> {
    return toRouteResponse(await this.find(id));
  }

  async create(actor: AuditActor, dto: RouteCreateDto): Promise<RouteResponseDto> {
    if (!(await this.channels.existsBy({ id: dto.channel_id }))) throw ApiException.invalid('channel_id', 'no such channel');
    if (await this.routes.existsBy({ model: dto.model, channelId: dto.channel_id })) {
      throw ApiException.conflict(`a route from ${dto.model} to this channel already exists`);
    }
    const route = await this.routes.save(
      this.routes.create({
        model: dto.model,
        channelId: dto.channel_id,
        upstreamModel: dto.upstream_model ?? null,
        priority: dto.priority ?? 0,
        weight: dto.weight ?? 1,
        enabled: dto.enabled ?? true,
      }),
    );
    await this.audit.record(actor, 'create', 'route', route.id, { ...dto });
    return toRouteResponse(route);
  }

  async update(actor: AuditActor, id: string, dto: RouteUpdateDto): Promise<RouteResponseDto> {
    const route = await this.find(id);
    if (dto.upstream_model !== undefined) route.upstreamModel = dto.upstream_model;
    if (dto.priority !== undefined) route.priority = dto.priority;
    if (dto.weight !== undefined) route.weight = dto.weight;
    if (dto.enabled !== undefined) route.enabled = dto.enabled;
    const saved = await this.routes.save(route);
    await this.audit.record(actor, 'update', 'route', id, { ...dto });
    return toRouteResponse(saved);
  }

  async remove(actor: AuditActor, id: string): Promise<void> {
    const route = await this.find(id);
    await this.routes.remove(route);
    await this.audit.record(actor, 'delete', 'route', id, { model: route.model, channel_id: route.channelId });
  }

  private async find(id: string): Promise<ModelRouteEntity> {
    const route = await this.routes.findOneBy({ id });
    if (!route) throw ApiException.notFound('route');
    return route;
  }
}
