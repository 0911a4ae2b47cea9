import { AddressPolicy, MediaFetchPolicy, RoutingDefaults } from '@aigw/contracts';
import { BootstrapConfig } from './bootstrap.schema';
import { LogLevel } from './config.schema';

/**
 * The validated configuration every service is given. Built once at start by
 * `loadConfig`; secrets are resolved (from config, env or the data dir).
 */
export class AppConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** null: embedded PGlite under dataDir. */
  readonly databaseUrl: string | null;
  /** null: in-process queue and local limits. */
  readonly redisUrl: string | null;
  readonly redisPrefix: string;
  readonly jwtSecret: string;
  readonly jwtTtlSeconds: number;
  /** null: generate one on first start. */
  readonly adminPassword: string | null;
  /** Current channel-key encryption key (32 bytes). */
  readonly secretKey: Buffer;
  readonly previousSecretKeys: Buffer[];
  readonly logLevel: LogLevel;
  readonly relayBodyLimitBytes: number;
  /** Largest file of a multipart upload (each file; spooled to a per-request temp dir, never held in memory). */
  readonly relayUploadLimitBytes: number;
  /** false: no usage records, quotas or rate limits on the relay (benchmarks only). */
  readonly relayMetering: boolean;
  readonly routing: RoutingDefaults;
  /** Which addresses channel base URLs may reach (docs/network-security.md). */
  readonly upstreamNetwork: AddressPolicy;
  /** Fetching image URLs a client sent, for providers that need the bytes. */
  readonly media: MediaFetchPolicy;
  /** Agent: the master it syncs from (null: not a remote agent). */
  readonly masterUrl: string | null;
  readonly enrollmentToken: string | null;
  readonly agentName: string | null;
  /** Agent: the region it serves; null: "default". */
  readonly region: string | null;
  readonly syncHeartbeatMs: number;
  readonly changeLogRetention: number;
  readonly usageSpoolMaxRecords: number;
  readonly usageSpoolMaxBytes: number;
  /** Agent: at most one fdatasync of the usage spool per this many ms. */
  readonly usageSpoolSyncMs: number;
  /** Agent: the spool's group-commit window (ms): a crash of the agent's process loses at most this window's records. */
  readonly usageSpoolCommitMs: number;
  readonly leaseTtlSeconds: number;
  readonly leaseOffline: 'serve' | 'fail_closed';
  readonly bootstrap: BootstrapConfig;
  /** Where the values came from, for the start banner. */
  readonly source: string | null;

  constructor(values: Omit<AppConfig, 'embeddedDatabase'>) {
    Object.assign(this, values);
  }

  get embeddedDatabase(): boolean {
    return this.databaseUrl === null;
  }
}
