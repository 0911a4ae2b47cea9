import { UsageRecord } from '@aigw/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { SpendLedger, UsageSink } from './relay';

/**
 * Until agents ship usage to the master (the master/agent issue adds the
 * durable spool), a standalone agent logs each usage record.
 */
@Injectable()
export class LogUsageSink extends UsageSink {
  private readonly logger = new Logger('usage');

  constructor(private readonly spend: SpendLedger) {
    super();
  }

  record(usage: UsageRecord): void {
    this.logger.log({ msg: 'usage', ...usage });
    // Nothing settles it elsewhere: the agent's own counters carry the spend.
    this.spend.confirm([usage]);
  }
}
