import { plainSettings } from '@aigw/config';
import { ApiErrorCode, Page, Role, usdToMicros } from '@aigw/contracts';
import { BalanceLedgerEntity, GroupEntity, UserEntity, queryRows } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { Principal } from '../auth/principal';
import { ApiException } from '../common/api.exception';
import { BalanceAdjustmentDto, PasswordChangeDto, UserCreateDto, UserListQueryDto, UserResponseDto, UserUpdateDto } from '../dtos/user.dto';
import { AuditActor, AuditService } from './audit.service';
import { toUserResponse } from './mappers';
import { contains, toPage } from './page.util';
import { PasswordService } from './password.service';

export const ADMIN_USERNAME = 'admin';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(GroupEntity) private readonly groups: Repository<GroupEntity>,
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
  ) {}

  async list(query: UserListQueryDto): Promise<Page<UserResponseDto>> {
    const where: FindOptionsWhere<UserEntity> = {};
    if (query.username) where.username = contains(query.username);
    if (query.role) where.role = query.role;
    if (query.group_id) where.groupId = query.group_id;
    const result = await this.users.findAndCount({ where, order: { username: 'ASC' }, take: query.limit, skip: query.offset });
    return toPage(result, toUserResponse, query.limit, query.offset);
  }

  async get(id: string): Promise<UserResponseDto> {
    return toUserResponse(await this.find(id));
  }

  async create(actor: AuditActor, dto: UserCreateDto): Promise<UserResponseDto> {
    if (await this.users.existsBy({ username: dto.username })) throw ApiException.conflict(`user ${dto.username} already exists`);
    if (dto.group_id) await this.requireGroup(dto.group_id);
    const balance = dto.balance_usd !== undefined ? usdToMicros(dto.balance_usd) : 0;
    const user = await this.dataSource.transaction(async (manager) => {
      const created = await manager.save(
        manager.create(UserEntity, {
          username: dto.username,
          passwordHash: dto.password ? await this.passwords.hash(dto.password) : null,
          role: dto.role ?? Role.User,
          status: dto.status ?? 'active',
          groupId: dto.group_id ?? null,
          balanceMicros: balance,
          limits: plainSettings(dto.limits),
        }),
      );
      if (balance !== 0) {
        await manager.insert(BalanceLedgerEntity, {
          userId: created.id,
          amountMicros: balance,
          balanceAfterMicros: balance,
          kind: 'initial',
          note: 'initial balance',
          actorId: actor.id,
        });
      }
      await this.audit.record(actor, 'create', 'user', created.id, { ...dto }, manager);
      return created;
    });
    return toUserResponse(user);
  }

  async update(actor: Principal, id: string, dto: UserUpdateDto): Promise<UserResponseDto> {
    const user = await this.find(id);
    if (user.id === actor.id && ((dto.role && dto.role !== user.role) || dto.status === 'disabled')) {
      throw new ApiException(ApiErrorCode.ValidationFailed, 'request validation failed', [
        { field: dto.role ? 'role' : 'status', messages: ['you cannot demote or disable yourself'] },
      ]);
    }
    if (dto.group_id) await this.requireGroup(dto.group_id);
    if (dto.password !== undefined) user.passwordHash = await this.passwords.hash(dto.password);
    if (dto.role !== undefined) user.role = dto.role;
    if (dto.status !== undefined) user.status = dto.status;
    if (dto.group_id !== undefined) user.groupId = dto.group_id;
    if (dto.limits !== undefined) user.limits = plainSettings(dto.limits);
    const saved = await this.users.save(user);
    await this.audit.record(actor, 'update', 'user', id, { ...dto });
    return toUserResponse(saved);
  }

  async remove(actor: Principal, id: string): Promise<void> {
    const user = await this.find(id);
    if (user.id === actor.id) throw ApiException.invalid('id', 'you cannot delete yourself');
    await this.users.remove(user);
    await this.audit.record(actor, 'delete', 'user', id, { username: user.username });
  }

  /** Credits or debits a balance through the ledger, atomically. */
  async adjustBalance(actor: AuditActor, id: string, dto: BalanceAdjustmentDto): Promise<UserResponseDto> {
    const amount = usdToMicros(dto.amount_usd);
    await this.find(id);
    await this.dataSource.transaction(async (manager) => {
      // Balances stay within JavaScript's exact integer range, so every reader can hold them.
      const [row] = queryRows<{ balance_micros: string }>(
        await manager.query(
          `UPDATE users SET balance_micros = balance_micros + $1, updated_at = now()
           WHERE id = $2 AND balance_micros + $1 BETWEEN -$3::bigint AND $3::bigint
           RETURNING balance_micros`,
          [amount, id, Number.MAX_SAFE_INTEGER],
        ),
      );
      if (!row) throw ApiException.invalid('amount_usd', 'would take the balance out of its range');
      await manager.insert(BalanceLedgerEntity, {
        userId: id,
        amountMicros: amount,
        balanceAfterMicros: Number(row.balance_micros),
        kind: amount >= 0 ? 'topup' : 'adjustment',
        note: dto.note,
        actorId: actor.id,
      });
      await this.audit.record(actor, 'adjust-balance', 'user', id, { amount_micros: amount, note: dto.note }, manager);
    });
    return this.get(id);
  }

  async changeOwnPassword(principal: Principal, dto: PasswordChangeDto): Promise<void> {
    const user = await this.users.findOne({ where: { id: principal.id }, select: { id: true, passwordHash: true } });
    if (!user || !(await this.passwords.verify(user.passwordHash, dto.current_password))) {
      throw ApiException.invalid('current_password', 'is not correct');
    }
    await this.users.update({ id: principal.id }, { passwordHash: await this.passwords.hash(dto.new_password) });
    await this.audit.record(principal, 'change-password', 'user', principal.id);
  }

  private async find(id: string): Promise<UserEntity> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw ApiException.notFound('user');
    return user;
  }

  private async requireGroup(id: string): Promise<void> {
    if (!(await this.groups.existsBy({ id }))) throw ApiException.invalid('group_id', 'no such group');
  }
}
