import { AppConfig } from '@aigw/config';
import { UsageRecord, usageCharge, usageRow } from '@aigw/contracts';
import { AgentUsageSpool, UsageSpool } from '@aigw/sync';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { PolicyStore, SpendLedger } from '../relay';
import { AgentSyncService } from './agent-sync.service';
import { LeaseBook } from './lease-book';
import { SpoolUsageSink } from './spool-usage.sink';

const AGENT = randomUUID();

function usage(index: number): UsageRecord {
  return {
    request_id: `${AGENT}.${index}`,
    token_id: randomUUID(),
    user_id: randomUUID(),
    model: 'm',
    prompt_tokens: 10 + index,
    completion_tokens: 2,
    cost_micros: 7 * index,
    latency_ms: 1,
    status: 200,
    created_at: new Date().toISOString(),
  };
}

/** A master that revokes the agent the moment it connects, and takes the usage it then hands in over HTTP. */
async function revokingMaster(): Promise<{ url: string; handedIn: unknown[]; received(count: number): Promise<void>; close(): Promise<void> }> {
  const handedIn: unknown[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const resolveHandedIn = (body: { records?: unknown[] }) => {
    handedIn.push(...(body.records ?? []));
    for (const waiter of waiters.splice(0)) {
      if (handedIn.length >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/api/agents/usage') {
        response.writeHead(404).end();
        return;
      }
      let body: { records?: unknown[] };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"malformed JSON"}');
        return;
      }
      resolveHandedIn(body as { records?: unknown[] });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ outcome: 'settled', accepted: body.records?.length ?? 0, refused: [] }));
    });
  });
  const sockets = new WebSocketServer({ server, path: '/api/agents/sync' });
  sockets.on('connection', (socket) => socket.close(4003, 'revoked'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handedIn,
    received: (count) => (handedIn.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('AgentSyncService', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An agent (spool, policy, ledger, sink) whose master revokes it as soon as it connects; started by `start()`. */
  const agentOfRevokingMaster = async (store = new PolicyStore(), spooledByOlderRelease: UsageRecord[] = []) => {
    const dir = mkdtempSync(join(tmpdir(), 'aigw-agent-sync-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const master = await revokingMaster();
    cleanups.push(() => master.close());
    if (spooledByOlderRelease.length > 0) {
      // A release before rows spooled records as objects.
      const older = new UsageSpool<UsageRecord>({ dir: join(dir, 'usage-spool'), fsync: false });
      await older.open();
      for (const record of spooledByOlderRelease) older.append(record);
      await older.close();
    }
    const spool: AgentUsageSpool = new UsageSpool({ dir: join(dir, 'usage-spool'), fsync: false, summarize: usageCharge, serialize: usageRow });
    await spool.open();
    const spend = new SpendLedger(store);
    const sink = new SpoolUsageSink(spool);
    const identity = { agent_id: AGENT, name: 'a', region: 'eu', credential: 'c', sync_key: randomBytes(32).toString('base64'), master_url: master.url };
    const service = new AgentSyncService(identity, spool, store, spend, sink, { dataDir: dir } as AppConfig, new LeaseBook({ dataDir: dir, offline: 'serve' }));
    cleanups.push(() => service.onApplicationShutdown());
    return { master, spool, store, spend, sink, start: () => service.onApplicationBootstrap() };
  };

  it('revoked, hands the master every spooled record (rows and records, written or not) as one well-formed JSON body', async () => {
    // A record as an older release spooled it, then rows, as this release spools records.
    const records = [usage(1), usage(2), usage(3)];
    const { master, spool, start } = await agentOfRevokingMaster(new PolicyStore(), [records[0]]);
    spool.append(records[1]);
    await spool.flush(); // recovered and written: kept as bytes
    spool.append(records[2]); // this one is not written yet
    await start();

    await master.received(3);
    expect(master.handedIn).toEqual(JSON.parse(JSON.stringify([records[0], usageRow(records[1]), usageRow(records[2])])));
  });

  it('revoked while a request runs, hands in its usage too once it ends', async () => {
    const store = new PolicyStore();
    const token = { id: randomUUID(), keyHash: 'h', userId: randomUUID(), status: 'active' as const, quotaMicros: null, usedMicros: 0, models: null, ipAllowlist: null, expiresAt: null, channels: null, debug: false };
    store.replace({ version: 1, tokens: [token], users: [{ id: token.userId, status: 'active', groupId: null, balanceMicros: 1_000_000, admin: false }], groups: [], channels: [], models: [], routes: [] });
    const { master, spend, sink, start } = await agentOfRevokingMaster(store);

    sink.record(usage(1));
    // A request admitted before the revocation, still running.
    const running = spend.reserve({ token, groupId: null, groupRatioPpm: 1_000_000, groupModels: null, groupChannels: null, admin: false }, 500);
    await start();
    await master.received(1);
    expect(store.unavailable).toMatch(/revoked/);

    // It ends after the hand-in began: its record is spooled then, and still handed in.
    spend.complete(running, 300);
    sink.record(usage(2));
    await master.received(2);
    expect(master.handedIn.map((row) => (row as unknown[])[0])).toEqual([usage(1).request_id, usage(2).request_id]);
  });
});
