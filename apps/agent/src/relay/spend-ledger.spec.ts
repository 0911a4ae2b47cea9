import { PolicySnapshot, PolicyToken, PolicyUser } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { Caller } from './client-auth.util';
import { PolicyStore } from './policy-store';
import { SpendLedger } from './spend-ledger';

const token = (overrides: Partial<PolicyToken> = {}): PolicyToken => ({
  id: 't1', keyHash: 'h', userId: 'u1', status: 'active', quotaMicros: 1_000, usedMicros: 0, models: null, ipAllowlist: null,
  expiresAt: null, channels: null, debug: false, ...overrides,
});
const user = (overrides: Partial<PolicyUser> = {}): PolicyUser => ({ id: 'u1', status: 'active', groupId: null, balanceMicros: 10_000, admin: false, ...overrides });
const snapshot = (version: number, t: PolicyToken, u: PolicyUser, builtAt?: number): PolicySnapshot => ({
  version, builtAt, tokens: [t], users: [u], groups: [], channels: [], models: [], routes: [],
});

function setup(t = token(), u = user()) {
  const store = new PolicyStore();
  const ledger = new SpendLedger(store);
  store.replace(snapshot(1, t, u, 0));
  const caller = (): Caller => {
    const current = store.current.tokenById('t1')!;
    return { token: current, groupId: null, groupRatioPpm: 1_000_000, groupModels: null, groupChannels: null, admin: false };
  };
  return { store, ledger, caller };
}

describe('SpendLedger', () => {
  it('holds reservations against the quota and refuses what does not fit with a 402', () => {
    const { ledger, caller } = setup();
    const first = ledger.reserve(caller(), 600);
    expect(() => ledger.reserve(caller(), 401)).toThrow(expect.objectContaining({ kind: 'quota_exceeded', status: 402 }));
    const second = ledger.reserve(caller(), 400);
    expect(ledger.outstanding()).toEqual({ reservedMicros: 1_000, unconfirmedMicros: 0, reservations: 1 });
    ledger.complete(first, 100);
    ledger.complete(second, 0);
    ledger.complete(second, 0); // idempotent
    expect(ledger.outstanding()).toEqual({ reservedMicros: 0, unconfirmedMicros: 100, reservations: 0 });
    // 100 spent but unconfirmed: 900 left.
    expect(() => ledger.reserve(caller(), 901)).toThrow(/quota is exhausted/);
    ledger.complete(ledger.reserve(caller(), 900), 0);
  });

  it("bounds every token by the owner's balance; unlimited tokens included; free requests always pass", () => {
    const { ledger, caller } = setup(token({ quotaMicros: null }), user({ balanceMicros: 500 }));
    ledger.complete(ledger.reserve(caller(), 400), 400);
    expect(() => ledger.reserve(caller(), 101)).toThrow(/balance is too low/);
    ledger.complete(ledger.reserve(caller(), 0), 0);
  });

  it('confirmed charges move into the policy; a snapshot built before a confirmation gets it re-applied, one built after does not', () => {
    const { store, ledger, caller } = setup();
    ledger.complete(ledger.reserve(caller(), 300), 250);
    const settledAt = Date.now();
    ledger.confirm([{ token_id: 't1', user_id: 'u1', cost_micros: 250 }], settledAt);
    expect(store.current.tokenById('t1')!.usedMicros).toBe(250);
    expect(store.current.user('u1')!.balanceMicros).toBe(9_750);
    expect(ledger.outstanding().unconfirmedMicros).toBe(0);

    // Read before the charge settled: its used is stale, the charge is applied again.
    store.replace(snapshot(2, token({ usedMicros: 0 }), user(), settledAt - 100));
    expect(store.current.tokenById('t1')!.usedMicros).toBe(250);
    // Read after: the database already counts it.
    store.replace(snapshot(3, token({ usedMicros: 250 }), user({ balanceMicros: 9_750 }), settledAt + 100));
    expect(store.current.tokenById('t1')!.usedMicros).toBe(250);
    expect(store.current.user('u1')!.balanceMicros).toBe(9_750);
    expect(() => ledger.reserve(caller(), 751)).toThrow(/quota is exhausted/);
  });

  it('confirms a frame whose charges interleave tokens and users: each gets the sum of its own', () => {
    const store = new PolicyStore();
    const ledger = new SpendLedger(store);
    const t1 = token();
    const t2 = token({ id: 't2', userId: 'u2' });
    store.replace({ ...snapshot(1, t1, user(), 0), tokens: [t1, t2], users: [user(), user({ id: 'u2' })] });
    const caller = (id: string): Caller => ({ token: store.current.tokenById(id)!, groupId: null, groupRatioPpm: 1_000_000, groupModels: null, groupChannels: null, admin: false });
    for (const [id, cost] of [['t1', 100], ['t1', 30], ['t2', 50], ['t1', 7], ['t2', 5]] as const) ledger.complete(ledger.reserve(caller(id), 200), cost);
    ledger.confirm([
      { token_id: 't1', user_id: 'u1', cost_micros: 100 },
      { token_id: 't1', user_id: 'u1', cost_micros: 30 },
      { token_id: 't1', user_id: 'u1', cost_micros: 0 },
      { token_id: 't2', user_id: 'u2', cost_micros: 50 },
      { token_id: 't1', user_id: 'u1', cost_micros: 7 },
      { token_id: null, user_id: 'u1', cost_micros: 11 },
      { token_id: 't2', user_id: 'u2', cost_micros: 5 },
    ]);
    expect(store.current.tokenById('t1')!.usedMicros).toBe(137);
    expect(store.current.tokenById('t2')!.usedMicros).toBe(55);
    expect(store.current.user('u1')!.balanceMicros).toBe(10_000 - 148);
    expect(store.current.user('u2')!.balanceMicros).toBe(10_000 - 55);
    expect(ledger.held('t1', 'u1').tokenUnconfirmed).toBe(0);
    expect(ledger.held('t2', 'u2')).toEqual({ tokenUnconfirmed: 0, tokenReserved: 0, userUnconfirmed: 0, userReserved: 0 });
  });
});
