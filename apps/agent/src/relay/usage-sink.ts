import { UsageRecord } from '@aigw/contracts';

/**
 * Where the relay hands one usage record per client request. The master's
 * embedded agent enqueues settlement jobs; a remote agent spools to disk and
 * ships to the master (its own issue). Must not block or throw.
 */
export abstract class UsageSink {
  abstract record(usage: UsageRecord): void;

  /** Why no more usage can be taken (the relay answers 503 rather than serve unmetered), or null. */
  refusal(): string | null {
    return null;
  }
}
