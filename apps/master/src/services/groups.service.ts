import { plainSettings } from '@aigw/config';
import { Page } from '@aigw/contracts';
import { GroupEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
import { GroupCreateDto, GroupListQueryDto, GroupResponseDto, GroupUpdateDto } from '../dtos/group.dto';
import { AuditActor, AuditService } from './audit.service';
import { toGroupResponse } from './mappers';
import { contains, toPage } from './page.util';

export const ratioToPpm = (ratio: number): number => Math.round(ratio * 1_000_000);

@Injectable()
export class GroupsService {
  constructor(
    @InjectRepository(GroupEntity) private readonly groups: Repository<GroupEntity>,
    private readonly audit: AuditService,
  ) {}

  async list(query: GroupListQueryDto): Promise<Page<GroupResponseDto>> {
    const where: FindOptionsWhere<GroupEntity> = {};
    if (query.name) where.name = contains(query.name);
    const result = await this.groups.findAndCount({ where, order: { name: 'ASC' }, take: query.limit, skip: query.offset });
    return toPage(result, toGroupResponse, query.limit, query.offset);
  }

  async get(id: string): Promise<GroupResponseDto> {
    return toGroupResponse(await this.find(id));
  }

  async create(actor: AuditActor, dto: GroupCreateDto): Promise<GroupResponseDto> {
    if (await this.groups.existsBy({ name: dto.name })) throw ApiException.conflict(`group ${dto.name} already exists`);
    const group = await this.groups.save(
      this.groups.create({
        name: dto.name, ratioPpm: ratioToPpm(dto.ratio ?? 1), description: dto.description ?? '', models: dto.models ?? null, channels: dto.channels ?? null, limits: plainSettings(dto.limits),
      }),
    );
    await this.audit.record(actor, 'create', 'group', group.id, { ...dto });
    return toGroupResponse(group);
  }

  async update(actor: AuditActor, id: string, dto: GroupUpdateDto): Promise<GroupResponseDto> {
    const group = await this.find(id);
    if (dto.name !== undefined && dto.name !== group.name && (await this.groups.existsBy({ name: dto.name }))) {
      throw ApiException.conflict(`group ${dto.name} already exists`);
    }
    if (dto.name !== undefined) group.name = dto.name;
    if (dto.ratio !== undefined) group.ratioPpm = ratioToPpm(dto.ratio);
    if (dto.description !== undefined) group.description = dto.description;
    if (dto.models !== undefined) group.models = dto.models;
    if (dto.channels !== undefined) group.channels = dto.channels;
    if (dto.limits !== undefined) group.limits = plainSettings(dto.limits);
    const saved = await this.groups.save(group);
    await this.audit.record(actor, 'update', 'group', id, { ...dto });
    return toGroupResponse(saved);
  }

  async remove(actor: AuditActor, id: string): Promise<void> {
    const group = await this.find(id);
    await this.groups.remove(group);
    await this.audit.record(actor, 'delete', 'group', id, { name: group.name });
  }

  private async find(id: string): Promise<GroupEntity> {
    const group = await this.groups.findOneBy({ id });
    if (!group) throw ApiException.notFound('group');
    return group;
  }
}
