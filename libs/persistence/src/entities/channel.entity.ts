import { ChannelSettings } from '@aigw/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ChannelStatus = 'enabled' | 'disabled' | 'auto_disabled';

/** An upstream provider account. */
@Entity('channels')
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128, unique: true }) name: string;
  @Column({ type: 'varchar', length: 32 }) type: string;
  @Column({ type: 'varchar', length: 2048 }) baseUrl: string;
  /** AES-256-GCM sealed key (SecretCipher), bound to the channel id; null for keyless upstreams. */
  @Column({ type: 'text', nullable: true, select: false }) keyCiphertext: string | null;
  /** Id of the encryption key that sealed keyCiphertext, for rotation. */
  @Column({ type: 'varchar', length: 32, nullable: true }) keyId: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) keyHint: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) models: string[];
  @Column({ type: 'jsonb', default: () => "'{}'" }) modelMapping: Record<string, string>;
  /** Extra upstream headers may carry credentials: the map is sealed like the key; only names are in clear. */
  @Column({ type: 'text', nullable: true, select: false }) headersCiphertext: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) headerNames: string[];
  /** Larger is tried first. */
  @Column({ type: 'integer', default: 0 }) priority: number;
  @Column({ type: 'integer', default: 1 }) weight: number;
  @Column({ type: 'varchar', length: 64, nullable: true }) region: string | null;
  @Column({ type: 'varchar', length: 16, default: 'enabled' }) status: ChannelStatus;
  @Column({ type: 'varchar', length: 500, nullable: true }) statusReason: string | null;
  /** Limits, timeouts and circuit breaker (see ChannelSettings); {} = the config's defaults. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) settings: ChannelSettings;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
