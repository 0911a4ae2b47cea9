import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';

export type AgentStatus = 'active' | 'revoked';

/** A data-plane process enrolled with the master. */
@Entity('agents')
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128, unique: true }) name: string;
  @Column({ type: 'varchar', length: 64, default: 'default' }) region: string;
  /** SHA-256 of the agent credential. */
  @Column({ type: 'char', length: 64, unique: true, select: false }) credentialHash: string;
  @Column({ type: 'varchar', length: 16, default: 'active' }) status: AgentStatus;
  @Column({ type: 'varchar', length: 64, nullable: true }) version: string | null;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) appliedPolicyVersion: number;
  @Column({ type: 'timestamptz', nullable: true }) lastSeenAt: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
