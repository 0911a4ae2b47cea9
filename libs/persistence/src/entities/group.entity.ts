import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('groups')
export class GroupEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128, unique: true }) name: string;
  /** Price multiplier × 1,000,000 (1.0 = 1,000,000): integers only, like money. */
  @Column({ type: 'integer', default: 1_000_000 }) ratioPpm: number;
  @Column({ type: 'varchar', length: 500, default: '' }) description: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
