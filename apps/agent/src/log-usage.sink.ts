import { UsageRecord } from '@aigw/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { UsageSink } from './relay';

/**
 * Until agents ship usage to the master (the master/agent issue adds the
 * durable spool), a standalone agent logs each usage record.
 */
@Injectable()
export class LogUsageSink extends UsageSink {
  private readonly logger = new Logger('usage');

  record(usage: UsageRecord): void {
    this.logger.log({ msg: 'usage', ...usage });
  }
}
