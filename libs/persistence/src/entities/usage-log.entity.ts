import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';

/** One metered client request. `requestId` is unique: settlement is idempotent on it. */
@Entity('usage_logs')
@Index('ix_usage_logs_user_created', ['userId', 'createdAt'])
@Index('ix_usage_logs_token_created', ['tokenId', 'createdAt'])
@Index('ix_usage_logs_client_request', ['clientRequestId'], { where: '"client_request_id" IS NOT NULL' })
export class UsageLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  /** The gateway's own id of the request (never a client's: a client could make two requests settle as one); a remote agent's is `<agent id>.<uuid>`. */
  @Column({ type: 'varchar', length: 128, unique: true }) requestId: string;
  /** The client's own id for it (X-Client-Request-Id or X-Request-Id), for correlation only. */
  @Column({ type: 'varchar', length: 128, nullable: true }) clientRequestId: string | null;
  @Column({ type: 'uuid', nullable: true }) tokenId: string | null;
  @Column({ type: 'uuid', nullable: true }) userId: string | null;
  @Column({ type: 'uuid', nullable: true }) groupId: string | null;
  @Column({ type: 'uuid', nullable: true }) channelId: string | null;
  @Column({ type: 'uuid', nullable: true }) agentId: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) region: string | null;
  @Column({ type: 'varchar', length: 128 }) model: string;
  @Column({ type: 'varchar', length: 256, nullable: true }) upstreamModel: string | null;
  @Column({ type: 'varchar', length: 32, default: 'chat' }) endpoint: string;
  @Column({ type: 'integer', default: 0 }) promptTokens: number;
  @Column({ type: 'integer', default: 0 }) completionTokens: number;
  @Column({ type: 'integer', default: 0 }) cachedTokens: number;
  @Column({ type: 'integer', default: 0 }) cacheWriteTokens: number;
  @Column({ type: 'integer', default: 0 }) reasoningTokens: number;
  /** What the non-chat endpoints count: images, audio (ms), speech characters, rerank search units. */
  @Column({ type: 'integer', default: 0 }) images: number;
  @Column({ type: 'integer', default: 0 }) audioMs: number;
  @Column({ type: 'integer', default: 0 }) characters: number;
  @Column({ type: 'integer', default: 0 }) searchUnits: number;
  @Column({ type: 'boolean', default: false }) estimated: boolean;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) costMicros: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) channelCostMicros: number;
  @Column({ type: 'integer', default: 0 }) latencyMs: number;
  @Column({ type: 'integer', nullable: true }) firstTokenMs: number | null;
  @Column({ type: 'smallint', default: 200 }) status: number;
  @Column({ type: 'boolean', default: false }) stream: boolean;
  @Column({ type: 'varchar', length: 64, nullable: true }) errorClass: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) attempts: unknown[];
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
