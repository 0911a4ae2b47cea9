import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A secret an agent presents once to enroll; stored hashed. */
@Entity('enrollment_tokens')
export class EnrollmentTokenEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128 }) name: string;
  @Column({ type: 'char', length: 64, unique: true, select: false }) tokenHash: string;
  @Column({ type: 'varchar', length: 32 }) tokenHint: string;
  /** Region agents enrolled with this token are bound to; null: the agent says. */
  @Column({ type: 'varchar', length: 64, nullable: true }) region: string | null;
  /** null: unlimited uses until expiry. */
  @Column({ type: 'integer', nullable: true }) maxUses: number | null;
  @Column({ type: 'integer', default: 0 }) uses: number;
  @Column({ type: 'timestamptz', nullable: true }) expiresAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
