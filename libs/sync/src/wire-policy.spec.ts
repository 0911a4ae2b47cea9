import { SecretCipher, SecretDecryptionError } from '@aigw/config';
import { PolicyChannel, PolicyKind, PolicyRoute, PolicyToken, PolicyUser, WireChannel, WireDelta, WireSnapshot } from '@aigw/contracts';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PolicyDeltaRead, PolicyRead, PolicyRows } from './policy-snapshot.builder';
import { mayServe, mergeRows, mergeWireSnapshot, openChannel, toWireDelta, toWireSnapshot } from './wire-policy';

const cipher = new SecretCipher(randomBytes(32));
const otherCipher = new SecretCipher(randomBytes(32));

function channel(id: string, region: string | null, key: string | null = `sk-plain-${id}-0123456789`, headers: Record<string, string> = {}): PolicyChannel {
  return {
    id,
    name: `name-of-${id}`,
    type: 'openai',
    baseUrl: `https://${id}.upstream.example`,
    key,
    headers,
    models: ['gpt-test'],
    modelMapping: {},
    priority: 0,
    weight: 1,
    region,
    status: 'enabled',
    settings: {},
  };
}

function token(id: string, usedMicros = 0): PolicyToken {
  return {
    id,
    keyHash: `hash-${id}`,
    userId: 'u1',
    status: 'active',
    quotaMicros: null,
    usedMicros,
    models: null,
    ipAllowlist: null,
    expiresAt: null,
    channels: null,
    debug: false,
  };
}

function user(id: string): PolicyUser {
  return { id, status: 'active', groupId: null, balanceMicros: 1_000, admin: false };
}

function route(id: string, channelId: string): PolicyRoute {
  return { id, model: 'gpt-test', channelId, upstreamModel: null, priority: 0, weight: 1, enabled: true };
}

function rows(partial: Partial<PolicyRows> = {}): PolicyRows {
  return { tokens: [], users: [], groups: [], channels: [], models: [], routes: [], ...partial };
}

function noDeletes(partial: Partial<Record<PolicyKind, string[]>> = {}): Record<PolicyKind, string[]> {
  return { tokens: [], users: [], groups: [], channels: [], models: [], routes: [], ...partial };
}

function emptyWire(version: number, partial: Partial<WireSnapshot> = {}): WireSnapshot {
  return { version, built_at: 1_000, tokens: [], users: [], groups: [], channels: [], models: [], routes: [], ...partial };
}

describe('mayServe', () => {
  it('lets an audience without a region (the embedded agent) serve every channel', () => {
    const audience = { region: null, cipher };
    expect(mayServe(audience, { region: null })).toBe(true);
    expect(mayServe(audience, { region: 'eu' })).toBe(true);
    expect(mayServe(audience, { region: 'us' })).toBe(true);
  });

  it('lets a region-bound channel serve only agents of its region; an unbound channel serves all', () => {
    const eu = { region: 'eu', cipher };
    expect(mayServe(eu, { region: 'eu' })).toBe(true);
    expect(mayServe(eu, { region: 'us' })).toBe(false);
    expect(mayServe(eu, { region: null })).toBe(true);
    expect(mayServe({ region: 'us', cipher }, { region: 'eu' })).toBe(false);
  });
});

