import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { BootstrapConfig } from './bootstrap.schema';
import { MediaConfigFile, UpstreamNetworkConfigFile } from './network.schema';
import { RoutingConfigFile } from './routing.schema';

/** A 32-byte key: 64 hex characters or base64 of 32 bytes. */
export const SECRET_KEY_PATTERN = /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/;

/**
 * The configuration file, as written by an operator (snake_case keys).
 * Every key is optional; embedded defaults apply to what is left out.
 */
export class ConfigFile {
  /** HTTP port of the master (with its embedded agent). */
  @IsOptional() @IsInt() @Min(0) @Max(65535) port?: number;
  /** Interface to listen on. */
  @IsOptional() @IsString() host?: string;
  /** Where PGlite, generated secrets and spools live. */
  @IsOptional() @IsString() @MinLength(1) data_dir?: string;
  /** Postgres connection string; empty means embedded PGlite under data_dir. */
  @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' }) database_url?: string;
  /** Redis connection string; empty means the in-process job queue and local rate limits. */
  @IsOptional() @Matches(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' }) redis_url?: string;
  /** Prefix of every Redis key (queues, limits), so deployments can share a Redis. */
  @IsOptional() @Matches(/^[A-Za-z0-9:_-]{1,64}$/, { message: 'must be 1-64 letters, digits, : _ -' }) redis_prefix?: string;
  /** Secret that signs admin JWTs; generated into data_dir when absent. */
  @IsOptional() @IsString() @MinLength(32, { message: 'must be at least 32 characters' }) jwt_secret?: string;
  /** Lifetime of an admin JWT in seconds. */
  @IsOptional() @IsInt() @Min(60) @Max(30 * 24 * 3600) jwt_ttl_seconds?: number;
  /** Initial password of the built-in `admin`; printed once and generated when absent. */
  @IsOptional() @IsString() @MinLength(8) @MaxLength(256) admin_password?: string;
  /** AES-256-GCM key for channel keys at rest; generated into data_dir when absent. */
  @IsOptional() @Matches(SECRET_KEY_PATTERN, { message: 'must be 32 bytes as 64 hex characters or base64' }) secret_key?: string;
  /** Keys that used to be secret_key: still decrypt, never encrypt. */
  @IsOptional() @IsArray() @Matches(SECRET_KEY_PATTERN, { each: true, message: 'each must be 32 bytes as 64 hex characters or base64' }) previous_secret_keys?: string[];
  /** Largest request body the /v1 relay accepts, in MiB (413 beyond). */
  @IsOptional() @IsInt() @Min(1) @Max(512) relay_body_limit_mb?: number;
  /** Largest file the relay's multipart uploads accept (audio transcriptions, image edits), in MiB per file (413 beyond); default 25 like OpenAI's audio limit. */
  @IsOptional() @IsInt() @Min(1) @Max(2048) relay_upload_limit_mb?: number;
  /** false: the relay keeps no usage records and checks no quota or rate limit (benchmarks and troubleshooting only). */
  @IsOptional() @IsBoolean() relay_metering?: boolean;
  /** pino log level. */
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) log_level?: string;
  /** Agent: the master's base URL (http or https); set, the process runs as a remote agent. */
  @IsOptional() @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' }) master_url?: string;
  /** Agent: the enrollment token it presents once, on its first start. */
  @IsOptional() @IsString() @MaxLength(256) enrollment_token?: string;
  /** Agent: its name in the master (unique); defaults to the host name. */
  @IsOptional() @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: 'must be 1-128 letters, digits, . _ - (starting with a letter or digit)' }) agent_name?: string;
  /** Agent: the region it serves (channels with another region are never sent to it). */
  @IsOptional() @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 letters, digits, . _ -' }) region?: string;
  /** Sync heartbeat interval in milliseconds (master sets it for its agents); a peer silent for 3 intervals is dropped. */
  @IsOptional() @IsInt() @Min(100) @Max(300_000) sync_heartbeat_ms?: number;
  /** Change-log versions the master keeps; an agent further behind gets a snapshot instead of deltas. */
  @IsOptional() @IsInt() @Min(100) @Max(10_000_000) change_log_retention?: number;
  /** How long a quota lease lent to an agent holds budget back (master). */
  @IsOptional() @IsInt() @Min(5) @Max(86_400) lease_ttl_seconds?: number;
  /** Agent: with the master unreachable, spend what its leases hold (serve) or refuse metered traffic (fail_closed). */
  @IsOptional() @IsIn(['serve', 'fail_closed']) lease_offline?: string;
  /** Agent: most unacknowledged usage records kept in the spool before the relay refuses traffic (503). */
  @IsOptional() @IsInt() @Min(1000) @Max(100_000_000) usage_spool_max_records?: number;
  /** Agent: most MiB of unacknowledged usage the spool keeps (on disk, and in memory until acknowledged). */
  @IsOptional() @IsInt() @Min(16) @Max(65_536) usage_spool_max_mb?: number;
  /** Agent: usage records of this many ms are written to the spool together (group commit); a crash of the process loses at most that window. */
  @IsOptional() @IsInt() @Min(1) @Max(1_000) usage_spool_commit_ms?: number;
  /** Agent: written usage is made durable (fdatasync) at most once per this many ms; a crash of the machine loses at most that much. */
  @IsOptional() @IsInt() @Min(10) @Max(10_000) usage_spool_sync_ms?: number;
  /** Retries, failover, circuit breakers and affinity: defaults for every model and channel. */
  @IsOptional() @ValidateNested() @Type(() => RoutingConfigFile) routing?: RoutingConfigFile;
  /** Which addresses channel base URLs may reach: loopback and private allowed unless refused here; link-local and metadata never. */
  @IsOptional() @ValidateNested() @Type(() => UpstreamNetworkConfigFile) upstream_network?: UpstreamNetworkConfigFile;
  /** Fetching image URLs for providers that need the bytes inline (off by default). */
  @IsOptional() @ValidateNested() @Type(() => MediaConfigFile) media?: MediaConfigFile;
  /** Declarative state applied idempotently at every start. */
  @IsOptional() @ValidateNested() @Type(() => BootstrapConfig) bootstrap?: BootstrapConfig;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
