/**
 * Routing and upstream-health settings. The wire form (admin API, bootstrap,
 * the policy snapshot and the jsonb columns) is snake_case, like the rest of
 * the admin API. Every field is optional: what is left out falls back to the
 * global `routing` section of the config file, then to built-in defaults.
 */

/** Per-channel limits, timeouts, circuit breaker and cost. */
export interface ChannelSettings {
  /**
   * What this channel costs us relative to the model's customer price (0.8:
   * the provider charges 80 % of what we bill). Kept on each usage record as
   * `channel_cost_micros` (no group multiplier), so margins can be reported.
   * Default 1.
   */
  cost_ratio?: number;
  /** Requests in flight on this channel at most; beyond it the channel is skipped like an open circuit. null/0: unlimited. */
  max_concurrency?: number | null;
  /** Requests started per rolling minute at most; beyond it the channel is skipped. null/0: unlimited. */
  rpm?: number | null;
  timeouts?: {
    connect_ms?: number;
    /** Request sent → response headers. A timeout here is retried on another candidate. */
    first_byte_ms?: number;
    /** Longest silence between two body chunks. */
    idle_ms?: number;
    /** The whole exchange, streaming included. */
    total_ms?: number;
  };
  /** Provider-specific placement and request shaping (docs/providers.md). */
  provider?: ChannelProviderSettings;
  breaker?: {
    /** false: never open this channel's circuit (failures are still retried elsewhere). */
    enabled?: boolean;
    /** Outcomes remembered (M). */
    window?: number;
    /** Failures among the last M that open the circuit (N). */
    failure_threshold?: number;
    /** Failures in a row that open the circuit. */
    consecutive_failures?: number;
    /** Open time before one half-open probe. */
    cooldown_seconds?: number;
  };
}

/** What a provider type needs besides base URL and key; each field names the types that read it. */
export interface ChannelProviderSettings {
  /** Azure OpenAI: the `api-version` of deployment-style URLs; absent: the v1 API (`/openai/v1`, no api-version). */
  api_version?: string;
  /** Bedrock: the AWS region (us-east-1, …); Vertex: the location (us-central1, global, …). */
  region?: string;
  /** Vertex: the Google Cloud project; default: the service account key's project_id. */
  project?: string;
  /** Top-level request body fields set on every request sent through this channel (after translation). */
  param_overrides?: Record<string, string | number | boolean | null | object>;
}

export type RoutingStrategy = 'weighted' | 'latency';

/** Per logical model (the "route" a client names). */
export interface ModelRouting {
  /** Upstream attempts per client request at most (first try included). */
  max_attempts?: number;
  /** Distinct channels per client request at most. */
  max_channels?: number;
  /** Sticky routing by the caller's session key (header, `user`, `metadata.user_id`). */
  affinity?: boolean;
  /** `latency`: weights inside a tier scaled by each channel's recent time to first token and error rate. */
  strategy?: RoutingStrategy;
}

/** The resolved global routing settings (config file `routing:` section with defaults applied). */
export interface RoutingDefaults {
  maxAttempts: number;
  maxChannels: number;
  retryBudgetRatio: number;
  retryBudgetMinPerSecond: number;
  /** A 429/503 Retry-After up to this long takes the channel out of rotation for that time. */
  retryAfterMaxMs: number;
  breaker: { enabled: boolean; window: number; failureThreshold: number; consecutiveFailures: number; cooldownMs: number };
  /** Consecutive 401/403/insufficient-quota answers that auto-disable a channel. 0: never. */
  autoDisableAfter: number;
  /** Request header carrying the caller's affinity key. */
  affinityHeader: string;
  /** Sticky routing for models that do not say. */
  affinity: boolean;
  strategy: RoutingStrategy;
  /** Seconds between health probes of auto-disabled channels (re-enabled on success). 0: off. */
  probeIntervalSeconds: number;
}

export const DEFAULT_ROUTING: RoutingDefaults = {
  maxAttempts: 3,
  maxChannels: 3,
  retryBudgetRatio: 0.2,
  retryBudgetMinPerSecond: 10,
  retryAfterMaxMs: 60_000,
  breaker: { enabled: true, window: 20, failureThreshold: 10, consecutiveFailures: 5, cooldownMs: 30_000 },
  autoDisableAfter: 3,
  affinityHeader: 'x-session-id',
  affinity: false,
  strategy: 'weighted',
  probeIntervalSeconds: 0,
};

/** Response header naming the route, the chosen channel and the attempts (debug; off by default). */
export const ROUTE_DEBUG_HEADER = 'x-aigw-route';
/** Request header an admin's token sends to ask for ROUTE_DEBUG_HEADER. */
export const ROUTE_DEBUG_REQUEST_HEADER = 'x-aigw-debug';

/**
 * Rate limits of a token, a user (all their tokens) or a group (all its
 * members), per agent unless Redis is configured (then shared by all agents
 * on that Redis). null/0/absent: no limit.
 */
export interface RateLimits {
  /** Requests started per minute. */
  rpm?: number | null;
  /** Prompt + completion tokens per minute (counted when each request ends). */
  tpm?: number | null;
  /** Requests in flight at once. */
  concurrency?: number | null;
}
