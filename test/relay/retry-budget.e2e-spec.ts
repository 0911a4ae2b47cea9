/**
 * The retry budget, end to end, on a master of its own (its budget counts
 * every request the agent serves, so it must not share one with other
 * suites): a brown-out — a primary channel failing every request — must not
 * multiply the upstream load. A file of its own, too: two masters in one
 * process would share passport's global JWT strategy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeProvider, ReceivedRequest, startFakeProvider } from '../fake-provider';
import { TestMaster, startTestMaster } from '../support/test-master';

const KEY = 'sk-aigw-budget-tests-0123456789abcdefghijk';
const channelOf = (request: ReceivedRequest) => String(request.headers['x-channel']);

describe('the retry budget caps attempts during a brown-out', () => {
  let fake: FakeProvider;
  let budgetMaster: TestMaster;
  const sentThrough = (name: string) => fake.received.filter((request) => channelOf(request) === name).length;

  beforeAll(async () => {
    fake = await startFakeProvider();
    budgetMaster = await startTestMaster({
      config: {
        routing: { retry_budget_ratio: 0.1, retry_budget_min_per_second: 0 },
        bootstrap: {
          users: [{ username: 'budget', balance_usd: 1000 }],
          tokens: [{ name: 'budget', key: KEY, user: 'budget' }],
          channels: [
            { name: 'brownout', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai, headers: { 'x-channel': 'brownout' }, priority: 10, settings: { breaker: { enabled: false } } },
            { name: 'fallback', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai, headers: { 'x-channel': 'fallback' } },
          ],
          models: [{ name: 'brownout-model', price: { input: 1, output: 2 } }],
          routes: [
            { model: 'brownout-model', channel: 'brownout', upstream_model: 'gpt-4o-mini', priority: 10 },
            { model: 'brownout-model', channel: 'fallback', upstream_model: 'gpt-4o-mini', priority: 0 },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await budgetMaster?.close();
    await fake?.close();
  });

  it('with a 10 % budget, 100 requests against a failing primary make at most ~110 upstream attempts', async () => {
    fake.respondWith((request) => (channelOf(request) === 'brownout' ? { kind: 'error', status: 503 } : { kind: 'fixture', case: 'simpleRequest' }), { times: Infinity });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i += 1) {
      const response = await fetch(new URL('/v1/chat/completions', budgetMaster.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'brownout-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(sentThrough('brownout')).toBe(100);
    // 10 % of the requests in the window may retry (the bucketed window may count one more).
    expect(sentThrough('fallback')).toBeGreaterThanOrEqual(9);
    expect(sentThrough('fallback')).toBeLessThanOrEqual(11);
    expect(statuses.filter((status) => status === 200)).toHaveLength(sentThrough('fallback'));
    expect(statuses.filter((status) => status === 503)).toHaveLength(100 - sentThrough('fallback'));
  });
});
