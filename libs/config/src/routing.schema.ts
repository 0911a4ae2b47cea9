import { DEFAULT_ROUTING, RoutingDefaults } from '@aigw/contracts';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsObject, IsOptional, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';

export class BreakerConfigFile {
  /** false: circuits never open (failures are still retried on other channels). */
  @IsOptional() @IsBoolean() enabled?: boolean;
  /** Outcomes remembered per channel (M). */
  @IsOptional() @IsInt() @Min(1) @Max(1000) window?: number;
  /** Failures among the last M that open the circuit (N). */
  @IsOptional() @IsInt() @Min(1) @Max(1000) failure_threshold?: number;
  /** Failures in a row that open the circuit. */
  @IsOptional() @IsInt() @Min(1) @Max(1000) consecutive_failures?: number;
  /** Seconds open before one half-open probe. */
  @IsOptional() @IsInt() @Min(1) @Max(86_400) cooldown_seconds?: number;
}

/** The `routing:` section: defaults for every model and channel that do not say otherwise. */
export class RoutingConfigFile {
  /** Upstream attempts per client request at most, the first included. */
  @IsOptional() @IsInt() @Min(1) @Max(10) max_attempts?: number;
  /** Distinct channels per client request at most. */
  @IsOptional() @IsInt() @Min(1) @Max(10) max_channels?: number;
  /** Retries allowed per first attempt over the last 10 s, per agent (the retry budget). */
  @IsOptional() @IsNumber() @Min(0) @Max(10) retry_budget_ratio?: number;
  /** Retries per second always allowed, whatever the ratio. */
  @IsOptional() @IsInt() @Min(0) @Max(100_000) retry_budget_min_per_second?: number;
  /** A 429/503 `Retry-After` up to this many seconds takes the channel out of rotation for that long. */
  @IsOptional() @IsInt() @Min(0) @Max(3600) retry_after_max_seconds?: number;
  @IsOptional() @ValidateNested() @Type(() => BreakerConfigFile) breaker?: BreakerConfigFile;
  /** Consecutive 401/403/insufficient-quota answers that disable a channel (with the reason); 0: never. */
  @IsOptional() @IsInt() @Min(0) @Max(1000) auto_disable_after?: number;
  /** Request header carrying a caller's affinity (session) key. */
  @IsOptional() @Matches(/^[a-z0-9-]{1,64}$/, { message: 'must be a lower-case header name' }) affinity_header?: string;
  /** Sticky routing for every model that does not say. */
  @IsOptional() @IsBoolean() affinity?: boolean;
  /** `weighted` (default) or `latency` (weights scaled by recent time to first token and errors). */
  @IsOptional() @IsIn(['weighted', 'latency']) strategy?: 'weighted' | 'latency';
  /** Seconds between probes of auto-disabled channels, re-enabled when a probe succeeds; 0: off. */
  @IsOptional() @IsInt() @Min(0) @Max(86_400) probe_interval_seconds?: number;
}

export function resolveRouting(file: RoutingConfigFile | undefined): RoutingDefaults {
  const d = DEFAULT_ROUTING;
  const breaker = file?.breaker;
  return {
    maxAttempts: file?.max_attempts ?? d.maxAttempts,
    maxChannels: file?.max_channels ?? d.maxChannels,
    retryBudgetRatio: file?.retry_budget_ratio ?? d.retryBudgetRatio,
    retryBudgetMinPerSecond: file?.retry_budget_min_per_second ?? d.retryBudgetMinPerSecond,
    retryAfterMaxMs: file?.retry_after_max_seconds !== undefined ? file.retry_after_max_seconds * 1000 : d.retryAfterMaxMs,
    breaker: {
      enabled: breaker?.enabled ?? d.breaker.enabled,
      window: breaker?.window ?? d.breaker.window,
      failureThreshold: breaker?.failure_threshold ?? d.breaker.failureThreshold,
      consecutiveFailures: breaker?.consecutive_failures ?? d.breaker.consecutiveFailures,
      cooldownMs: breaker?.cooldown_seconds !== undefined ? breaker.cooldown_seconds * 1000 : d.breaker.cooldownMs,
    },
    autoDisableAfter: file?.auto_disable_after ?? d.autoDisableAfter,
    affinityHeader: file?.affinity_header ?? d.affinityHeader,
    affinity: file?.affinity ?? d.affinity,
    strategy: file?.strategy ?? d.strategy,
    probeIntervalSeconds: file?.probe_interval_seconds ?? d.probeIntervalSeconds,
  };
}

export class ChannelTimeoutsSchema {
  @IsOptional() @IsInt() @Min(100) @Max(600_000) connect_ms?: number;
  @IsOptional() @IsInt() @Min(100) @Max(3_600_000) first_byte_ms?: number;
  @IsOptional() @IsInt() @Min(100) @Max(3_600_000) idle_ms?: number;
  @IsOptional() @IsInt() @Min(100) @Max(3_600_000) total_ms?: number;
}

/** A channel's `settings.provider` (docs/providers.md). */
export class ChannelProviderSettingsSchema {
  @IsOptional() @Matches(/^[0-9A-Za-z.-]{1,40}$/, { message: 'api_version: letters, digits, dots and dashes (e.g. 2024-10-21)' }) api_version?: string;
  @IsOptional() @Matches(/^[a-z0-9-]{1,40}$/, { message: 'region: lower-case letters, digits and dashes (e.g. us-east-1)' }) region?: string;
  @IsOptional() @Matches(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, { message: 'project: a Google Cloud project id' }) project?: string;
  @IsOptional() @IsObject() param_overrides?: Record<string, string | number | boolean | null | object>;
}

/** A channel's `settings` (admin API and bootstrap): limits, timeouts, breaker. */
export class ChannelSettingsSchema {
  @IsOptional() @IsNumber({ maxDecimalPlaces: 6, allowNaN: false, allowInfinity: false }) @Min(0) @Max(100) cost_ratio?: number;
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(0) @Max(100_000) max_concurrency?: number | null;
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(0) @Max(10_000_000) rpm?: number | null;
  @IsOptional() @ValidateNested() @Type(() => ChannelTimeoutsSchema) timeouts?: ChannelTimeoutsSchema;
  @IsOptional() @ValidateNested() @Type(() => BreakerConfigFile) breaker?: BreakerConfigFile;
  @IsOptional() @ValidateNested() @Type(() => ChannelProviderSettingsSchema) provider?: ChannelProviderSettingsSchema;
}

/** A model's `routing` (admin API and bootstrap): retries, affinity, strategy. */
export class ModelRoutingSchema {
  @IsOptional() @IsInt() @Min(1) @Max(10) max_attempts?: number;
  @IsOptional() @IsInt() @Min(1) @Max(10) max_channels?: number;
  @IsOptional() @IsBoolean() affinity?: boolean;
  @IsOptional() @IsIn(['weighted', 'latency']) strategy?: 'weighted' | 'latency';
}

/** Rate limits of a token, user or group (admin API and bootstrap). */
export class RateLimitsSchema {
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(0) @Max(10_000_000) rpm?: number | null;
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(0) @Max(1_000_000_000) tpm?: number | null;
  @IsOptional() @ValidateIf((_, value) => value !== null) @IsInt() @Min(0) @Max(100_000) concurrency?: number | null;
}

/** A plain object of the validated class (what is stored as jsonb): no undefined keys. */
export function plainSettings<T extends object>(value: T | undefined | null): Record<string, unknown> {
  return value ? (JSON.parse(JSON.stringify(value)) as Record<string, unknown>) : {};
}
