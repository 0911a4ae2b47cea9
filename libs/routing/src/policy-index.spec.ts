import { PolicyChannel, PolicySnapshot } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { PolicyIndex, orderCandidates } from './policy-index';

function channel(id: string, overrides: Partial<PolicyChannel> = {}): PolicyChannel {
  return {
    id, name: id, type: 'openai', baseUrl: 'http://upstream', key: 'k', headers: {}, models: [], modelMapping: {},
    priority: 0, weight: 1, region: null, status: 'enabled', settings: {}, ...overrides,
  };
}

function snapshot(overrides: Partial<PolicySnapshot>): PolicySnapshot {
  return { version: 1, tokens: [], users: [], groups: [], channels: [], models: [], routes: [], ...overrides };
}

describe('PolicyIndex', () => {
  it('groups route candidates in priority tiers, larger first, and maps upstream names', () => {
    const index = new PolicyIndex(snapshot({
      channels: [channel('a', { modelMapping: { m: 'm-2025' } }), channel('b'), channel('c'), channel('off', { status: 'disabled' })],
      routes: [
        { id: 'route-1', model: 'm', channelId: 'a', upstreamModel: null, priority: 0, weight: 1, enabled: true },
        { id: 'route-2', model: 'm', channelId: 'b', upstreamModel: 'b-name', priority: 10, weight: 1, enabled: true },
        { id: 'route-3', model: 'm', channelId: 'c', upstreamModel: null, priority: 10, weight: 3, enabled: true },
        { id: 'route-4', model: 'm', channelId: 'off', upstreamModel: null, priority: 99, weight: 1, enabled: true },
        { id: 'route-5', model: 'm', channelId: 'a', upstreamModel: null, priority: 50, weight: 1, enabled: false },
      ],
    }));
    const tiers = index.tiers('m').map((tier) => tier.map((candidate) => `${candidate.channel.id}:${candidate.upstreamModel}`).sort());
    expect(tiers).toEqual([['b:b-name', 'c:m'], ['a:m-2025']]);
  });

  it("makes a channel a candidate for its served models when no route names it", () => {
    const index = new PolicyIndex(snapshot({
      channels: [channel('a', { models: ['x', 'y'], modelMapping: { y: 'y-upstream' }, priority: 3 })],
      routes: [{ id: 'route-6', model: 'x', channelId: 'a', upstreamModel: 'routed-x', priority: 0, weight: 1, enabled: true }],
    }));
    expect(index.tiers('x')).toEqual([[expect.objectContaining({ upstreamModel: 'routed-x', priority: 0 })]]);
    expect(index.tiers('y')).toEqual([[expect.objectContaining({ upstreamModel: 'y-upstream', priority: 3 })]]);
    expect(index.servableModels()).toEqual(['x', 'y']);
    expect(index.tiers('z')).toEqual([]);
  });

  it('orders a tier by weight: the heavier candidate leads about weight/total of the time', () => {
    const index = new PolicyIndex(snapshot({
      channels: [channel('light', { models: ['m'], weight: 1 }), channel('heavy', { models: ['m'], weight: 3 }), channel('low', { models: ['m'], priority: -1 })],
    }));
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let heavyFirst = 0;
    for (let draw = 0; draw < 4000; draw += 1) {
      const order = orderCandidates(index.tiers('m'), random).map((candidate) => candidate.channel.id);
      expect(order).toHaveLength(3);
      expect(order[2]).toBe('low');
      if (order[0] === 'heavy') heavyFirst += 1;
    }
    expect(heavyFirst / 4000).toBeGreaterThan(0.72);
    expect(heavyFirst / 4000).toBeLessThan(0.78);
  });
});
