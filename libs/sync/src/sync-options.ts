import { SecretCipher } from '@aigw/config';
import { AgentHeartbeatStats, PolicySnapshot, UsageCharge, UsageRecord, UsageRow } from '@aigw/contracts';
import { SnapshotFile } from './snapshot-file';
import { UsageSpool } from './usage-spool';

/* What a SyncClient is built from: the link to the master (a WebSocket or the embedded agent's in-process link), the policy target, and its options. */

/** One connection attempt's events. */
export interface LinkEvents {
  open(): void;
  message(text: string): void;
  /** `code` 4003 (revoked) or an upgrade refused with 401/403 ends the client: it does not reconnect. */
  close(code: number, reason: string): void;
}

/** One connection to the master (a WebSocket, or the in-process link of the embedded agent). */
export interface SyncLink {
  /**
   * A JSON message: a string, or its UTF-8 bytes (sent as a text frame all the
   * same). `written`, if the link calls it, says it no longer reads the bytes
   * (written to the socket, or failed), so their memory may be reused; a link
   * that never calls it keeps the sender from reusing them.
   */
  send(text: string | Buffer, written?: () => void): void;
  close(code?: number, reason?: string): void;
}

export type SyncDialer = (events: LinkEvents) => SyncLink;

/** A remote agent's spool: usage records, written as rows (sync protocol 2; records that an older release spooled read back as they were), each with its charge kept in memory. */
export type AgentUsageSpool = UsageSpool<UsageRecord | UsageRow, UsageCharge>;

/** What the client applies policy to (the agent's PolicyStore). */
export interface PolicyTarget {
  replace(snapshot: PolicySnapshot, fresh?: { tokens: ReadonlySet<string>; users: ReadonlySet<string> }): void;
}

export interface SyncLogger {
  log(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown): void;
}

export interface SyncClientOptions {
  dial: SyncDialer;
  /** Opens the channel secrets the master sealed for this agent. */
  cipher: SecretCipher;
  target: PolicyTarget;
  build: string;
  /** Where the last applied snapshot is kept (remote agents); null: memory only (the embedded agent). */
  store?: SnapshotFile | null;
  /** The durable usage spool to ship (remote agents), keeping each record's charge; null: usage goes elsewhere. */
  spool?: AgentUsageSpool | null;
  /** The charges of settled usage (acknowledged by the master): the agent's spend ledger confirms them. */
  onSettled?: (charges: UsageCharge[]) => void;
  /** Heartbeat figures besides the spool's. */
  stats?: () => Omit<AgentHeartbeatStats, 'spool_records' | 'spool_oldest_age_ms'>;
  logger?: SyncLogger;
  /** The master revoked this agent (the client has stopped). */
  onRevoked?: (reason: string) => void;
  /** Reconnect backoff: full jitter between 0 and min(max, base × 2^attempt). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Usage records per frame (default 1000), and frames awaiting their acknowledgement at once (default 4). */
  usageBatch?: number;
  usageWindow?: number;
  /**
   * A frame smaller than `usageBatch` is sent once its oldest record has waited
   * this long (default 200 ms): under load frames fill up, so the master settles
   * a few large batches a second rather than one per spool commit.
   */
  usageLingerMs?: number;
  /** How long a written snapshot may lag the applied policy (writes coalesce). */
  persistDelayMs?: number;
}
