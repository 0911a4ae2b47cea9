import { RateLimits } from '@aigw/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('groups')
export class GroupEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128, unique: true }) name: string;
  /** Price multiplier × 1,000,000 (1.0 = 1,000,000): integers only, like money. */
  @Column({ type: 'integer', default: 1_000_000 }) ratioPpm: number;
  @Column({ type: 'varchar', length: 500, default: '' }) description: string;
  /** null: every model; else members may only use these logical models. */
  @Column({ type: 'text', array: true, nullable: true }) models: string[] | null;
  /** null: any channel; else only these channels serve members. */
  @Column({ type: 'uuid', array: true, nullable: true }) channels: string[] | null;
  /** Rate limits shared by all members (RateLimits); {} = none. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) limits: RateLimits;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
