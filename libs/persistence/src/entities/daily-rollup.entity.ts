import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';

/** Usage summed per UTC day, token, user, channel and model. Recomputed whole per day. */
@Entity('daily_rollups')
@Index('ix_daily_rollups_day', ['day'])
export class DailyRollupEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'date' }) day: string;
  @Column({ type: 'uuid', nullable: true }) tokenId: string | null;
  @Column({ type: 'uuid', nullable: true }) userId: string | null;
  @Column({ type: 'uuid', nullable: true }) channelId: string | null;
  @Column({ type: 'varchar', length: 128 }) model: string;
  @Column({ type: 'integer', default: 0 }) requests: number;
  @Column({ type: 'integer', default: 0 }) errors: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) promptTokens: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) completionTokens: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) cachedTokens: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) cacheWriteTokens: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) reasoningTokens: number;
  /** Whole-request latency percentiles over the group's requests (ms). */
  @Column({ type: 'integer', nullable: true }) latencyP50Ms: number | null;
  @Column({ type: 'integer', nullable: true }) latencyP95Ms: number | null;
  /** Time-to-first-token median over the requests that have one (ms). */
  @Column({ type: 'integer', nullable: true }) firstTokenP50Ms: number | null;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) costMicros: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) channelCostMicros: number;
}
