import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';

export type LedgerKind = 'charge' | 'topup' | 'adjustment' | 'initial';

/** Every change of a user's balance, append-only; a charge is unique per request. */
@Entity('balance_ledger')
@Index('ix_balance_ledger_user_created', ['userId', 'createdAt'])
export class BalanceLedgerEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'uuid' }) userId: string;
  @Column({ type: 'uuid', nullable: true }) tokenId: string | null;
  /** Positive credits the balance, negative debits it. */
  @Column({ type: 'bigint', transformer: bigintTransformer }) amountMicros: number;
  @Column({ type: 'bigint', transformer: bigintTransformer }) balanceAfterMicros: number;
  @Column({ type: 'varchar', length: 16 }) kind: LedgerKind;
  @Column({ type: 'varchar', length: 128, nullable: true, unique: true }) requestId: string | null;
  @Column({ type: 'varchar', length: 500, default: '' }) note: string;
  @Column({ type: 'uuid', nullable: true }) actorId: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
