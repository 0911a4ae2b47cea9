import type { Candidate } from './policy-index';
import { weightedPermutation } from './weighted-permutation';

/** Inputs of {@link orderWithHealth} besides the tiers. */
export interface OrderWithHealthOptions {
  /** Uniform [0, 1) source (default Math.random); inject a seeded one in tests. */
  random?: () => number;
  /** Effective weight of a candidate, e.g. via `latencyAwareWeight` (default: `candidate.weight`). */
  weightOf?: (candidate: Candidate) => number;
  /** Affinity: this channel's candidate, if present, goes first, before all tiers, and nowhere else. */
  preferredChannelId?: string;
}

/**
 * Attempt order like `orderCandidates` (tiers in priority order, a weighted
 * random permutation inside each tier, weight ≤ 0 last in its tier), with:
 * - weights taken from `weightOf`, so health and latency can reshape them;
 * - the candidate of `preferredChannelId` (the first one found, in tier
 *   order) moved to the very front, whatever its tier; its tier is shuffled
 *   without it. An id that matches no candidate changes nothing.
 */
export function orderWithHealth(tiers: readonly Candidate[][], options: OrderWithHealthOptions = {}): Candidate[] {
  const { random = Math.random, weightOf = (candidate: Candidate) => candidate.weight, preferredChannelId } = options;
  const preferred = preferredChannelId === undefined ? undefined : tiers.flat().find((candidate) => candidate.channel.id === preferredChannelId);
  const ordered: Candidate[] = preferred ? [preferred] : [];
  for (const tier of tiers) {
    const rest = preferred && tier.includes(preferred) ? tier.filter((candidate) => candidate !== preferred) : tier;
    ordered.push(...weightedPermutation(rest, weightOf, random));
  }
  return ordered;
}
