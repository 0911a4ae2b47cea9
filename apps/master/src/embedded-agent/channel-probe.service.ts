import { AppConfig } from '@aigw/config';
import { ChannelEntity } from '@aigw/persistence';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UpstreamDispatcher } from '../../../agent/src/relay';
import { AuditService } from '../services/audit.service';
import { ChannelsService } from '../services/channels.service';
import { EmbeddedSyncClient } from './embedded-sync.client';

const SYSTEM = { id: null, username: 'system' } as const;

export interface ProbeOutcome {
  channel_id: string;
  ok: boolean;
  status: number | null;
  error?: string;
}

/**
 * `routing.probe_interval_seconds` > 0: every interval, each auto-disabled
 * channel gets a minimal real request (the same as POST /api/channels/{id}/test);
 * a channel that answers again is re-enabled, audited, and back in the policy.
 * Channels an admin disabled are never touched. Idempotent, so several masters
 * probing at once do no harm.
 */
@Injectable()
export class ChannelProbeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('channel-health');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ProbeOutcome[]> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly channels: ChannelsService,
    private readonly dispatcher: UpstreamDispatcher,
    private readonly audit: AuditService,
    private readonly loader: EmbeddedSyncClient,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.routing.probeIntervalSeconds;
    if (seconds <= 0) return;
    this.timer = setInterval(() => void this.probeAutoDisabled(), seconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round; concurrent calls share it. */
  probeAutoDisabled(): Promise<ProbeOutcome[]> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(): Promise<ProbeOutcome[]> {
    const disabled = await this.dataSource.getRepository(ChannelEntity).find({ where: { status: 'auto_disabled' }, select: { id: true } });
    const outcomes: ProbeOutcome[] = [];
    for (const { id } of disabled) {
      try {
        const { channel, upstreamModel } = await this.channels.probeTarget(id);
        const result = await this.dispatcher.probe(channel, upstreamModel);
        outcomes.push({ channel_id: id, ok: result.ok, status: result.status, ...(result.error ? { error: result.error } : {}) });
        if (result.ok) await this.reenable(id, result.status);
      } catch (error) {
        this.logger.warn({ msg: 'channel probe failed', channelId: id, error: (error as Error).message });
        outcomes.push({ channel_id: id, ok: false, status: null, error: 'probe_failed' });
      }
    }
    if (outcomes.some((outcome) => outcome.ok)) await this.loader.refresh();
    return outcomes;
  }

  private async reenable(id: string, status: number | null): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.update(ChannelEntity, { id, status: 'auto_disabled' }, { status: 'enabled', statusReason: null });
      if (result.affected) await this.audit.record(SYSTEM, 'auto_enable', 'channel', id, { status: 'enabled', probe_status: status }, manager);
    });
    this.logger.log({ msg: 'channel re-enabled by a health probe', channelId: id });
  }
}
