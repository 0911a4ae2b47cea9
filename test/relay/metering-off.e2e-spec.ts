/**
 * `relay_metering: false` (for benchmarks): the relay keeps no usage record
 * and checks no quota or rate limit. Production always meters; this is what
 * the benchmark's "metering off" row runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeProvider, startFakeProvider } from '../fake-provider';
import { TestMaster, startTestMaster } from '../support/test-master';

const KEY = 'sk-aigw-metering-off-0123456789abcdefghij';

describe('relay_metering: false', () => {
  let fake: FakeProvider;
  let master: TestMaster;

  beforeAll(async () => {
    fake = await startFakeProvider();
    master = await startTestMaster({
      config: {
        relay_metering: false,
        bootstrap: {
          users: [{ username: 'unmetered' }],
          channels: [{ name: 'unmetered-openai', type: 'openai', base_url: `${fake.url}/v1`, key: fake.keys.openai }],
          models: [{ name: 'unmetered-model', price: { input: 1, output: 2 } }],
          routes: [{ model: 'unmetered-model', channel: 'unmetered-openai', upstream_model: 'gpt-4o-mini' }],
          tokens: [{ name: 'no-budget', key: KEY, user: 'unmetered', quota_usd: 0, limits: { rpm: 1 } }],
        },
      },
    });
  });
  afterAll(async () => {
    await master?.close();
    await fake?.close();
  });

  it('serves a key with no budget and an rpm of 1 as often as asked, and records nothing', async () => {
    for (let i = 0; i < 3; i += 1) {
      const response = await fetch(new URL('/v1/chat/completions', master.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'unmetered-model', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
      await response.arrayBuffer();
    }
    expect(fake.received).toHaveLength(3);
    const [{ n }] = await master.master.database.dataSource.query('SELECT count(*)::int AS n FROM usage_logs');
    expect(n).toBe(0);
  });
});
