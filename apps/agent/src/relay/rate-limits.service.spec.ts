import { PolicyToken } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { Caller } from './client-auth.util';
import { Admission, LocalWindows, RateLimitService } from './rate-limits.service';

const caller = (tokenLimits: object, userLimits: object = {}, groupLimits: object = {}): Caller => ({
  token: { id: 't', userId: 'u', limits: tokenLimits } as unknown as PolicyToken,
  groupId: 'g', groupRatioPpm: 1_000_000, groupModels: null, groupChannels: null, admin: false, userLimits, groupLimits,
});

describe('RateLimitService (in-process counters)', () => {
  it('has no scope, and so nothing to await, when no limit applies', () => {
    const limits = new RateLimitService(null);
    expect(limits.scopes(caller({}, { rpm: 0 }, { tpm: null }))).toEqual([]);
  });

  /** In-process limits admit or refuse synchronously: no promise. */
  const admitNow = (limits: RateLimitService, scopes: ReturnType<RateLimitService['scopes']>): Admission => {
    const admission = limits.admit(scopes);
    expect(admission).not.toBeInstanceOf(Promise);
    return admission as Admission;
  };
  const refusalOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error;
    }
    throw new Error('admitted');
  };

  it('counts requests per minute, and a request one limit refuses counts against none', () => {
    const limits = new RateLimitService(null);
    const scopes = limits.scopes(caller({ rpm: 5 }, { rpm: 2 }));
    const first = admitNow(limits, scopes);
    expect(first.headers).toEqual({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': expect.stringMatching(/^\d+s$/) });
    admitNow(limits, scopes);
    expect(refusalOf(() => limits.admit(scopes))).toMatchObject({ kind: 'rate_limit', message: 'your account reached its limit of 2 requests per minute', options: { retryAfterMs: expect.any(Number) } });
    // The refused request took nothing of the token's 5: 2 counted; this one makes 3, so 2 are left.
    const tokenOnly = limits.scopes(caller({ rpm: 5 }));
    expect(admitNow(limits, tokenOnly).headers['x-ratelimit-remaining-requests']).toBe('2');
  });

  it('checks tokens per minute at the start and charges them at the end; release is idempotent', () => {
    const limits = new RateLimitService(null);
    const scopes = limits.scopes(caller({ tpm: 50 }));
    const admission = admitNow(limits, scopes);
    admission.release(30);
    admission.release(30);
    admitNow(limits, scopes).release(30); // 30 of 50: admitted; now 60
    expect(refusalOf(() => limits.admit(scopes))).toMatchObject({ kind: 'rate_limit', message: 'this API key reached its limit of 50 tokens per minute' });
  });

  it('holds concurrency slots until release', () => {
    const limits = new RateLimitService(null);
    const scopes = limits.scopes(caller({ concurrency: 1 }));
    const held = admitNow(limits, scopes);
    expect(() => limits.admit(scopes)).toThrow('this API key has 1 requests in flight already (its concurrency limit)');
    held.release(0);
    admitNow(limits, scopes).release(0);
  });

  it('keeps a token’s scopes while its limits are the same objects, and builds them anew when one changes', () => {
    const limits = new RateLimitService(null);
    const who = caller({ rpm: 5 }, { rpm: 2 });
    expect(limits.scopes(who)).toBe(limits.scopes({ ...who }));
    const changed = limits.scopes({ ...who, userLimits: { rpm: 3 } });
    expect(changed.map((scope) => scope.limits.rpm)).toEqual([5, 3]);
    expect(limits.scopes({ ...who, groupId: null, groupLimits: { rpm: 1 } })).toHaveLength(2);
    // The same token row given limits of its own later: its scope appears.
    const token = { id: 't2', userId: 'u2', limits: {} } as unknown as PolicyToken;
    const bare: Caller = { ...who, token, userLimits: {}, groupLimits: {} };
    expect(limits.scopes(bare)).toEqual([]);
    token.limits = { rpm: 7 };
    expect(limits.scopes(bare).map((scope) => scope.key)).toEqual(['token:t2']);
  });
});

describe('LocalWindows', () => {
  it('opens a window with a key’s first count and starts afresh when it has ended', () => {
    const windows = new LocalWindows(60_000);
    expect(windows.get('k', 1_000)).toEqual({ points: 0, msBeforeNext: 60_000 });
    expect(windows.add('k', 2, 1_000)).toEqual({ points: 2, msBeforeNext: 60_000 });
    expect(windows.add('k', 3, 31_000)).toEqual({ points: 5, msBeforeNext: 30_000 });
    expect(windows.get('other', 31_000).points).toBe(0);
    expect(windows.get('k', 60_999)).toEqual({ points: 5, msBeforeNext: 1 });
    expect(windows.get('k', 61_000).points).toBe(0);
    expect(windows.add('k', 1, 61_000)).toEqual({ points: 1, msBeforeNext: 60_000 });
  });
});
