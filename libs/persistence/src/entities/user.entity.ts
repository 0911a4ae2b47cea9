import { RateLimits, Role } from '@aigw/contracts';
import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';
import { GroupEntity } from './group.entity';

export type UserStatus = 'active' | 'disabled';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 64, unique: true }) username: string;
  /** argon2id; null: the user cannot log in to the admin API. */
  @Column({ type: 'varchar', length: 255, nullable: true, select: false }) passwordHash: string | null;
  @Column({ type: 'varchar', length: 16 }) role: Role;
  @Column({ type: 'varchar', length: 16, default: 'active' }) status: UserStatus;
  @Column({ type: 'uuid', nullable: true }) groupId: string | null;
  @ManyToOne(() => GroupEntity, { onDelete: 'SET NULL' }) @JoinColumn({ name: 'group_id' }) group?: GroupEntity | null;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) balanceMicros: number;
  /** Rate limits over all the user's tokens (RateLimits); {} = none. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) limits: RateLimits;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