describe('toWireSnapshot', () => {
  const local = channel('c-eu', 'eu', 'sk-plain-eu-secret-key', { 'x-secret-header': 'hdr-plain-secret' });
  const global = channel('c-all', null, 'sk-plain-global-secret-key');
  const foreign = channel('c-us', 'us', 'sk-plain-us-secret-key');
  const read: PolicyRead = {
    version: 7,
    builtAt: 123_456,
    ...rows({ tokens: [token('t1')], users: [user('u1')], channels: [local, global, foreign] }),
  };

  it('keeps version, built_at and the non-channel rows', () => {
    const wire = toWireSnapshot(read, { region: 'eu', cipher });
    expect(wire.version).toBe(7);
    expect(wire.built_at).toBe(123_456);
    expect(wire.tokens).toEqual([token('t1')]);
    expect(wire.users).toEqual([user('u1')]);
  });

  it("withholds other regions' channels entirely", () => {
    const wire = toWireSnapshot(read, { region: 'eu', cipher });
    expect(wire.channels.map((c) => c.id)).toEqual(['c-eu', 'c-all']);
    const text = JSON.stringify(wire);
    expect(text).not.toContain('sk-plain-us-secret-key');
    expect(text).not.toContain(foreign.name);
    expect(text).not.toContain(foreign.baseUrl);
  });

  it('sends every channel to an audience without a region', () => {
    const wire = toWireSnapshot(read, { region: null, cipher });
    expect(wire.channels.map((c) => c.id)).toEqual(['c-eu', 'c-all', 'c-us']);
  });

  it('seals keys and headers: no plaintext secret anywhere in the serialized snapshot', () => {
    const wire = toWireSnapshot(read, { region: null, cipher });
    const text = JSON.stringify(wire);
    for (const secret of ['sk-plain-eu-secret-key', 'sk-plain-global-secret-key', 'sk-plain-us-secret-key', 'hdr-plain-secret']) {
      expect(text).not.toContain(secret);
    }
    for (const wireChannel of wire.channels) {
      expect(wireChannel).not.toHaveProperty('key');
      expect(wireChannel).not.toHaveProperty('headers');
      expect(typeof wireChannel.key_sealed).toBe('string');
    }
    expect(wire.channels.find((c) => c.id === 'c-eu')?.headers_sealed).toEqual(expect.any(String));
    expect(wire.channels.find((c) => c.id === 'c-all')?.headers_sealed).toBeNull();
  });

  it('keeps a null key null', () => {
    const wire = toWireSnapshot({ version: 1, builtAt: 1, ...rows({ channels: [channel('c-nokey', null, null)] }) }, { region: null, cipher });
    expect(wire.channels[0].key_sealed).toBeNull();
    expect(openChannel(wire.channels[0], cipher).key).toBeNull();
  });

  it('openChannel gives back the plaintext channel (key and headers)', () => {
    const wire = toWireSnapshot(read, { region: 'eu', cipher });
    const opened = wire.channels.map((c) => openChannel(c, cipher));
    expect(opened).toEqual([local, global]);
  });

  it('openChannel throws under the wrong cipher', () => {
    const wire = toWireSnapshot(read, { region: 'eu', cipher });
    expect(() => openChannel(wire.channels[0], otherCipher)).toThrow(SecretDecryptionError);
  });

  it('openChannel refuses a sealed key moved to another channel (bound to the channel id)', () => {
    const wire = toWireSnapshot(read, { region: null, cipher });
    const moved: WireChannel = { ...wire.channels[1], key_sealed: wire.channels[0].key_sealed };
    expect(() => openChannel(moved, cipher)).toThrow(SecretDecryptionError);
  });
});

describe('toWireDelta', () => {
  it('keeps from/to/built_at, seals upserted channels and omits empty kinds', () => {
    const read: PolicyDeltaRead = {
      from: 3,
      to: 5,
      builtAt: 99,
      upserts: rows({ tokens: [token('t1')], channels: [channel('c-eu', 'eu', 'sk-plain-delta-key')] }),
      deletes: noDeletes({ users: ['u-gone'] }),
    };
    const delta = toWireDelta(read, { region: 'eu', cipher });
    expect(delta).toMatchObject({ from: 3, to: 5, built_at: 99 });
    expect(Object.keys(delta.upserts).sort()).toEqual(['channels', 'tokens']);
    expect(delta.deletes).toEqual({ users: ['u-gone'] });
    expect(JSON.stringify(delta)).not.toContain('sk-plain-delta-key');
    expect(openChannel(delta.upserts.channels![0], cipher).key).toBe('sk-plain-delta-key');
  });

  it('turns a channel that moved to another region into a deletion', () => {
    const read: PolicyDeltaRead = {
      from: 3,
      to: 4,
      builtAt: 99,
      upserts: rows({ channels: [channel('c-moved', 'us', 'sk-plain-moved-key'), channel('c-stays', 'eu')] }),
      deletes: noDeletes({ channels: ['c-deleted'] }),
    };
    const delta = toWireDelta(read, { region: 'eu', cipher });
    expect(delta.upserts.channels?.map((c) => c.id)).toEqual(['c-stays']);
    expect(delta.deletes.channels).toEqual(['c-deleted', 'c-moved']);
    expect(JSON.stringify(delta)).not.toContain('sk-plain-moved-key');
  });

  it('sends a moved channel as an upsert to an audience without a region', () => {
    const read: PolicyDeltaRead = { from: 3, to: 4, builtAt: 99, upserts: rows({ channels: [channel('c-moved', 'us')] }), deletes: noDeletes() };
    const delta = toWireDelta(read, { region: null, cipher });
    expect(delta.upserts.channels?.map((c) => c.id)).toEqual(['c-moved']);
    expect(delta.deletes).toEqual({});
  });
});

