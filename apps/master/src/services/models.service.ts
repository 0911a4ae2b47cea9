import { plainSettings } from '@aigw/config';
import { Page, usdToMicros } from '@aigw/contracts';
import { ModelEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
import { ModelCreateDto, ModelListQueryDto, ModelPriceDto, ModelResponseDto, ModelUpdateDto } from '../dtos/model.dto';
import { AuditActor, AuditService } from './audit.service';
import { toModelResponse } from './mappers';
import { contains, toPage } from './page.util';

/** USD per 1M tokens (or per unit) → micro-USD per 1M tokens (or per unit); only the fields given. */
export function priceToMicros(price: ModelPriceDto): Partial<ModelEntity> {
  const micros = (value: number | string | null | undefined) =>
    value === undefined ? undefined : value === null ? null : usdToMicros(value);
  const changes: Partial<ModelEntity> = {};
  if (price.input !== undefined) changes.inputPriceMicros = micros(price.input)!;
  if (price.output !== undefined) changes.outputPriceMicros = micros(price.output)!;
  if (price.cached_input !== undefined) changes.cachedInputPriceMicros = micros(price.cached_input);
  if (price.cache_write !== undefined) changes.cacheWritePriceMicros = micros(price.cache_write);
  if (price.image !== undefined) changes.imagePriceMicros = micros(price.image);
  if (price.audio_second !== undefined) changes.audioSecondPriceMicros = micros(price.audio_second);
  if (price.character !== undefined) changes.characterPriceMicros = micros(price.character);
  if (price.search_unit !== undefined) changes.searchUnitPriceMicros = micros(price.search_unit);
  return changes;
}

@Injectable()
export class ModelsService {
  constructor(
    @InjectRepository(ModelEntity) private readonly models: Repository<ModelEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(query: ModelListQueryDto): Promise<Page<ModelResponseDto>> {
    const where: FindOptionsWhere<ModelEntity> = {};
    if (query.name) where.name = contains(query.name);
    const result = await this.models.findAndCount({ where, order: { name: 'ASC' }, take: query.limit, skip: query.offset });
    return toPage(result, toModelResponse, query.limit, query.offset);
  }

  async get(id: string): Promise<ModelResponseDto> {
    return toModelResponse(await this.find(id));
  }

  async create(actor: AuditActor, dto: ModelCreateDto): Promise<ModelResponseDto> {
    if (await this.models.existsBy({ name: dto.name })) throw ApiException.conflict(`model ${dto.name} already exists`);
    const model = await this.models.save(
      this.models.create({ name: dto.name, description: dto.description ?? '', routing: plainSettings(dto.routing), ...priceToMicros(dto.price ?? {}) }),
    );
    await this.audit.record(actor, 'create', 'model', model.id, { ...dto });
    return toModelResponse(model);
  }

  async update(actor: AuditActor, id: string, dto: ModelUpdateDto): Promise<ModelResponseDto> {
    const model = await this.find(id);
    if (dto.name !== undefined && dto.name !== model.name && (await this.models.existsBy({ name: dto.name }))) {
      throw ApiException.conflict(`model ${dto.name} already exists`);
    }
    if (dto.name !== undefined) model.name = dto.name;
    if (dto.description !== undefined) model.description = dto.description;
    if (dto.routing !== undefined) model.routing = plainSettings(dto.routing);
    Object.assign(model, priceToMicros(dto.price ?? {}));
    const saved = await this.models.save(model);
    await this.audit.record(actor, 'update', 'model', id, { ...dto });
    return toModelResponse(saved);
  }

  async remove(actor: AuditActor, id: string): Promise<void> {
    const model = await this.find(id);
    await this.models.remove(model);
    await this.audit.record(actor, 'delete', 'model', id, { name: model.name });
  }

  private async find(id: string): Promise<ModelEntity> {
    const model = await this.models.findOneBy({ id });
    if (!model) throw ApiException.notFound('model');
    return model;
  }
}
