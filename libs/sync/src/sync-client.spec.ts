import { SecretCipher } from '@aigw/config';
import {
  AgentMessage,
  PolicyChannel,
  PolicySnapshot,
  PolicyToken,
  PolicyUser,
  SYNC_CLOSE,
  SYNC_PROTOCOL,
  UsageRecord,
  usageCharge,
  WireChannel,
  WireDelta,
  WireSnapshot,
} from '@aigw/contracts';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnapshotFile } from './snapshot-file';
import { testChannel } from '../../../test/support/policy-channel';
import { SyncClient } from './sync-client';
import { usageFrameBytes } from './usage-frame';
import { AgentUsageSpool, LinkEvents, PolicyTarget, SyncClientOptions } from './sync-options';
import { UsageSpool } from './usage-spool';

// ------------------------------------------------------------------ fakes

/** One connection attempt of the fake dialer: what the client sent, and a handle to play the master. */
class FakeLink {
  readonly sent: AgentMessage[] = [];
  /** Each message as it was handed to the link, with the callback that says the link has written it. */
  readonly raw: Array<{ bytes: string | Buffer; written?: () => void }> = [];
  readonly closedByClient: Array<{ code?: number; reason?: string }> = [];

  constructor(readonly events: LinkEvents) {}

  open(): void {
    this.events.open();
  }

  deliver(message: unknown): void {
    this.events.message(JSON.stringify(message));
  }

  welcome(extra: Record<string, unknown> = {}): void {
    this.deliver({ type: 'welcome', protocol: SYNC_PROTOCOL, agent_id: 'agent-1', heartbeat_ms: 600_000, head: 0, ...extra });
  }

  close(code: number, reason = ''): void {
    this.events.close(code, reason);
  }

  sentOf<T extends AgentMessage['type']>(type: T): Array<Extract<AgentMessage, { type: T }>> {
    return this.sent.filter((message): message is Extract<AgentMessage, { type: T }> => message.type === type);
  }
}

/** `(events) => link`: records every connection attempt; the test answers (or not) through FakeLink. */
class FakeDialer {
  readonly links: FakeLink[] = [];
  private readonly waiters: Array<{ count: number; resolve: (link: FakeLink) => void }> = [];

  readonly dial = (events: LinkEvents) => {
    const link = new FakeLink(events);
    this.links.push(link);
    for (const waiter of [...this.waiters]) {
      if (this.links.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(this.links[waiter.count - 1]);
      }
    }
    return {
      send: (text: string | Buffer, written?: () => void) => {
        link.raw.push({ bytes: text, written });
        link.sent.push(JSON.parse(text.toString()) as AgentMessage);
      },
      close: (code?: number, reason?: string) => link.closedByClient.push({ code, reason }),
    };
  };

  get last(): FakeLink {
    const link = this.links.at(-1);
    if (!link) throw new Error('nothing was dialed');
    return link;
  }

