import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';

/**
 * Budget the master has lent an agent: of a token's quota (`t:<token id>`)
 * or a user's balance (`u:<user id>`). Outstanding = granted − what that
 * agent's settled usage has taken since. A lease past `expiresAt` no longer
 * holds budget back from other agents (docs/sync-protocol.md, quota leases).
 */
@Entity('quota_leases')
@Index(['subject'])
export class QuotaLeaseEntity {
  @PrimaryColumn({ type: 'uuid' }) agentId: string;
  @PrimaryColumn({ type: 'varchar', length: 40 }) subject: string;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) outstandingMicros: number;
  @Column({ type: 'timestamptz' }) expiresAt: Date;
}
