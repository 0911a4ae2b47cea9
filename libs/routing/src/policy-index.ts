import { PolicyChannel, PolicyGroup, PolicyModel, PolicySnapshot, PolicyToken, PolicyUser } from '@aigw/contracts';
import { weightedPermutation } from './weighted-permutation';

/** One way to serve a logical model: a channel and the name the channel knows the model by. */
export interface Candidate {
  channel: PolicyChannel;
  upstreamModel: string;
  priority: number;
  weight: number;
}

/**
 * A policy snapshot compiled for the hot path, once per policy version:
 * tokens by key hash, and per logical model its candidates grouped in
 * priority tiers (larger priority first). Requests only read it.
 */
export class PolicyIndex {
  readonly version: number;
  private readonly tokensByHash = new Map<string, PolicyToken>();
  private readonly tokensById = new Map<string, PolicyToken>();
  private readonly usersById = new Map<string, PolicyUser>();
  private readonly groupsById = new Map<string, PolicyGroup>();
  private readonly modelsByName = new Map<string, PolicyModel>();
  private readonly tiersByModel = new Map<string, Candidate[][]>();

  constructor(snapshot: PolicySnapshot) {
    this.version = snapshot.version;
    for (const token of snapshot.tokens) {
      this.tokensByHash.set(token.keyHash, token);
      this.tokensById.set(token.id, token);
    }
    for (const user of snapshot.users) this.usersById.set(user.id, user);
    for (const group of snapshot.groups) this.groupsById.set(group.id, group);
    for (const model of snapshot.models) this.modelsByName.set(model.name, model);

    const channels = new Map(snapshot.channels.filter((channel) => channel.status === 'enabled').map((channel) => [channel.id, channel]));
    const candidates = new Map<string, Candidate[]>();
    const add = (model: string, candidate: Candidate) => {
      const list = candidates.get(model) ?? [];
      list.push(candidate);
      candidates.set(model, list);
    };
    const routed = new Set<string>();
    for (const route of snapshot.routes) {
      routed.add(`${route.model}\u0000${route.channelId}`);
      const channel = channels.get(route.channelId);
      if (!route.enabled || !channel) continue;
      add(route.model, {
        channel,
        upstreamModel: route.upstreamModel ?? channel.modelMapping[route.model] ?? route.model,
        priority: route.priority,
        weight: route.weight,
      });
    }
    // A channel's served models make it a candidate for those names where no route says otherwise.
    for (const channel of channels.values()) {
      for (const model of channel.models) {
        if (routed.has(`${model}\u0000${channel.id}`)) continue;
        add(model, { channel, upstreamModel: channel.modelMapping[model] ?? model, priority: channel.priority, weight: channel.weight });
      }
    }
    for (const [model, list] of candidates) {
      const tiers = new Map<number, Candidate[]>();
      for (const candidate of list) tiers.set(candidate.priority, [...(tiers.get(candidate.priority) ?? []), candidate]);
      this.tiersByModel.set(
        model,
        [...tiers.entries()].sort(([a], [b]) => b - a).map(([, tier]) => tier),
      );
    }
  }

  token(keyHash: string): PolicyToken | undefined {
    return this.tokensByHash.get(keyHash);
  }

  tokenById(id: string): PolicyToken | undefined {
    return this.tokensById.get(id);
  }

  user(id: string): PolicyUser | undefined {
    return this.usersById.get(id);
  }

  group(id: string | null): PolicyGroup | undefined {
    return id ? this.groupsById.get(id) : undefined;
  }

  model(name: string): PolicyModel | undefined {
    return this.modelsByName.get(name);
  }

  /** Priority tiers of candidates for a logical model; empty when nothing serves it. */
  tiers(model: string): readonly Candidate[][] {
    return this.tiersByModel.get(model) ?? [];
  }

  /** Logical model names that something can serve, sorted. */
  servableModels(): string[] {
    return [...this.tiersByModel.keys()].sort();
  }
}

/**
 * Attempt order: tiers in priority order; inside a tier a weighted random
 * permutation (Efraimidis–Spirakis: sort by u^(1/w)), so each candidate leads
 * with probability weight / tier weight and the rest stay as fallbacks.
 * Weight 0 candidates come last in their tier.
 */
export function orderCandidates(tiers: readonly Candidate[][], random: () => number = Math.random): Candidate[] {
  const ordered: Candidate[] = [];
  for (const tier of tiers) ordered.push(...weightedPermutation(tier, (candidate) => candidate.weight, random));
  return ordered;
}
