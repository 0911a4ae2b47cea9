import { ModelRouting } from '@aigw/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintTransformer } from './column-transformers';

/** A logical model and its customer price: micro-USD per 1M tokens, and per unit for the media endpoints. */
@Entity('models')
export class ModelEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128, unique: true }) name: string;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) inputPriceMicros: number;
  @Column({ type: 'bigint', default: 0, transformer: bigintTransformer }) outputPriceMicros: number;
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer }) cachedInputPriceMicros: number | null;
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer }) cacheWritePriceMicros: number | null;
  /** Micro-USD per image, per second of audio, per 1M speech characters, per rerank search unit; null: free. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer }) imagePriceMicros: number | null;
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer }) audioSecondPriceMicros: number | null;
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer }) characterPriceMicros: number | null;
  @Column({ type: 'bigint', nullable: true, transformer: bigintTransformer }) searchUnitPriceMicros: number | null;
  @Column({ type: 'varchar', length: 500, default: '' }) description: string;
  /** Retry, affinity and strategy for this logical model (see ModelRouting); {} = the config's defaults. */
  @Column({ type: 'jsonb', default: () => "'{}'" }) routing: ModelRouting;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
