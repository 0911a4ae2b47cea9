import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ChannelEntity } from './channel.entity';

/** Logical model → one channel and the model name that channel knows it by. */
@Entity('model_routes')
@Index('uq_model_routes_model_channel', ['model', 'channelId'], { unique: true })
export class ModelRouteEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 128 }) model: string;
  @Column({ type: 'uuid' }) channelId: string;
  @ManyToOne(() => ChannelEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'channel_id' }) channel?: ChannelEntity;
  /** null: the logical name, after the channel's model mapping. */
  @Column({ type: 'varchar', length: 256, nullable: true }) upstreamModel: string | null;
  @Column({ type: 'integer', default: 0 }) priority: number;
  @Column({ type: 'integer', default: 1 }) weight: number;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
