import { ChannelSettings, PolicyChannel, RoutingDefaults } from '@aigw/contracts';
import { AffinityTable, BreakerOptions, ChannelLimiter, CircuitBreaker, LatencyTracker, RetryBudget } from '@aigw/routing';
import { Inject, Injectable, Logger } from '@nestjs/common';

/** Injection token of the resolved global routing settings (config `routing:`). */
export const ROUTING_DEFAULTS = Symbol('ROUTING_DEFAULTS');

/**
 * Where an agent reports a channel it stopped using for good (repeated
 * 401/403/insufficient quota). The master's embedded agent marks the channel
 * `auto_disabled` with the reason; a remote agent will report over the sync
 * protocol (the master/agent issue). Must not block or throw.
 */
export abstract class ChannelStatusSink {
  abstract disable(channelId: string, reason: string): void;
}

/** A standalone agent without a master link logs the decision. */
@Injectable()
export class LogChannelStatusSink extends ChannelStatusSink {
  private readonly logger = new Logger('channel-health');

  disable(channelId: string, reason: string): void {
    this.logger.warn({ msg: 'channel should be disabled', channelId, reason });
  }
}

/** What the relay keeps about one channel, shared by every request on this agent. */
export class ChannelHealth {
  readonly breaker: CircuitBreaker;
  readonly limiter: ChannelLimiter;
  readonly latency = new LatencyTracker();
  /** 401/403/insufficient-quota answers in a row. */
  credentialFailures = 0;
  /** Set when this agent asked for the channel to be disabled; valid until the next policy version. */
  disabledAtVersion: number | null = null;
  /** The settings object the breaker and limiter were built from (identity, per policy version). */
  settings: ChannelSettings;
  private readonly breakerByDefault: boolean;

  constructor(settings: ChannelSettings, defaults: RoutingDefaults) {
    this.settings = settings;
    this.breakerByDefault = defaults.breaker.enabled;
    this.breaker = new CircuitBreaker(breakerOptions(settings, defaults));
    this.limiter = new ChannelLimiter({ maxConcurrency: settings.max_concurrency ?? null, rpm: settings.rpm ?? null });
  }

  get breakerEnabled(): boolean {
    return this.settings.breaker?.enabled ?? this.breakerByDefault;
  }
}

function breakerOptions(settings: ChannelSettings, defaults: RoutingDefaults): Partial<BreakerOptions> {
  const breaker = settings.breaker ?? {};
  return {
    windowSize: breaker.window ?? defaults.breaker.window,
    failureThreshold: breaker.failure_threshold ?? defaults.breaker.failureThreshold,
    consecutiveFailures: breaker.consecutive_failures ?? defaults.breaker.consecutiveFailures,
    cooldownMs: breaker.cooldown_seconds !== undefined ? breaker.cooldown_seconds * 1000 : defaults.breaker.cooldownMs,
  };
}

/**
 * Per-agent upstream health: a circuit breaker, concurrency/RPM limiter and
 * latency tracker per channel, the agent's retry budget and its affinity
 * pins. In memory, never on the request's critical I/O path.
 */
@Injectable()
export class ChannelHealthRegistry {
  private readonly channels = new Map<string, ChannelHealth>();
  readonly budget: RetryBudget;
  readonly affinity = new AffinityTable();

  constructor(
    @Inject(ROUTING_DEFAULTS) readonly defaults: RoutingDefaults,
    private readonly sink: ChannelStatusSink,
  ) {
    this.budget = new RetryBudget({ ratio: defaults.retryBudgetRatio, minRetriesPerSecond: defaults.retryBudgetMinPerSecond });
  }

  /** The channel's health; rebuilt (counters reset) when an admin changes its settings. */
  of(channel: PolicyChannel): ChannelHealth {
    let health = this.channels.get(channel.id);
    if (!health) {
      health = new ChannelHealth(channel.settings, this.defaults);
      this.channels.set(channel.id, health);
    } else if (health.settings !== channel.settings && JSON.stringify(health.settings) !== JSON.stringify(channel.settings)) {
      const replaced = new ChannelHealth(channel.settings, this.defaults);
      replaced.credentialFailures = health.credentialFailures;
      health = replaced;
      this.channels.set(channel.id, health);
    } else {
      health.settings = channel.settings;
    }
    return health;
  }

  peek(channelId: string): ChannelHealth | undefined {
    return this.channels.get(channelId);
  }

  /** Counts a 401/403/insufficient-quota answer; asks for the channel to be disabled at the threshold. */
  credentialFailure(channel: PolicyChannel, policyVersion: number, status: number, kind: string): void {
    const health = this.of(channel);
    health.credentialFailures += 1;
    const threshold = this.defaults.autoDisableAfter;
    if (threshold <= 0 || health.credentialFailures < threshold || health.disabledAtVersion === policyVersion) return;
    health.disabledAtVersion = policyVersion;
    const reason = `the upstream answered ${status} (${kind}) ${health.credentialFailures} times in a row; last at ${new Date().toISOString()}`;
    try {
      this.sink.disable(channel.id, reason);
    } catch {
      // a failed report leaves the channel skipped locally until the next policy version
    }
  }

  /** True while this agent has asked for the channel to be disabled and no newer policy has arrived. */
  locallyDisabled(channel: PolicyChannel, policyVersion: number): boolean {
    const health = this.channels.get(channel.id);
    if (!health || health.disabledAtVersion === null) return false;
    if (health.disabledAtVersion === policyVersion) return true;
    // A newer policy decides (an admin may have re-enabled it): start counting afresh.
    health.disabledAtVersion = null;
    health.credentialFailures = 0;
    return false;
  }
}
