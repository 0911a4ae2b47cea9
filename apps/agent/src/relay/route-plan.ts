import { ModelRouting, RoutingDefaults, RoutingStrategy } from '@aigw/contracts';
import { Candidate, PolicyIndex, latencyAwareWeight, orderWithHealth, tierBestTtftMs } from '@aigw/routing';
import { GatewayError } from '@aigw/providers';
import { Injectable } from '@nestjs/common';
import { ChannelHealthRegistry } from './channel-health';
import { Caller, callerOf, channelAllowed } from './client-auth.util';

/** The retry/affinity/strategy settings in force for one logical model. */
export interface RouteSettings {
  maxAttempts: number;
  maxChannels: number;
  affinity: boolean;
  strategy: RoutingStrategy;
}

export function routeSettings(routing: ModelRouting | undefined, defaults: RoutingDefaults): RouteSettings {
  return {
    maxAttempts: routing?.max_attempts ?? defaults.maxAttempts,
    maxChannels: routing?.max_channels ?? defaults.maxChannels,
    affinity: routing?.affinity ?? defaults.affinity,
    strategy: routing?.strategy ?? defaults.strategy,
  };
}

/** Priority tiers of the model restricted to the channels the caller may use (empty tiers dropped). */
export function allowedTiers(policy: PolicyIndex, caller: Caller, model: string): Candidate[][] {
  const tiers = policy.tiers(model);
  if (!caller.token.channels && !caller.groupChannels) return tiers as Candidate[][];
  return tiers.map((tier) => tier.filter((candidate) => channelAllowed(caller, candidate.channel.id))).filter((tier) => tier.length > 0);
}

/** Latency-aware effective weight of each candidate (documented in docs/routing.md). */
export function latencyWeights(tiers: readonly Candidate[][], registry: ChannelHealthRegistry): (candidate: Candidate) => number {
  const best = new Map<Candidate, number | null>();
  for (const tier of tiers) {
    const value = tierBestTtftMs(tier.map((candidate) => registry.peek(candidate.channel.id)?.latency));
    for (const candidate of tier) best.set(candidate, value);
  }
  return (candidate) => latencyAwareWeight(candidate.weight, registry.peek(candidate.channel.id)?.latency, best.get(candidate) ?? null);
}

/** Attempt order for one request: tiers, weights (or latency-aware weights), affinity pin first. */
export function orderForRequest(
  tiers: readonly Candidate[][],
  settings: RouteSettings,
  registry: ChannelHealthRegistry,
  affinityKey: string | null,
): Candidate[] {
  const single = tiers.length === 1 && tiers[0].length === 1;
  if (single) return [tiers[0][0]];
  return orderWithHealth(tiers, {
    weightOf: settings.strategy === 'latency' ? latencyWeights(tiers, registry) : undefined,
    preferredChannelId: affinityKey ? registry.affinity.get(affinityKey) : undefined,
  });
}

const MAX_AFFINITY_KEY = 256;

/**
 * The caller's session key when affinity is on for the model: the configured
 * header, else the body's `user` / `prompt_cache_key` (OpenAI) or
 * `metadata.user_id` (Anthropic). Namespaced by token and model, so two
 * tokens never share or probe each other's pins.
 */
export function affinityKeyOf(
  settings: RouteSettings,
  defaults: RoutingDefaults,
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
  tokenId: string,
  model: string,
): string | null {
  if (!settings.affinity) return null;
  const header = headers[defaults.affinityHeader];
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const metadata = (record.metadata && typeof record.metadata === 'object' ? record.metadata : {}) as Record<string, unknown>;
  const raw = [Array.isArray(header) ? header[0] : header, record.user, record.prompt_cache_key, metadata.user_id].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  if (!raw) return null;
  return `${tokenId}\u0000${model}\u0000${raw.slice(0, MAX_AFFINITY_KEY)}`;
}

/** A request's route: its candidates in attempt order and what the dispatcher needs. */
export interface PlannedRoute {
  candidates: Candidate[];
  settings: RouteSettings;
  policyVersion: number;
  affinityKey: string | null;
}

/** Plans each request's route from the policy and this agent's channel health. No I/O. */
@Injectable()
export class RoutePlanner {
  constructor(private readonly health: ChannelHealthRegistry) {}