describe('mergeRows', () => {
  const a = { id: 'a', v: 1 };
  const b = { id: 'b', v: 1 };
  const c = { id: 'c', v: 1 };

  it('keeps the order and replaces an upserted row in place', () => {
    expect(mergeRows([a, b, c], [{ id: 'b', v: 2 }])).toEqual([a, { id: 'b', v: 2 }, c]);
  });

  it('appends new rows after the existing ones, in upsert order', () => {
    expect(mergeRows([a, b], [{ id: 'e', v: 1 }, { id: 'a', v: 3 }, { id: 'd', v: 1 }])).toEqual([{ id: 'a', v: 3 }, b, { id: 'e', v: 1 }, { id: 'd', v: 1 }]);
  });

  it('drops deleted rows (an unknown id is no error)', () => {
    expect(mergeRows([a, b, c], [], ['b', 'zz'])).toEqual([a, c]);
  });

  it('replaces, appends and deletes at once', () => {
    expect(mergeRows([a, b, c], [{ id: 'c', v: 9 }, { id: 'd', v: 1 }], ['a'])).toEqual([b, { id: 'c', v: 9 }, { id: 'd', v: 1 }]);
  });

  it('returns the rows unchanged without upserts or deletes, and does not mutate its input', () => {
    const input = [a, b];
    expect(mergeRows(input)).toEqual([a, b]);
    const merged = mergeRows(input, [{ id: 'a', v: 2 }], ['b']);
    expect(merged).toEqual([{ id: 'a', v: 2 }]);
    expect(input).toEqual([a, b]);
  });
});

describe('mergeWireSnapshot', () => {
  it('takes version and built_at from the delta and merges every kind', () => {
    const sealed = (id: string) => toWireSnapshot({ version: 0, builtAt: 0, ...rows({ channels: [channel(id, null)] }) }, { region: null, cipher }).channels[0];
    const snapshot = emptyWire(3, {
      built_at: 1_000,
      tokens: [token('t1'), token('t2')],
      users: [user('u1')],
      channels: [sealed('c1'), sealed('c2')],
      routes: [route('r1', 'c1'), route('r2', 'c2')],
    });
    const delta: WireDelta = {
      from: 3,
      to: 6,
      built_at: 2_000,
      upserts: { tokens: [token('t2', 500)], users: [user('u2')] },
      deletes: { channels: ['c2'], routes: ['r2'] },
    };
    const next = mergeWireSnapshot(snapshot, delta);
    expect(next.version).toBe(6);
    expect(next.built_at).toBe(2_000);
    expect(next.tokens).toEqual([token('t1'), token('t2', 500)]);
    expect(next.users).toEqual([user('u1'), user('u2')]);
    expect(next.channels.map((c) => c.id)).toEqual(['c1']);
    expect(next.routes).toEqual([route('r1', 'c1')]);
    expect(next.groups).toEqual([]);
    // The input snapshot is left as it was.
    expect(snapshot.version).toBe(3);
    expect(snapshot.tokens).toEqual([token('t1'), token('t2')]);
    expect(snapshot.channels.map((c) => c.id)).toEqual(['c1', 'c2']);
  });
});
