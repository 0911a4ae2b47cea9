import { PolicyChannel, PolicyGroup, PolicyModel, PolicyRoute, PolicyToken, PolicyUser } from './policy';
import { UsageRecord } from './usage-record';

/**
 * The master ⇄ agent sync protocol (docs/sync-protocol.md). JSON text
 * frames, one message each, discriminated by `type`. A receiver ignores
 * message types and fields it does not know, so adjacent releases
 * interoperate; `protocol` in hello/welcome is bumped only for a change an
 * older peer would misread.
 */
export const SYNC_PROTOCOL = 2;
/** Oldest agent protocol this master still serves. */
export const SYNC_PROTOCOL_MIN = 1;
/**
 * From protocol 2 an agent's usage records carry neither `agent_id` nor
 * `region` (the master stamps both from the session); a protocol-1 master
 * would refuse them, so an agent ships usage only to masters of 2 and up and
 * keeps it spooled meanwhile (upgrade masters first).
 */
export const SYNC_PROTOCOL_STAMPED_USAGE = 2;

/** Where agents connect (WebSocket upgrade, `Authorization: Bearer <agent credential>`). */
export const SYNC_PATH = '/api/agents/sync';
/** Where an agent trades an enrollment token for its credential. */
export const ENROLL_PATH = '/api/agents/enroll';

/** Close codes (4000-4999 are the application's). */
export const SYNC_CLOSE = {
  /** The agent was revoked: do not reconnect. */
  revoked: 4003,
  /** The agent speaks a protocol this master does not. */
  unsupported: 4005,
  /** Malformed or oversized frame, or a protocol violation. */
  violation: 4008,
  /** The master is shutting down: reconnect (with backoff). */
  restart: 4012,
  /** A newer session of the same agent replaced this one. */
  replaced: 4009,
} as const;

/** A channel as an agent receives it: key and headers sealed with the agent's sync key. */
export interface WireChannel extends Omit<PolicyChannel, 'key' | 'headers'> {
  /** AES-256-GCM under the agent's sync key, bound to the channel id; null: no key. */
  key_sealed: string | null;
  /** Sealed JSON object of extra headers; null: none. */
  headers_sealed: string | null;
}

export interface WirePolicyRows {
  tokens: PolicyToken[];
  users: PolicyUser[];
  groups: PolicyGroup[];
  channels: WireChannel[];
  models: PolicyModel[];
  routes: PolicyRoute[];
}

export type PolicyKind = keyof WirePolicyRows;

export interface WireSnapshot extends WirePolicyRows {
  version: number;
  /** Epoch ms (master clock) when the snapshot's read transaction began. */
  built_at: number;
}

/** The rows that changed in (from, to], in their state at `to` or later; deletions by id. */
export interface WireDelta {
  from: number;
  to: number;
  built_at: number;
  upserts: Partial<WirePolicyRows>;
  deletes: Partial<Record<PolicyKind, string[]>>;
}

/** What an agent reports in a heartbeat. */
export interface AgentHeartbeatStats {
  requests_per_minute: number;
  errors_per_minute: number;
  spool_records: number;
  spool_oldest_age_ms: number | null;
  in_flight: number;
  uptime_seconds: number;
}

export type AgentMessage =
  | { type: 'hello'; protocol: number; build: string; applied_version: number }
  | { type: 'ack'; version: number }
  | { type: 'resync'; reason: string }
  | { type: 'heartbeat'; applied_version: number; stats: AgentHeartbeatStats }
  /** Budget wanted for `t:<token id>` or `u:<user id>`: at least `need` (else none), up to `want`. */
  | { type: 'lease'; id: number; subject: string; need: number; want: number }
  /** Spooled usage, sequence numbers first..last of the agent's spool. */
  | { type: 'usage'; first: number; last: number; records: UsageRecord[] };

export type MasterMessage =
  | { type: 'welcome'; protocol: number; agent_id: string | null; heartbeat_ms: number; head: number }
  | { type: 'snapshot'; snapshot: WireSnapshot }
  | { type: 'delta'; delta: WireDelta }
  | { type: 'heartbeat'; head: number }
  /**
   * Usage up to `last` is done: settled in Postgres, or (outcome "failed") held in the master's
   * dead letters for an admin to retry. Refused records (forged, foreign, malformed) never will be.
   */
  | { type: 'usage_ack'; last: number; outcome: 'settled' | 'failed'; refused: Array<{ request_id: string; reason: string }> }
  /** Budget lent for `ttl_ms` (0: none available); it adds to what the agent holds of that subject. */
  | { type: 'lease_grant'; id: number; subject: string; granted: number; ttl_ms: number }
  | { type: 'error'; code: string; message: string };

/** Answer of POST /api/agents/enroll. */
export interface EnrollmentResult {
  agent_id: string;
  name: string;
  region: string;
  /** Presented on every sync connection; the master keeps only its hash. */
  credential: string;
  /** 32 bytes (base64) that open channel keys in sync traffic and the on-disk snapshot. */
  sync_key: string;
}
