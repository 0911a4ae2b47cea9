import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';

export type AgentStatus = 'active' | 'revoked';

/** What an agent reports in its heartbeats. */
export interface AgentStats {
  requests_per_minute?: number;
  errors_per_minute?: number;
  spool_records?: number;
  spool_oldest_age_ms?: number | null;
  in_flight?: number;
  uptime_seconds?: number;
}

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
  /** The key channel secrets are sealed with for this agent (sealed itself with the master's secret key). */
  @Column({ type: 'text', nullable: true, select: false }) syncKeyCiphertext: string | null;
  /** When it was revoked: its usage metered before then is still accepted. */
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  /** The enrollment token it enrolled with (null once that token is deleted). */
  @Column({ type: 'uuid', nullable: true }) enrollmentTokenId: string | null;
  /** When its current (or last) sync session began. */
  @Column({ type: 'timestamptz', nullable: true }) connectedAt: Date | null;
  /** The latest heartbeat's figures: request and error rates, spool depth, lag. */
  @Column({ type: 'jsonb', default: {} }) stats: AgentStats;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
