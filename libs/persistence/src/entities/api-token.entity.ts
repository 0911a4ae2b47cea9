import { RateLimits } from '@aigw/contracts';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';
import { UserEntity } from './user.entity';

export type TokenStatus = 'active' | 'disabled';

@Entity('api_tokens')
@Index('uq_api_tokens_user_name', ['userId', 'name'], { unique: true })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128 }) name: string;
  /** SHA-256 hex of the key; the key itself is never stored. */
  @Column({ type: 'char', length: 64, unique: true }) keyHash: string;
  /** Masked form shown in lists: `sk-aigw-AbCd…WxYz`. */
  @Column({ type: 'varchar', length: 32 }) keyHint: string;
  @Column({ type: 'uuid' }) userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user?: UserEntity;
  @Column({ type: 'varchar', length: 16, default: 'active' }) status: TokenStatus;
  /** null: unlimited (bounded by the owner's balance); 0: no budget. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer }) quotaMicros: number | null;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) usedMicros: number;
  /** null: every model the owner may use. */
  @Column({ type: 'text', array: true, nullable: true }) models: string[] | null;
  @Column({ type: 'text', array: true, nullable: true }) ipAllowlist: string[] | null;
  /** null: any channel; else only these channels serve this token. */
  @Column({ type: 'uuid', array: true, nullable: true }) channels: string[] | null;
  /** Answers carry the route debug header (x-aigw-route). */
  @Column({ type: 'boolean', default: false }) debug: boolean;
  /** Requests/tokens per minute and concurrency (RateLimits); {} = none. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) limits: RateLimits;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) lastUsedAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