  /** Throws not_found (in the client's shape, by the caller) when nothing the caller may use serves the model. */
  plan(policy: PolicyIndex, caller: Caller, model: string, headers: Record<string, string | string[] | undefined>, body: unknown): PlannedRoute {
    const tiers = allowedTiers(policy, caller, model);
    if (tiers.length === 0) {
      throw new GatewayError('not_found', `The model ${model} does not exist or you do not have access to it.`, { param: 'model' });
    }
    const settings = routeSettings(policy.model(model)?.routing, this.health.defaults);
    const affinityKey = affinityKeyOf(settings, this.health.defaults, headers, body, caller.token.id, model);
    return { candidates: orderForRequest(tiers, settings, this.health, affinityKey), settings, policyVersion: policy.version, affinityKey };
  }
}

/** One candidate as the routing dry-run reports it. */
export interface DryRunCandidate {
  /** 1-based position in the expected order (tiers by priority, then effective weight). */
  order: number;
  priority: number;
  channel_id: string;
  channel_name: string;
  upstream_model: string;
  weight: number;
  /** Weight used for this request's draw (latency-aware when the strategy says so). */
  effective_weight: number;
  /** Probability of leading its tier. */
  share: number;
  /** closed | open | half_open (circuit), saturated (concurrency/RPM cap), disabled (auto-disable pending). */
  state: string;
  /** Whether a request now would try it (not skipped for its state). */
  eligible: boolean;
}

export interface DryRunResult {
  model: string;
  policy_version: number;
  settings: { max_attempts: number; max_channels: number; affinity: boolean; strategy: RoutingStrategy };
  candidates: DryRunCandidate[];
}

/**
 * The routing decision for a model (and a caller's restrictions) without
 * sending anything: the candidates in expected order, each with its share of
 * its tier and its health state. Random draws are replaced by the expected
 * order (heaviest first), so the answer is deterministic.
 */
export function dryRunRoute(policy: PolicyIndex, registry: ChannelHealthRegistry, model: string, caller: Caller | null): DryRunResult {
  const tiers = caller ? allowedTiers(policy, caller, model) : (policy.tiers(model) as Candidate[][]);
  const settings = routeSettings(policy.model(model)?.routing, registry.defaults);
  const weightOf = settings.strategy === 'latency' ? latencyWeights(tiers, registry) : (candidate: Candidate) => candidate.weight;
  const candidates: DryRunCandidate[] = [];
  for (const tier of tiers) {
    const weighted = tier.map((candidate) => ({ candidate, weight: Math.max(0, weightOf(candidate)) }));
    const total = weighted.reduce((sum, entry) => sum + entry.weight, 0);
    weighted.sort((a, b) => b.weight - a.weight);
    for (const { candidate, weight } of weighted) {
      const health = registry.peek(candidate.channel.id);
      const state = registry.locallyDisabled(candidate.channel, policy.version)
        ? 'disabled'
        : health && health.breakerEnabled && health.breaker.state !== 'closed'
          ? health.breaker.state
          : health?.limiter.saturated
            ? 'saturated'
            : 'closed';
      candidates.push({
        order: candidates.length + 1,
        priority: candidate.priority,
        channel_id: candidate.channel.id,
        channel_name: candidate.channel.name,
        upstream_model: candidate.upstreamModel,
        weight: candidate.weight,
        effective_weight: Math.round(weight * 1000) / 1000,
        share: total > 0 ? Math.round((weight / total) * 10_000) / 10_000 : 1 / tier.length,
        state,
        eligible: state === 'closed' || state === 'half_open',
      });
    }
  }
  return {
    model,
    policy_version: policy.version,
    settings: { max_attempts: settings.maxAttempts, max_channels: settings.maxChannels, affinity: settings.affinity, strategy: settings.strategy },
    candidates,
  };
}

/** The caller a token id stands for, or null when the token or its owner is unknown. */
export function callerForToken(policy: PolicyIndex, tokenId: string): Caller | null {
  const token = policy.tokenById(tokenId);
  const user = token && policy.user(token.userId);
  return token && user ? callerOf(policy, token, user) : null;
}
