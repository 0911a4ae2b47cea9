import { AppConfig, SecretCipher, plainSettings } from '@aigw/config';
import { ApiErrorCode, Page, PolicyChannel, providerPreset } from '@aigw/contracts';
import { ChannelEntity, ModelRouteEntity } from '@aigw/persistence';
import { HostResolver, upstreamUrlRefusal } from '@aigw/providers';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ArrayContains, DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
import { ChannelCreateDto, ChannelListQueryDto, ChannelResponseDto, ChannelUpdateDto } from '../dtos/channel.dto';
import { AuditActor, AuditService } from './audit.service';
import { toChannelResponse } from './mappers';
import { openChannelHeaders, sealChannelHeaders, sealChannelKey } from './channel-secrets.util';
import { contains, toPage } from './page.util';

@Injectable()
export class ChannelsService {
  constructor(
    @InjectRepository(ChannelEntity) private readonly channels: Repository<ChannelEntity>,
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly resolver: HostResolver,
  ) {}

  async list(query: ChannelListQueryDto): Promise<Page<ChannelResponseDto>> {
    const where: FindOptionsWhere<ChannelEntity> = {};
    if (query.name) where.name = contains(query.name);
    if (query.type) where.type = query.type;
    if (query.status) where.status = query.status as ChannelEntity['status'];
    if (query.model) where.models = ArrayContains([query.model]);
    const result = await this.channels.findAndCount({
      where,
      order: { priority: 'DESC', name: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return toPage(result, toChannelResponse, query.limit, query.offset);
  }

  async get(id: string): Promise<ChannelResponseDto> {
    return toChannelResponse(await this.find(id));
  }

  async create(actor: AuditActor, dto: ChannelCreateDto): Promise<ChannelResponseDto> {
    const baseUrl = dto.base_url ?? providerPreset(dto.type)?.baseUrl;
    if (!baseUrl) throw ApiException.invalid('base_url', `required: provider type ${dto.type} has no default base URL (GET /api/providers)`);
    await this.checkBaseUrl(baseUrl);
    if (await this.channels.existsBy({ name: dto.name })) throw ApiException.conflict(`channel ${dto.name} already exists`);
    const channel = await this.dataSource.transaction(async (manager) => {
      const created = await manager.save(
        manager.create(ChannelEntity, {
          name: dto.name,
          type: dto.type,
          baseUrl,
          models: dto.models ?? [],
          modelMapping: dto.model_mapping ?? {},
          priority: dto.priority ?? 0,
          weight: dto.weight ?? 1,
          region: dto.region ?? null,
          status: dto.status ?? 'enabled',
          settings: plainSettings(dto.settings),
        }),
      );
      // Ciphertexts are bound to the id, so they are sealed once the id exists.
      const sealed = {
        ...(dto.key ? sealChannelKey(this.cipher, created.id, dto.key) : {}),
        ...(dto.headers ? sealChannelHeaders(this.cipher, created.id, dto.headers) : {}),
      };
      if (Object.keys(sealed).length > 0) await manager.update(ChannelEntity, { id: created.id }, sealed);
      Object.assign(created, sealed);
      await this.audit.record(actor, 'create', 'channel', created.id, { ...dto }, manager);
      return created;
    });
    return toChannelResponse(channel);
  }

  async update(actor: AuditActor, id: string, dto: ChannelUpdateDto): Promise<ChannelResponseDto> {
    const channel = await this.find(id);
    if (dto.base_url !== undefined) await this.checkBaseUrl(dto.base_url);
    if (dto.name !== undefined && dto.name !== channel.name && (await this.channels.existsBy({ name: dto.name }))) {
      throw ApiException.conflict(`channel ${dto.name} already exists`);
    }
    const changes: Partial<ChannelEntity> = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.type !== undefined) changes.type = dto.type;
    if (dto.base_url !== undefined) changes.baseUrl = dto.base_url;
    if (dto.models !== undefined) changes.models = dto.models;
    if (dto.model_mapping !== undefined) changes.modelMapping = dto.model_mapping;
    if (dto.headers !== undefined) Object.assign(changes, sealChannelHeaders(this.cipher, id, dto.headers));
    if (dto.priority !== undefined) changes.priority = dto.priority;
    if (dto.weight !== undefined) changes.weight = dto.weight;
    if (dto.region !== undefined) changes.region = dto.region;
    if (dto.settings !== undefined) changes.settings = plainSettings(dto.settings);
    if (dto.status !== undefined) {
      changes.status = dto.status;
      changes.statusReason = null;
    }
    await this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(ChannelEntity);
      if (Object.keys(changes).length > 0) await repository.update({ id }, changes);
      if (dto.key === null) await repository.update({ id }, { keyCiphertext: null, keyId: null, keyHint: null });
      else if (dto.key !== undefined) await repository.update({ id }, sealChannelKey(this.cipher, id, dto.key));
      await this.audit.record(actor, 'update', 'channel', id, { ...dto }, manager);
    });
    return this.get(id);
  }

  async remove(actor: AuditActor, id: string): Promise<void> {
    const channel = await this.find(id);
    await this.channels.remove(channel);
    await this.audit.record(actor, 'delete', 'channel', id, { name: channel.name });
  }

  /** The plaintext key and headers, for the data plane only; never returned by the admin API. */
  async revealSecrets(id: string): Promise<{ key: string | null; headers: Record<string, string> }> {
    const row = await this.channels.findOne({ where: { id }, select: { id: true, keyCiphertext: true, headersCiphertext: true } });
    if (!row) throw ApiException.notFound('channel');
    return { key: row.keyCiphertext ? this.cipher.open(row.keyCiphertext, id) : null, headers: openChannelHeaders(this.cipher, row) };
  }

  /** The channel as the data plane sees it (secrets opened) and the upstream model a probe should ask for. */
  async probeTarget(id: string, model?: string): Promise<{ channel: PolicyChannel; upstreamModel: string }> {
    const entity = await this.find(id);
    const secrets = await this.revealSecrets(id);
    const routed = model ? null : await this.dataSource.getRepository(ModelRouteEntity).findOne({ where: { channelId: id }, order: { createdAt: 'ASC' } });
    const logical = model ?? entity.models[0] ?? routed?.model;
    if (!logical) {
      throw new ApiException(ApiErrorCode.ValidationFailed, 'name a model to test: this channel serves none and no route uses it', [
        { field: 'model', messages: ['required for a channel without models or routes'] },
      ]);
    }
    const upstreamModel = (!model && routed?.upstreamModel) || entity.modelMapping[logical] || logical;
    const channel: PolicyChannel = {
      id: entity.id,
      name: entity.name,
      type: entity.type,
      baseUrl: entity.baseUrl,
      key: secrets.key,
      headers: secrets.headers,
      models: entity.models,
      modelMapping: entity.modelMapping,
      priority: entity.priority,
      weight: entity.weight,
      region: entity.region,
      status: entity.status,
      settings: entity.settings ?? {},
    };
    return { channel, upstreamModel };
  }

  /** The address policy (docs/network-security.md); the agents check again at every new connection. */
  private async checkBaseUrl(url: string): Promise<void> {
    const refusal = await upstreamUrlRefusal(url, this.config.upstreamNetwork, this.resolver);
    if (refusal) throw ApiException.invalid('base_url', refusal);
  }

  private async find(id: string): Promise<ChannelEntity> {
    const channel = await this.channels.findOneBy({ id });
    if (!channel) throw ApiException.notFound('channel');
    return channel;
  }
}
