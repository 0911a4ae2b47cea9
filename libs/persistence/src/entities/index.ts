import { AgentEntity } from './agent.entity';
import { ApiTokenEntity } from './api-token.entity';
import { AuditLogEntity } from './audit-log.entity';
import { BalanceLedgerEntity } from './balance-ledger.entity';
import { ChannelEntity } from './channel.entity';
import { DailyRollupEntity } from './daily-rollup.entity';
import { EnrollmentTokenEntity } from './enrollment-token.entity';
import { GroupEntity } from './group.entity';
import { ModelRouteEntity } from './model-route.entity';
import { ModelEntity } from './model.entity';
import { PolicyChangeEntity } from './policy-change.entity';
import { QuotaLeaseEntity } from './quota-lease.entity';
import { UsageLogEntity } from './usage-log.entity';
import { UserEntity } from './user.entity';

export * from './agent.entity';
export * from './api-token.entity';
export * from './audit-log.entity';
export * from './balance-ledger.entity';
export * from './channel.entity';
export * from './column-transformers';
export * from './daily-rollup.entity';
export * from './enrollment-token.entity';
export * from './group.entity';
export * from './model-route.entity';
export * from './model.entity';
export * from './policy-change.entity';
export * from './quota-lease.entity';
export * from './usage-log.entity';
export * from './user.entity';

export const ENTITIES = [
  GroupEntity,
  UserEntity,
  ApiTokenEntity,
  ChannelEntity,
  ModelEntity,
  ModelRouteEntity,
  AgentEntity,
  EnrollmentTokenEntity,
  PolicyChangeEntity,
  QuotaLeaseEntity,
  UsageLogEntity,
  BalanceLedgerEntity,
  DailyRollupEntity,
  AuditLogEntity,
];
