import { PolicyChannel } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { orderWithHealth } from './candidate-order';
import { Candidate, orderCandidates } from './policy-index';

function candidate(id: string, priority: number, weight: number): Candidate {
  const channel: PolicyChannel = {
    id, name: id, type: 'openai', baseUrl: 'http://upstream', key: 'k', headers: {}, models: ['m'], modelMapping: {},
    priority, weight, region: null, status: 'enabled', settings: {},
  };
  return { channel, upstreamModel: 'm', priority, weight };
}

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

const ids = (order: Candidate[]) => order.map((c) => c.channel.id);

describe('orderWithHealth', () => {
  const tiers = [[candidate('a', 10, 1), candidate('b', 10, 1)], [candidate('c', 0, 1), candidate('d', 0, 1)]];

  it('puts the preferred channel first, even from a lower tier, and nowhere else', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const order = ids(orderWithHealth(tiers, { random: seeded(seed), preferredChannelId: 'd' }));
      expect(order[0]).toBe('d');
      expect(order).toHaveLength(4);
      expect(order.slice(1, 3).sort()).toEqual(['a', 'b']);
      expect(order[3]).toBe('c');
    }
  });

  it('changes nothing when the preferred id is absent: same order as orderCandidates for the same draws', () => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const withAbsent = ids(orderWithHealth(tiers, { random: seeded(seed), preferredChannelId: 'zzz' }));
      expect(withAbsent).toEqual(ids(orderCandidates(tiers, seeded(seed))));
      expect(withAbsent).toEqual(ids(orderWithHealth(tiers, { random: seeded(seed) })));
    }
  });

  it('uses weightOf: a weight-0 candidate comes last in its tier', () => {
    const tier = [candidate('zero', 0, 1), candidate('x', 0, 1), candidate('y', 0, 1)];
    const weightOf = (c: Candidate) => (c.channel.id === 'zero' ? 0 : c.weight);
    for (let seed = 1; seed <= 50; seed += 1) {
      const order = ids(orderWithHealth([tier, [candidate('low', -1, 1)]], { random: seeded(seed), weightOf }));
      expect(order[2]).toBe('zero');
      expect(order[3]).toBe('low');
    }
  });

  it('leads with each candidate about weightOf / tier total of the time (4000 draws, ±3 points)', () => {
    const tier = [candidate('a', 0, 1), candidate('b', 0, 1), candidate('c', 0, 1)];
    const effective: Record<string, number> = { a: 1, b: 2, c: 5 }; // overrides the stored weight of 1
    const random = seeded(7);
    const firsts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let draw = 0; draw < 4000; draw += 1) {
      firsts[orderWithHealth([tier], { random, weightOf: (c) => effective[c.channel.id] })[0].channel.id] += 1;
    }
    expect(Math.abs(firsts.a / 4000 - 1 / 8)).toBeLessThan(0.03);
    expect(Math.abs(firsts.b / 4000 - 2 / 8)).toBeLessThan(0.03);
    expect(Math.abs(firsts.c / 4000 - 5 / 8)).toBeLessThan(0.03);
  });
});
