import { UsageRecord } from '@aigw/contracts';
import { AgentUsageSpool } from '@aigw/sync';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { UsageSink } from '../relay';
import { USAGE_SPOOL } from './agent-sync.tokens';

/** Counts per second over the last minute (60 buckets; no per-request allocation). */
class MinuteCounter {
  private readonly buckets = new Array<number>(60).fill(0);
  private second = 0;

  add(now: number): void {
    this.advance(now);
    this.buckets[this.second % 60] += 1;
  }

  total(now: number): number {
    this.advance(now);
    return this.buckets.reduce((sum, count) => sum + count, 0);
  }

  private advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (second - this.second >= 60) this.buckets.fill(0);
    else for (let s = this.second + 1; s <= second; s += 1) this.buckets[s % 60] = 0;
    this.second = Math.max(this.second, second);
  }
}

/**
 * A remote agent's usage: each record goes to the durable spool, which writes
 * it as a row (sync protocol 2: its values without keys, and without agent id
 * or region, which the master stamps from the sync session; the spool is
 * opened with `serialize: usageRow`) in a group commit with fsync; the sync client
 * ships it to the master and acknowledges it once settled. When the spool is
 * full (the master away for long), the relay refuses traffic with a 503
 * rather than serve what it could not bill.
 */
@Injectable()
export class SpoolUsageSink extends UsageSink {
  private readonly logger = new Logger(SpoolUsageSink.name);
  private readonly requests = new MinuteCounter();
  private readonly errors = new MinuteCounter();

  constructor(@Inject(USAGE_SPOOL) private readonly spool: AgentUsageSpool) {
    super();
  }

  record(usage: UsageRecord): void {
    const now = Date.now();
    this.requests.add(now);
    if (usage.status >= 500) this.errors.add(now);
    if (!this.spool.append(usage)) {
      this.logger.error({ msg: 'usage spool refused a record', requestId: usage.request_id, spool: this.spool.depth() });
    }
  }

  override refusal(): string | null {
    return this.spool.full() ? 'this gateway agent cannot reach its master and its usage spool is full' : null;
  }

  /** Requests and 5xx answers in the last minute. */
  rates(now = Date.now()): { requests: number; errors: number } {
    return { requests: this.requests.total(now), errors: this.errors.total(now) };
  }
}
