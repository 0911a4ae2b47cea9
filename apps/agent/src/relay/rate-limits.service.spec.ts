import { PolicyToken } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { Caller } from './client-auth.util';
import { RateLimitService } from './rate-limits.service';

const caller = (tokenLimits: object, userLimits: object = {}, groupLimits: object = {}): Caller => ({
  token: { id: 't', userId: 'u', limits: tokenLimits } as unknown as PolicyToken,
  groupId: 'g', groupRatioPpm: 1_000_000, groupModels: null, groupChannels: null, admin: false, userLimits, groupLimits,
});

describe('RateLimitService (in-process counters)', () => {
  it('has no scope, and so nothing to await, when no limit applies', () => {
    const limits = new RateLimitService(null);
    expect(limits.scopes(caller({}, { rpm: 0 }, { tpm: null }))).toEqual([]);
  });

  it('counts requests per minute and gives a refused scope’s siblings their request back', async () => {
    const limits = new RateLimitService(null);
    const scopes = limits.scopes(caller({ rpm: 5 }, { rpm: 2 }));
    const first = await limits.admit(scopes);
    expect(first.headers).toEqual({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': expect.stringMatching(/^\d+s$/) });
    await limits.admit(scopes);
    await expect(limits.admit(scopes)).rejects.toMatchObject({ kind: 'rate_limit', message: 'your account reached its limit of 2 requests per minute' });
    // The refused request's token count was refunded: 2 kept of 5; this one makes 3, so 2 are left.
    const tokenOnly = limits.scopes(caller({ rpm: 5 }));
    expect((await limits.admit(tokenOnly)).headers['x-ratelimit-remaining-requests']).toBe('2');
  });

  it('checks tokens per minute at the start and charges them at the end; release is idempotent', async () => {
    const limits = new RateLimitService(null);
    const scopes = limits.scopes(caller({ tpm: 50 }));
    const admission = await limits.admit(scopes);
    admission.release(60);
    admission.release(60);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(limits.admit(scopes)).rejects.toMatchObject({ kind: 'rate_limit', options: { retryAfterMs: expect.any(Number) } });
  });

  it('holds concurrency slots until release', async () => {
    const limits = new RateLimitService(null);
    const scopes = limits.scopes(caller({ concurrency: 1 }));
    const held = await limits.admit(scopes);
    await expect(limits.admit(scopes)).rejects.toThrow('this API key has 1 requests in flight already (its concurrency limit)');
    held.release(0);
    (await limits.admit(scopes)).release(0);
  });
});