  /** Resolves with the `count`-th connection attempt once it was made. */
  dialed(count: number): Promise<FakeLink> {
    if (this.links.length >= count) return Promise.resolve(this.links[count - 1]);
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

class FakeTarget implements PolicyTarget {
  readonly calls: Array<{ snapshot: PolicySnapshot; fresh?: { tokens: ReadonlySet<string>; users: ReadonlySet<string> } }> = [];

  replace(snapshot: PolicySnapshot, fresh?: { tokens: ReadonlySet<string>; users: ReadonlySet<string> }): void {
    this.calls.push({ snapshot, fresh });
  }

  get current(): PolicySnapshot | undefined {
    return this.calls.at(-1)?.snapshot;
  }
}

const PENDING = Symbol('pending');
/** Whether a promise has already settled (native promises: an already-settled one wins the race). */
async function hasResolved(promise: Promise<unknown>): Promise<boolean> {
  return (await Promise.race([promise, Promise.resolve(PENDING)])) !== PENDING;
}

// --------------------------------------------------------------- fixtures

const cipher = new SecretCipher(randomBytes(32));
const strangerCipher = new SecretCipher(randomBytes(32));

function token(id: string, usedMicros = 0): PolicyToken {
  return { id, keyHash: `hash-${id}`, userId: 'u1', status: 'active', quotaMicros: null, usedMicros, models: null, ipAllowlist: null, expiresAt: null, channels: null, debug: false };
}

function user(id: string, balanceMicros = 1_000): PolicyUser {
  return { id, status: 'active', groupId: null, balanceMicros, admin: false };
}

function plainChannel(id: string, key: string | null): PolicyChannel {
  return testChannel('openai', { id, name: `channel ${id}`, baseUrl: `https://${id}.upstream.example`, key, models: ['gpt-test'] });
}

/** A wire channel built by hand: the key sealed with `sealer`, bound to the channel id. */
function wireChannel(id: string, key: string | null, sealer: SecretCipher = cipher): WireChannel {
  const { key: _key, headers: _headers, ...rest } = plainChannel(id, key);
  return { ...rest, key_sealed: key === null ? null : sealer.seal(key, id), headers_sealed: null };
}

function snapshot(version: number, partial: Partial<WireSnapshot> = {}): WireSnapshot {
  return { version, built_at: 10_000 + version, tokens: [], users: [], groups: [], channels: [], models: [], routes: [], ...partial };
}

function delta(from: number, to: number, upserts: WireDelta['upserts'] = {}, deletes: WireDelta['deletes'] = {}): WireDelta {
  return { from, to, built_at: 20_000 + to, upserts, deletes };
}

const KEY_1 = 'sk-plain-key-one-0123456789';
const KEY_2 = 'sk-plain-key-two-9876543210';

/** Version 3: tokens t1 t2, user u1, channels c1 (KEY_1) and c2 (KEY_2), route r1. */
function baseSnapshot(): WireSnapshot {
  return snapshot(3, {
    tokens: [token('t1'), token('t2')],
    users: [user('u1')],
    channels: [wireChannel('c1', KEY_1), wireChannel('c2', KEY_2)],
    routes: [{ id: 'r1', model: 'gpt-test', channelId: 'c1', upstreamModel: null, priority: 0, weight: 1, enabled: true }],
  });
}

function usage(n: number): UsageRecord {
  return {
    request_id: `agent-1.req-${n}`,
    token_id: null,
    user_id: null,
    agent_id: 'agent-1',
    model: 'gpt-test',
    prompt_tokens: n,
    completion_tokens: 1,
    cost_micros: 10 * n,
    latency_ms: 5,
    status: 200,
    created_at: new Date(1_700_000_000_000 + n).toISOString(),
  };
}

// ------------------------------------------------------------------ suite

describe('SyncClient', () => {
  let dialer: FakeDialer;
  let target: FakeTarget;
  let clients: SyncClient[];
  let temp: string | null;

  const createClient = (options: Partial<SyncClientOptions> = {}) => {
    const client = new SyncClient({ dial: dialer.dial, cipher, target, build: 'test-build', backoffBaseMs: 10, backoffMaxMs: 40, ...options });
    clients.push(client);
    return client;
  };

  /** A started client whose first connection is open (hello sent), optionally welcomed. */
  const connectedClient = async (options: Partial<SyncClientOptions> = {}, welcome = true) => {
    const client = createClient(options);
    await client.start();
    const link = dialer.last;
    link.open();
    if (welcome) link.welcome();
    return { client, link };
  };

  const connected = connectedClient;

  /** A connected client with baseSnapshot() applied. */
  const synced = async (options: Partial<SyncClientOptions> = {}) => {
    const { client, link } = await connected(options);
    link.deliver({ type: 'snapshot', snapshot: baseSnapshot() });
    expect(client.version).toBe(3);
    link.sent.length = 0;
    return { client, link };
  };

  const tempDir = async () => {
    temp ??= await mkdtemp(join(tmpdir(), 'sync-client-'));
    return temp;
  };

  beforeEach(() => {
    dialer = new FakeDialer();
    target = new FakeTarget();
    clients = [];
    temp = null;
  });

  afterEach(async () => {
    await Promise.all(clients.map((client) => client.stop()));
    vi.useRealTimers();
    vi.restoreAllMocks();
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  describe('handshake', () => {
    it('dials at start() and sends hello with protocol 2 and applied_version 0 on open', async () => {
      const client = createClient();
      expect(dialer.links).toHaveLength(0);
      await client.start();
      expect(dialer.links).toHaveLength(1);
      expect(dialer.last.sent).toEqual([]);
      dialer.last.open();
      expect(dialer.last.sent).toEqual([{ type: 'hello', protocol: 2, build: 'test-build', applied_version: 0 }]);
      expect(SYNC_PROTOCOL).toBe(2);
      expect(client.connected).toBe(false);
      dialer.last.welcome();
      expect(client.connected).toBe(true);
    });

    it('reports connection up on welcome and down on close', async () => {
      const client = createClient();
      const events: boolean[] = [];
      client.onConnection((up) => events.push(up));
      await client.start();
      dialer.last.open();
      expect(events).toEqual([]);
      dialer.last.welcome();
      dialer.last.close(1006, 'gone');
      expect(events).toEqual([true, false]);
      expect(client.connected).toBe(false);
    });
  });

  describe('snapshots', () => {
    it('applies a snapshot with plaintext channel keys, acknowledges it, and resolves ready()', async () => {
      const { client, link } = await connected();
      const applied: number[] = [];
      client.onApplied((version) => applied.push(version));
      expect(await hasResolved(client.ready())).toBe(false);

      const wire = baseSnapshot();
      link.deliver({ type: 'snapshot', snapshot: wire });

      expect(target.calls).toHaveLength(1);
      const policy = target.calls[0].snapshot;
      expect(policy.version).toBe(3);
      expect(policy.builtAt).toBe(wire.built_at);
      expect(policy.tokens).toEqual(wire.tokens);
      expect(policy.users).toEqual(wire.users);
      expect(policy.routes).toEqual(wire.routes);
      expect(policy.channels).toEqual([plainChannel('c1', KEY_1), plainChannel('c2', KEY_2)]);
      expect(target.calls[0].fresh).toBeUndefined();
      expect(link.sent.at(-1)).toEqual({ type: 'ack', version: 3 });
      expect(link.sentOf('resync')).toEqual([]);
      expect(client.version).toBe(3);
      expect(applied).toEqual([3]);
      expect(await hasResolved(client.ready())).toBe(true);
    });

    it('keeps a channel without a key keyless', async () => {
      const { link } = await connected();
      link.deliver({ type: 'snapshot', snapshot: snapshot(1, { channels: [wireChannel('c-free', null)] }) });
      expect(target.current?.channels).toEqual([plainChannel('c-free', null)]);
    });

    it('replaces the whole policy with a later snapshot', async () => {
      const { client, link } = await synced();
      link.deliver({ type: 'snapshot', snapshot: snapshot(9, { tokens: [token('t9')] }) });
      expect(client.version).toBe(9);
      expect(target.current).toMatchObject({ version: 9, tokens: [token('t9')], channels: [], users: [] });
      expect(link.sent).toEqual([{ type: 'ack', version: 9 }]);
    });
  });

  describe('deltas', () => {
    it('merges a delta that follows the applied version and acknowledges it', async () => {
      const { client, link } = await synced();
      const KEY_1_ROTATED = 'sk-plain-key-one-rotated-000';
      link.deliver({
        type: 'delta',
        delta: delta(
          3,
          5,
          { tokens: [token('t2', 777), token('t3')], users: [user('u2')], channels: [wireChannel('c1', KEY_1_ROTATED)] },
          { channels: ['c2'], routes: ['r1'], tokens: ['t1'] },
        ),
      });

      expect(target.calls).toHaveLength(2);
      const { snapshot: policy, fresh } = target.calls[1];
      expect(policy.version).toBe(5);
      expect(policy.builtAt).toBe(20_005);
      expect(policy.tokens).toEqual([token('t2', 777), token('t3')]);
      expect(policy.users).toEqual([user('u1'), user('u2')]);
      expect(policy.channels).toEqual([plainChannel('c1', KEY_1_ROTATED)]);
      expect(policy.routes).toEqual([]);
      expect(fresh).toBeDefined();
      expect([...fresh!.tokens].sort()).toEqual(['t2', 't3']);
      expect([...fresh!.users]).toEqual(['u2']);
      expect(link.sent).toEqual([{ type: 'ack', version: 5 }]);
      expect(client.version).toBe(5);
    });

    it('keeps rows in place when a delta replaces them, and channels it does not touch', async () => {
      const { link } = await synced();
      link.deliver({ type: 'delta', delta: delta(3, 4, { tokens: [token('t1', 5)] }) });
      const call = target.calls[1];
      expect(call.snapshot.tokens).toEqual([token('t1', 5), token('t2')]);
      expect(call.snapshot.channels).toEqual([plainChannel('c1', KEY_1), plainChannel('c2', KEY_2)]);
      expect([...call.fresh!.tokens]).toEqual(['t1']);
      expect([...call.fresh!.users]).toEqual([]);
    });

    it('applies consecutive deltas one after the other', async () => {
      const { client, link } = await synced();
      link.deliver({ type: 'delta', delta: delta(3, 4, { users: [user('u1', 5)] }) });
      link.deliver({ type: 'delta', delta: delta(4, 6, {}, { users: ['u1'] }) });
      expect(client.version).toBe(6);
      expect(target.current?.users).toEqual([]);
      expect(link.sent).toEqual([
        { type: 'ack', version: 4 },
        { type: 'ack', version: 6 },
      ]);
    });

    it('ignores a replayed or stale delta (no replace, no ack, no resync)', async () => {
      const { client, link } = await synced();
      link.deliver({ type: 'delta', delta: delta(3, 5, { tokens: [token('t1', 1)] }) });
      expect(target.calls).toHaveLength(2);
      link.sent.length = 0;

      link.deliver({ type: 'delta', delta: delta(3, 5, { tokens: [token('t1', 999)] }) });
      link.deliver({ type: 'delta', delta: delta(4, 5, { tokens: [token('t1', 999)] }) });
      link.deliver({ type: 'delta', delta: delta(1, 2, { tokens: [token('t1', 999)] }) });

      expect(target.calls).toHaveLength(2);
      expect(link.sent).toEqual([]);
      expect(client.version).toBe(5);
      expect(target.current?.tokens[0]).toEqual(token('t1', 1));
    });

    it('asks for a resync on a gap and does not apply the delta', async () => {
      const { client, link } = await synced();
      link.deliver({ type: 'delta', delta: delta(4, 6, { tokens: [token('t-gap')] }) });
      expect(target.calls).toHaveLength(1);
      expect(client.version).toBe(3);
      expect(link.sent).toEqual([{ type: 'resync', reason: expect.any(String) }]);
    });

    it('asks for a resync on a delta before any snapshot', async () => {
      const { client, link } = await connected();
      link.deliver({ type: 'delta', delta: delta(0, 2, { tokens: [token('t1')] }) });
      expect(target.calls).toEqual([]);
      expect(client.version).toBe(0);
      expect(link.sentOf('resync')).toHaveLength(1);
      expect(link.sentOf('ack')).toEqual([]);
      expect(await hasResolved(client.ready())).toBe(false);
    });
  });

  describe('frames that do not open', () => {
    it('asks for a resync on a snapshot sealed under another key and keeps the old policy', async () => {
      const { client, link } = await synced();
      link.deliver({ type: 'snapshot', snapshot: snapshot(8, { channels: [wireChannel('c1', 'sk-other', strangerCipher)] }) });
      expect(target.calls).toHaveLength(1);
      expect(target.current?.version).toBe(3);
      expect(client.version).toBe(3);
      expect(link.sent).toEqual([{ type: 'resync', reason: expect.any(String) }]);

      // The old policy is still the base for the next delta.
      link.deliver({ type: 'delta', delta: delta(3, 4, { users: [user('u9')] }) });
      expect(client.version).toBe(4);
      expect(target.current?.channels).toEqual([plainChannel('c1', KEY_1), plainChannel('c2', KEY_2)]);
    });

    it('asks for a resync on a delta sealed under another key and keeps the old policy', async () => {
      const { client, link } = await synced();
      link.deliver({ type: 'delta', delta: delta(3, 4, { channels: [wireChannel('c1', 'sk-other', strangerCipher)] }) });
      expect(target.calls).toHaveLength(1);
      expect(client.version).toBe(3);
      expect(link.sent).toEqual([{ type: 'resync', reason: expect.any(String) }]);
    });

    it('asks for a resync on a channel key sealed for another channel id', async () => {
      const { client, link } = await synced();
      const moved: WireChannel = { ...wireChannel('c2', KEY_2), key_sealed: cipher.seal(KEY_1, 'c1') };
      link.deliver({ type: 'delta', delta: delta(3, 4, { channels: [moved] }) });
      expect(client.version).toBe(3);
      expect(target.calls).toHaveLength(1);
      expect(link.sentOf('resync')).toHaveLength(1);
    });

    it('does not resolve ready() when the first snapshot does not open', async () => {
      const { client, link } = await connected();
      link.deliver({ type: 'snapshot', snapshot: snapshot(2, { channels: [wireChannel('c1', KEY_1, strangerCipher)] }) });
      expect(await hasResolved(client.ready())).toBe(false);
      expect(link.sentOf('resync')).toHaveLength(1);
      expect(client.version).toBe(0);
    });
  });

  describe('forward compatibility', () => {
    it('ignores unknown message types', async () => {
      const { client, link } = await synced();
      link.deliver({ type: 'policy_hint_v9', anything: { nested: true } });
      link.deliver({ type: 'heartbeat', head: 3 });
      expect(link.sent).toEqual([]);
      expect(target.calls).toHaveLength(1);
      expect(client.connected).toBe(true);
      expect(link.closedByClient).toEqual([]);
    });

    it('ignores unknown fields in messages, snapshots, deltas and rows', async () => {
      const { client, link } = await connected();
      link.welcome({ feature_flags: ['x'], region_hint: 'eu' });
      const wire = { ...baseSnapshot(), widgets: [{ id: 'w1' }], compression: 'none' };
      link.deliver({ type: 'snapshot', snapshot: wire, shard: 1, trace_id: 'abc' });
      expect(client.version).toBe(3);
      expect(link.sent.at(-1)).toEqual({ type: 'ack', version: 3 });

      link.deliver({
        type: 'delta',
        delta: {
          ...delta(3, 4),
          upserts: { tokens: [{ ...token('t1', 50), future_field: 1 }], widgets: [{ id: 'w2' }] },
          deletes: { widgets: ['w1'] },
          checksum: 'deadbeef',
        },
        priority: 'high',
      });
      expect(client.version).toBe(4);
      expect(target.current?.tokens.map((t) => [t.id, t.usedMicros])).toEqual([
        ['t1', 50],
        ['t2', 0],
      ]);
      expect(link.sentOf('resync')).toEqual([]);
      expect(link.sent.at(-1)).toEqual({ type: 'ack', version: 4 });
    });
  });

  describe('reconnection', () => {
    it('on close 4003 (revoked) calls onRevoked, reports revoked and never dials again', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const onRevoked = vi.fn();
      const { client, link } = await connected({ onRevoked });
      expect(client.revoked).toBe(false);

      link.close(SYNC_CLOSE.revoked, 'agent revoked by admin');

      expect(onRevoked).toHaveBeenCalledTimes(1);
      expect(onRevoked).toHaveBeenCalledWith('agent revoked by admin');
      expect(client.revoked).toBe(true);
      expect(client.connected).toBe(false);
      await vi.advanceTimersByTimeAsync(100 * 40 + 60_000);
      expect(dialer.links).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('on any other close dials again within the backoff maximum, every time', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      // The longest delay full jitter can draw.
      vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
      const onRevoked = vi.fn();
      await connected({ onRevoked, backoffBaseMs: 10, backoffMaxMs: 40 }, false);

      const codes = [1006, SYNC_CLOSE.restart, SYNC_CLOSE.violation, 1000, SYNC_CLOSE.replaced, 1011, 1006, 1006];
      for (const [i, code] of codes.entries()) {
        dialer.last.close(code, 'bye');
        expect(dialer.links).toHaveLength(i + 1);
        await vi.advanceTimersByTimeAsync(40);
        expect(dialer.links).toHaveLength(i + 2);
      }
      expect(onRevoked).not.toHaveBeenCalled();
    });

    it('waits (jitter) before dialing again rather than dialing at once', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      vi.spyOn(Math, 'random').mockReturnValue(0.5);
      await connected({ backoffBaseMs: 10, backoffMaxMs: 40 }, false);
      dialer.last.close(1006, 'bye');
      await vi.advanceTimersByTimeAsync(4); // 0.5 × 10 = 5 ms
      expect(dialer.links).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(dialer.links).toHaveLength(2);
    });

    it('says hello with the applied version on the next connection and ignores the old link', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const { link: first } = await synced();
      first.close(1006, 'network');
      await vi.advanceTimersByTimeAsync(40);
      expect(dialer.links).toHaveLength(2);
      const second = dialer.last;
      second.open();
      expect(second.sent).toEqual([{ type: 'hello', protocol: 2, build: 'test-build', applied_version: 3 }]);

      // Frames on the old link are no longer the client's business.
      first.deliver({ type: 'snapshot', snapshot: snapshot(50) });
      expect(target.calls).toHaveLength(1);
      expect(first.sent).toEqual([]);
    });

    it('does not dial again after stop()', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const { client, link } = await connected();
      await client.stop();
      expect(link.closedByClient).toEqual([{ code: 1000, reason: 'agent stopping' }]);
      link.close(1000, 'agent stopping');
      await vi.advanceTimersByTimeAsync(10_000);
      expect(dialer.links).toHaveLength(1);
    });
  });

  describe('snapshot on disk', () => {
    it('writes the applied snapshot after persistDelayMs, mode 0600, without plaintext keys', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const store = SnapshotFile.in(await tempDir());
      const write = vi.spyOn(store, 'write');
      const { link } = await connected({ store, persistDelayMs: 50 });

      link.deliver({ type: 'snapshot', snapshot: baseSnapshot() });
      await vi.advanceTimersByTimeAsync(49);
      expect(write).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(write).toHaveBeenCalledTimes(1);
      await write.mock.results[0].value;

      const info = await stat(store.path);
      expect(info.mode & 0o777).toBe(0o600);
      const text = await readFile(store.path, 'utf8');
      expect(text).not.toContain(KEY_1);
      expect(text).not.toContain(KEY_2);
      const stored = await store.read();
      expect(stored?.version).toBe(3);
      expect(stored?.channels.map((c) => c.key_sealed)).toEqual(baseSnapshot().channels.map(() => expect.stringMatching(/^v1\./)));
    });

    it('coalesces writes and persists the state after a delta', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const store = SnapshotFile.in(await tempDir());
      const write = vi.spyOn(store, 'write');
      const { link } = await connected({ store, persistDelayMs: 50 });
      link.deliver({ type: 'snapshot', snapshot: baseSnapshot() });
      link.deliver({ type: 'delta', delta: delta(3, 4, { users: [user('u2')] }) });
      await vi.advanceTimersByTimeAsync(50);
      expect(write).toHaveBeenCalledTimes(1);
      await write.mock.results[0].value;
      const stored = await store.read();
      expect(stored?.version).toBe(4);
      expect(stored?.users.map((u) => u.id)).toEqual(['u1', 'u2']);
    });

    it('a new client with the same store serves it at start(), before any connection', async () => {
      const dir = await tempDir();
      const store = SnapshotFile.in(dir);
      const first = await synced({ store, persistDelayMs: 0 });
      await first.client.stop();
      expect((await store.read())?.version).toBe(3);

      const laterDialer = new FakeDialer();
      const laterTarget = new FakeTarget();
      const later = createClient({ dial: laterDialer.dial, target: laterTarget, store: SnapshotFile.in(dir) });
      await later.start();

      expect(await hasResolved(later.ready())).toBe(true);
      expect(later.version).toBe(3);
      expect(laterTarget.calls).toHaveLength(1);
      expect(laterTarget.calls[0].snapshot.channels).toEqual([plainChannel('c1', KEY_1), plainChannel('c2', KEY_2)]);
      expect(laterTarget.calls[0].snapshot.tokens).toEqual([token('t1'), token('t2')]);
      // It dialed, but nothing has answered yet.
      expect(laterDialer.links).toHaveLength(1);
      expect(laterDialer.last.sent).toEqual([]);
      laterDialer.last.open();
      expect(laterDialer.last.sent).toEqual([{ type: 'hello', protocol: 2, build: 'test-build', applied_version: 3 }]);
    });

    it('a stored snapshot that does not open under the key is not served', async () => {
      const dir = await tempDir();
      await SnapshotFile.in(dir).write(snapshot(6, { channels: [wireChannel('c1', KEY_1, strangerCipher)] }));
      const client = createClient({ store: SnapshotFile.in(dir) });
      await client.start();
      expect(await hasResolved(client.ready())).toBe(false);
      expect(target.calls).toEqual([]);
      dialer.last.open();
      expect(dialer.last.sent).toEqual([{ type: 'hello', protocol: 2, build: 'test-build', applied_version: 0 }]);
    });
  });

