import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a change log row names: the synced tables. */
export type PolicyEntityKind = 'token' | 'user' | 'group' | 'channel' | 'model' | 'route';

/**
 * The policy change log. A trigger on each synced table appends one row per
 * committed change, in the writer's transaction; writers serialize on an
 * advisory lock, so versions commit in order and a reader that has seen
 * version N has seen every version below it. Rows are the "what changed";
 * deltas carry the rows' current state (see docs/sync-protocol.md).
 */
@Entity('policy_changes')
@Index(['changedAt'])
export class PolicyChangeEntity {
  /** bigint, as a string (the hub reads versions with SQL, not through this entity). */
  @PrimaryGeneratedColumn({ type: 'bigint' }) version: string;
  @Column({ type: 'varchar', length: 16 }) entity: PolicyEntityKind;
  @Column({ type: 'uuid' }) entityId: string;
  /** INSERT, UPDATE or DELETE. */
  @Column({ type: 'varchar', length: 8 }) op: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) changedAt: Date;
}
