import { ChannelEntity } from '@aigw/persistence';
import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ChannelStatusSink } from '../../../agent/src/relay';
import { AuditService } from '../services/audit.service';
import { EmbeddedSyncClient } from './embedded-sync.client';

const SYSTEM = { id: null, username: 'system' } as const;

/**
 * The embedded agent's auto-disable decisions: the channel becomes
 * `auto_disabled` with the reason (visible in GET /api/channels), an audit
 * entry is written, and the policy is reloaded. Only an enabled channel is
 * changed: an admin's own `disabled` is never overwritten.
 */
@Injectable()
export class DatabaseChannelStatusSink extends ChannelStatusSink implements BeforeApplicationShutdown {
  private readonly logger = new Logger('channel-health');
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {
    super();
  }

  disable(channelId: string, reason: string): void {
    const work = this.apply(channelId, reason.slice(0, 500))
      .catch((error: unknown) => this.logger.error({ msg: 'auto-disable failed', channelId, error: (error as Error).message }))
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async apply(channelId: string, reason: string): Promise<void> {
    const audit = this.moduleRef.get(AuditService, { strict: false });
    const changed = await this.dataSource.transaction(async (manager) => {
      const result = await manager.update(ChannelEntity, { id: channelId, status: 'enabled' }, { status: 'auto_disabled', statusReason: reason });
      if (!result.affected) return false;
      await audit.record(SYSTEM, 'auto_disable', 'channel', channelId, { status: 'auto_disabled', status_reason: reason }, manager);
      return true;
    });
    if (!changed) return;
    this.logger.warn({ msg: 'channel auto-disabled', channelId, reason });
    await this.moduleRef.get(EmbeddedSyncClient, { strict: false }).refresh();
  }
}