  describe('usage', () => {
    let spool: AgentUsageSpool;

    it('builds a usage frame as the UTF-8 bytes of its JSON, whatever the records hold', () => {
      const records = [{ request_id: 'a', model: 'é模型🙂' }, { request_id: 'b', n: 1 }, { request_id: 'c' }];
      // Text or UTF-8 bytes (a record the spool has written), mixed.
      const bytes = usageFrameBytes(3, 5, records.map((record, i) => (i === 1 ? JSON.stringify(record) : Buffer.from(JSON.stringify(record)))));
      expect(JSON.parse(bytes.toString('utf8'))).toEqual({ type: 'usage', first: 3, last: 5, records });
      expect(bytes.length).toBe(Buffer.byteLength(bytes.toString('utf8')));
      expect(JSON.parse(usageFrameBytes(1, 1, [JSON.stringify(records[2])]).toString())).toEqual({ type: 'usage', first: 1, last: 1, records: [records[2]] });
      expect(JSON.parse(usageFrameBytes(1, 0, []).toString())).toEqual({ type: 'usage', first: 1, last: 0, records: [] });
    });

    const openSpool = async () => {
      spool = new UsageSpool({ dir: join(await tempDir(), 'spool'), fsync: false, summarize: usageCharge });
      await spool.open();
      return spool;
    };
    /** Frames go out as soon as records are durable (the linger has its own tests). */
    const connected = (options: Partial<SyncClientOptions> = {}, welcome = true) => connectedClient({ usageLingerMs: 0, ...options }, welcome);

    afterEach(async () => {
      await spool?.close().catch(() => undefined);
    });

    it('sends durable records as usage frames once welcomed', async () => {
      await openSpool();
      const onSettled = vi.fn();
      const { link } = await connected({ spool, onSettled }, false);
      spool.append(usage(1));
      spool.append(usage(2));
      await spool.flush();
      expect(link.sentOf('usage')).toEqual([]); // not before welcome

      link.welcome();
      expect(link.sentOf('usage')).toEqual([{ type: 'usage', first: 1, last: 2, records: [usage(1), usage(2)] }]);

      spool.append(usage(3));
      await spool.flush();
      expect(link.sentOf('usage')).toEqual([
        { type: 'usage', first: 1, last: 2, records: [usage(1), usage(2)] },
        { type: 'usage', first: 3, last: 3, records: [usage(3)] },
      ]);
      expect(onSettled).not.toHaveBeenCalled();
    });

    it('builds a usage frame in the memory of an earlier one only once the link has written that one', async () => {
      await openSpool();
      const { link } = await connected({ spool });
      const frame = async (n: number) => {
        spool.append(usage(n));
        await spool.flush();
        const sent = link.raw.at(-1)!;
        expect(JSON.parse(sent.bytes.toString())).toEqual({ type: 'usage', first: n, last: n, records: [usage(n)] });
        return { bytes: sent.bytes as Buffer, written: sent.written! };
      };
      const first = await frame(1);
      const second = await frame(2);
      expect(second.bytes.buffer).not.toBe(first.bytes.buffer); // the link may still read the first
      first.written();
      const third = await frame(3);
      expect(third.bytes.buffer).toBe(first.bytes.buffer);
      const fourth = await frame(4);
      expect(fourth.bytes.buffer).not.toBe(third.bytes.buffer); // the third is not written yet
      expect(fourth.bytes.buffer).not.toBe(second.bytes.buffer);
    });

    it('ships no usage to a master of protocol 1 (it would refuse records without agent_id): they stay spooled', async () => {
      await openSpool();
      const { link } = await connected({ spool }, false);
      spool.append(usage(1));
      await spool.flush();
      link.welcome({ protocol: 1 });
      spool.append(usage(2));
      await spool.flush();
      expect(link.sentOf('usage')).toEqual([]);
      expect(spool.depth().records).toBe(2);
    });

    it('on usage_ack "settled" calls onSettled (minus refused records) and acknowledges the spool', async () => {
      await openSpool();
      const onSettled = vi.fn();
      const { link } = await connected({ spool, onSettled });
      for (let n = 1; n <= 3; n++) spool.append(usage(n));
      await spool.flush();
      spool.append(usage(4));
      await spool.flush();
      expect(link.sentOf('usage').map((frame) => [frame.first, frame.last])).toEqual([
        [1, 3],
        [4, 4],
      ]);
      expect(spool.depth().records).toBe(4);

      link.deliver({ type: 'usage_ack', last: 3, outcome: 'settled', refused: [{ request_id: usage(2).request_id, reason: 'forged' }] });

      expect(onSettled).toHaveBeenCalledTimes(1);
      expect(onSettled).toHaveBeenCalledWith([usageCharge(usage(1)), usageCharge(usage(3))]);
      expect(spool.depth().records).toBe(1);

      link.deliver({ type: 'usage_ack', last: 4, outcome: 'settled', refused: [] });
      expect(onSettled).toHaveBeenCalledTimes(2);
      expect(onSettled).toHaveBeenLastCalledWith([usageCharge(usage(4))]);
      expect(spool.depth().records).toBe(0);
    });

    it('on usage_ack "failed" acknowledges the spool without settling', async () => {
      await openSpool();
      const onSettled = vi.fn();
      const { link } = await connected({ spool, onSettled });
      spool.append(usage(1));
      await spool.flush();
      link.deliver({ type: 'usage_ack', last: 1, outcome: 'failed', refused: [] });
      expect(onSettled).not.toHaveBeenCalled();
      expect(spool.depth().records).toBe(0);
    });

    it('keeps at most usageWindow frames of usageBatch records in flight', async () => {
      await openSpool();
      const { link } = await connected({ spool, usageBatch: 2, usageWindow: 2 });
      for (let n = 1; n <= 7; n++) spool.append(usage(n));
      await spool.flush();
      expect(link.sentOf('usage').map((frame) => [frame.first, frame.last])).toEqual([
        [1, 2],
        [3, 4],
      ]);
      const acknowledge = vi.spyOn(spool, 'acknowledge');
      link.deliver({ type: 'usage_ack', last: 2, outcome: 'settled', refused: [] });
      expect(acknowledge).toHaveBeenCalledWith(2);
      // The acknowledgement frees the window at once: the next frame goes before its position is persisted.
      expect(link.sentOf('usage').map((frame) => [frame.first, frame.last])).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
    });

    it('sends unacknowledged records again on the next connection', async () => {
      await openSpool();
      const onSettled = vi.fn();
      const { link: first } = await connected({ spool, onSettled, backoffBaseMs: 1, backoffMaxMs: 1 });
      spool.append(usage(1));
      spool.append(usage(2));
      await spool.flush();
      first.deliver({ type: 'usage_ack', last: 1, outcome: 'settled', refused: [] });
      expect(onSettled).not.toHaveBeenCalled(); // frame 1..2 is not acknowledged as a whole
      expect(first.sentOf('usage')).toHaveLength(1);

      first.close(1006, 'network');
      const second = await dialer.dialed(2);
      second.open();
      expect(second.sentOf('usage')).toEqual([]);
      second.welcome();
      expect(second.sentOf('usage')).toEqual([{ type: 'usage', first: 2, last: 2, records: [usage(2)] }]);

      second.deliver({ type: 'usage_ack', last: 2, outcome: 'settled', refused: [] });
      expect(onSettled).toHaveBeenCalledWith([usageCharge(usage(2))]);
      expect(spool.depth().records).toBe(0);
    });

    it('sends a frame that was never acknowledged again, whole, after a reconnect', async () => {
      await openSpool();
      const { link: first } = await connected({ spool, backoffBaseMs: 1, backoffMaxMs: 1 });
      for (let n = 1; n <= 3; n++) spool.append(usage(n));
      await spool.flush();
      expect(first.sentOf('usage')).toEqual([{ type: 'usage', first: 1, last: 3, records: [usage(1), usage(2), usage(3)] }]);

      first.close(SYNC_CLOSE.restart, 'master restarting');
      const second = await dialer.dialed(2);
      second.open();
      second.welcome();
      expect(second.sentOf('usage')).toEqual([{ type: 'usage', first: 1, last: 3, records: [usage(1), usage(2), usage(3)] }]);
    });

    it('holds a part-filled frame until its oldest record has waited usageLingerMs, a full one not at all', async () => {
      await openSpool();
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const { link } = await connected({ spool, usageBatch: 3, usageLingerMs: 200 });
      spool.append(usage(1));
      spool.append(usage(2));
      await spool.flush();
      expect(link.sentOf('usage')).toEqual([]);
      await vi.advanceTimersByTimeAsync(150);
      spool.append(usage(3));
      spool.append(usage(4));
      await spool.flush();
      // Three records fill a frame: it goes at once; the fourth waits its own linger.
      expect(link.sentOf('usage').map((frame) => [frame.first, frame.last])).toEqual([[1, 3]]);
      await vi.advanceTimersByTimeAsync(199);
      expect(link.sentOf('usage')).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(link.sentOf('usage').map((frame) => [frame.first, frame.last])).toEqual([
        [1, 3],
        [4, 4],
      ]);
    });

    it('a record that waited longer than usageLingerMs while the master was away goes as soon as it is welcomed', async () => {
      await openSpool();
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const { link } = await connected({ spool, usageLingerMs: 200 }, false);
      spool.append(usage(1));
      await spool.flush();
      await vi.advanceTimersByTimeAsync(500);
      expect(link.sentOf('usage')).toEqual([]);
      link.welcome();
      expect(link.sentOf('usage')).toEqual([{ type: 'usage', first: 1, last: 1, records: [usage(1)] }]);
    });
  });

