import { GatewayError } from '@aigw/providers';
import { SyncClient } from '@aigw/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Caller } from '../relay';
import { LeaseBook } from './lease-book';

const USER = '00000000-0000-4000-8000-000000000001';
const TOKEN = '00000000-0000-4000-8000-000000000002';

/** A master that lends from fixed budgets like LeaseService: at least `need` or nothing, at most `want`. */
class FakeMaster {
  connected = true;
  asks: Array<{ subject: string; need: number; want: number }> = [];
  private listeners: Array<(up: boolean) => void> = [];

  constructor(readonly budgets: Record<string, number>) {}

  client(): SyncClient {
    const self = this;
    return {
      get connected() {
        return self.connected;
      },
      onConnection: (listener: (up: boolean) => void) => this.listeners.push(listener),
      requestLease: async (subject: string, need: number, want: number) => {
        if (!this.connected) throw new Error('not connected');
        this.asks.push({ subject, need, want });
        await new Promise((resolve) => setImmediate(resolve));
        const left = this.budgets[subject] ?? 0;
        const granted = left < need ? 0 : Math.min(want, left);
        this.budgets[subject] = left - granted;
        return { granted, ttlMs: 60_000 };
      },
    } as unknown as SyncClient;
  }

  reconnect(): void {
    this.connected = true;
    for (const listener of this.listeners) listener(true);
  }
}

const caller = (quotaMicros: number | null = null): Caller =>
  ({
    token: { id: TOKEN, userId: USER, quotaMicros } as Caller['token'],
    groupId: null,
    groupRatioPpm: 1_000_000,
    groupModels: null,
    groupChannels: null,
    admin: false,
  }) as Caller;

describe('LeaseBook', () => {
  let dir: string;
  let book: LeaseBook;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aigw-leases-'));
  });

  afterEach(async () => {
    await book?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (master: FakeMaster, offline: 'serve' | 'fail_closed' = 'serve') => {
    book = new LeaseBook({ dataDir: dir, offline });
    book.attach(master.client());
    return book;
  };

  it('64 concurrent requests on a fresh agent all get budget when there is plenty (no spurious 402)', async () => {
    const master = new FakeMaster({ [`u:${USER}`]: 1_000_000_000_000 });
    const leases = open(master);
    const results = await Promise.allSettled(Array.from({ length: 64 }, () => leases.take(caller(), 50_000)));
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(master.asks.length).toBeLessThan(64);
  });

  it('lends no more than the budget: of ten requests against five requests worth, five pass and five get 402', async () => {
    const master = new FakeMaster({ [`t:${TOKEN}`]: 5_000, [`u:${USER}`]: 1_000_000 });
    const leases = open(master);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => leases.take(caller(5_000), 1_000)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(5);
    const refusals = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(refusals).toHaveLength(5);
    for (const refusal of refusals) {
      expect(refusal.reason).toBeInstanceOf(GatewayError);
      expect((refusal.reason as GatewayError).status).toBe(402);
    }
  });

  it('settling gives back the unused part of the worst case, once', async () => {
    const master = new FakeMaster({ [`u:${USER}`]: 100_000 });
    const leases = open(master);
    const hold = await leases.take(caller(), 10_000);
    const held = leases.holding(`u:${USER}`);
    hold.settle(1_000);
    hold.settle(1_000);
    expect(leases.holding(`u:${USER}`)).toBe(held + 9_000);
  });

  it('with the master away: serve spends what it holds, refuses (503) what it holds no lease for; fail_closed refuses all', async () => {
    const master = new FakeMaster({ [`u:${USER}`]: 100_000 });
    const leases = open(master);
    (await leases.take(caller(), 1_000)).settle(1_000);
    master.connected = false;
    await expect(Promise.resolve(leases.take(caller(), 1_000))).resolves.toBeDefined();
    await expect(Promise.resolve().then(() => leases.take(caller(5_000), 1_000))).rejects.toMatchObject({ status: 503 });
    await book.stop();
    const closed = open(master, 'fail_closed');
    expect(() => closed.take(caller(), 1_000)).toThrow(GatewayError);
  });

  it('keeps what it holds on disk for a restart while the master is away, and drops it when the master is back', async () => {
    const master = new FakeMaster({ [`u:${USER}`]: 100_000 });
    const first = open(master);
    (await first.take(caller(), 1_000)).settle(500);
    const held = first.holding(`u:${USER}`);
    await first.stop();
    expect(JSON.parse(readFileSync(join(dir, 'quota-leases.json'), 'utf8'))).toEqual({ [`u:${USER}`]: held });
    master.connected = false;
    const restarted = open(master);
    expect(restarted.holding(`u:${USER}`)).toBe(held);
    await expect(Promise.resolve(restarted.take(caller(), 1_000))).resolves.toBeDefined();
    master.reconnect();
    expect(restarted.holding(`u:${USER}`)).toBe(0);
  });
});