  describe('leases', () => {
    it('sends a lease frame and resolves with the lease_grant of the same id', async () => {
      const { client, link } = await connected();
      const first = client.requestLease('t:tok-1', 10, 100);
      const second = client.requestLease('u:usr-1', 1, 5);
      const leases = link.sentOf('lease');
      expect(leases).toEqual([
        { type: 'lease', id: expect.any(Number), subject: 't:tok-1', need: 10, want: 100 },
        { type: 'lease', id: expect.any(Number), subject: 'u:usr-1', need: 1, want: 5 },
      ]);
      expect(leases[0].id).not.toBe(leases[1].id);

      link.deliver({ type: 'lease_grant', id: leases[1].id, subject: 'u:usr-1', granted: 5, ttl_ms: 1_000 });
      link.deliver({ type: 'lease_grant', id: 987_654, subject: 't:tok-1', granted: 1, ttl_ms: 1 });
      expect(await hasResolved(first)).toBe(false);
      await expect(second).resolves.toEqual({ granted: 5, ttlMs: 1_000 });

      link.deliver({ type: 'lease_grant', id: leases[0].id, subject: 't:tok-1', granted: 60, ttl_ms: 30_000 });
      await expect(first).resolves.toEqual({ granted: 60, ttlMs: 30_000 });
    });

    it('rejects when not connected (not started, or not welcomed yet)', async () => {
      const client = createClient();
      await expect(client.requestLease('t:tok-1', 1, 2)).rejects.toThrow(/not connected/);
      await client.start();
      dialer.last.open();
      await expect(client.requestLease('t:tok-1', 1, 2)).rejects.toThrow(/not connected/);
      expect(dialer.last.sentOf('lease')).toEqual([]);
    });

    it('rejects a waiting request when the connection closes', async () => {
      const { client, link } = await connected();
      const pending = client.requestLease('t:tok-1', 1, 2);
      const outcome = expect(pending).rejects.toThrow(/lost/);
      link.close(1006, 'network');
      await outcome;
    });

    it('rejects when the master does not answer in time', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const { client } = await connected();
      const pending = client.requestLease('t:tok-1', 1, 2, 1_000);
      let settled = false;
      pending.then(
        () => (settled = true),
        () => (settled = true),
      );
      const outcome = expect(pending).rejects.toThrow(/in time/);
      await vi.advanceTimersByTimeAsync(999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await outcome;
    });
  });
});
