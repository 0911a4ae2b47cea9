import {
  AgentHeartbeatStats,
  AgentMessage,
  MasterMessage,
  PolicyChannel,
  PolicySnapshot,
  SYNC_CLOSE,
  SYNC_PROTOCOL,
  SYNC_PROTOCOL_STAMPED_USAGE,
  UsageCharge,
  WireChannel,
  WireDelta,
  WireSnapshot,
} from '@aigw/contracts';
import { SyncClientOptions, SyncLink, SyncLogger } from './sync-options';
import { mergeWireSnapshot, openChannel } from './wire-policy';
import { FrameBuffers, usageFrameBytes } from './usage-frame';

type ClientState = 'idle' | 'connecting' | 'open' | 'stopped' | 'revoked';

const DEFAULT_USAGE_BATCH = 1000;
const DEFAULT_USAGE_WINDOW = 4;
const DEFAULT_USAGE_LINGER_MS = 200;

const NOOP_LOGGER: SyncLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The agent's end of the sync protocol (docs/sync-protocol.md): applies the
 * master's snapshot and deltas to the relay's policy, keeps the last one on
 * disk, acknowledges versions, sends heartbeats, ships spooled usage in
 * acknowledged batches, and reconnects with jittered backoff. It never
 * blocks a request: the relay reads whatever policy was applied last.
 */
export class SyncClient {
  private state: ClientState = 'idle';
  private link: SyncLink | null = null;
  private snapshot: WireSnapshot | null = null;
  private readonly opened = new WeakMap<WireChannel, PolicyChannel>();
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private persistTimer: NodeJS.Timeout | null = null;
  private pumpTimer: NodeJS.Timeout | null = null;
  private persisting: Promise<void> = Promise.resolve();
  private lastHeard = 0;
  private heartbeatMs = 10_000;
  private welcomed = false;
  /** The protocol the master's welcome named. */
  private masterProtocol = 0;
  /** The first update after a (re)connection is logged: how the agent caught up. */
  private caughtUp = false;
  /** Usage frames sent and not yet acknowledged, oldest first, with the charges they carry. */
  private unacked: Array<{ last: number; charges: UsageCharge[] }> = [];
  private readonly frames = new FrameBuffers();
  private readonly logger: SyncLogger;
  private readyResolve!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.readyResolve = resolve));
  private readonly appliedListeners: Array<(version: number) => void> = [];
  private readonly connectionListeners: Array<(connected: boolean) => void> = [];
  private leaseId = 0;
  private readonly leaseRequests = new Map<number, { resolve(grant: { granted: number; ttlMs: number }): void; reject(error: Error): void; timer: NodeJS.Timeout }>();

  constructor(private readonly options: SyncClientOptions) {
    this.logger = options.logger ?? NOOP_LOGGER;
    options.spool?.onDurable(() => this.pumpUsage());
  }

  /** The policy version applied (0 before any). */
  get version(): number {
    return this.snapshot?.version ?? 0;
  }

  get connected(): boolean {
    return this.state === 'open' && this.welcomed;
  }

  /** The master revoked this agent: it no longer syncs (and its relay should refuse traffic). */
  get revoked(): boolean {
    return this.state === 'revoked';
  }

  /** Resolves once a policy is applied (from disk or from the master). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Called after each applied snapshot or delta with its version. */
  onApplied(listener: (version: number) => void): void {
    this.appliedListeners.push(listener);
  }

  /** Called when the session with the master is up (welcomed) or lost. */
  onConnection(listener: (connected: boolean) => void): void {
    this.connectionListeners.push(listener);
  }

  /**
   * Asks the master for budget of a subject (`t:<token>` or `u:<user>`): at
   * least `need` or nothing, up to `want`. Rejects when the master is not
   * connected or does not answer within `timeoutMs`.
   */
  requestLease(subject: string, need: number, want: number, timeoutMs = 5_000): Promise<{ granted: number; ttlMs: number }> {
    if (!this.connected) return Promise.reject(new Error('the master is not connected'));
    const id = ++this.leaseId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.leaseRequests.delete(id);
        reject(new Error('the master did not answer a lease request in time'));
      }, timeoutMs);
      timer.unref();
      this.leaseRequests.set(id, { resolve, reject, timer });
      this.send({ type: 'lease', id, subject, need, want });
    });
  }

  /** Serves the snapshot on disk (if any) at once, then connects. */
  async start(): Promise<void> {
    const stored = await this.options.store?.read();
    if (stored) {
      try {
        this.applySnapshot(stored, false);
        this.logger.log({ msg: 'serving the policy snapshot on disk', version: stored.version });
      } catch (error) {
        this.logger.warn({ msg: 'the snapshot on disk does not open; waiting for the master', error: (error as Error).message });
        this.snapshot = null;
      }
    }
    this.connect();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.clearTimers();
    this.link?.close(1000, 'agent stopping');
    this.link = null;
    if (this.persistTimer) {
      clearTimeout(this.persistTimer);
      this.persistTimer = null;
      this.persist();
    }
    await this.persisting;
  }

  private connect(): void {
    if (this.state === 'stopped' || this.state === 'revoked') return;
    this.state = 'connecting';
    this.welcomed = false;
    let link: SyncLink | null = null;
    const current = () => this.link === link;
    try {
      link = this.options.dial({
        open: () => {
          if (!current()) return;
          this.state = 'open';
          this.lastHeard = Date.now();
          this.send({ type: 'hello', protocol: SYNC_PROTOCOL, build: this.options.build, applied_version: this.version });
        },
        message: (text) => {
          if (current()) this.receive(text);
        },
        close: (code, reason) => {
          if (current()) this.closed(code, reason);
        },
      });
      this.link = link;
    } catch (error) {
      this.logger.warn({ msg: 'cannot reach the master', error: (error as Error).message });
      this.closed(1006, (error as Error).message);
    }
  }

  private closed(code: number, reason: string): void {
    const wasConnected = this.welcomed;
    this.link = null;
    this.welcomed = false;
    for (const [id, request] of this.leaseRequests) {
      clearTimeout(request.timer);
      request.reject(new Error('the connection to the master was lost'));
      this.leaseRequests.delete(id);
    }
    if (wasConnected) for (const listener of this.connectionListeners) listener(false);
    this.clearTimers();
    // Whatever was in flight goes again on the next connection (settlement is idempotent by request id).
    this.unacked = [];
    this.options.spool?.requeue();
    if (this.state === 'stopped') return;
    if (code === SYNC_CLOSE.revoked) {
      this.state = 'revoked';
      this.logger.error({ msg: 'the master revoked this agent; it stops syncing and serving', reason });
      this.options.onRevoked?.(reason);
      return;
    }
    this.state = 'idle';
    const delay = Math.random() * Math.min(this.options.backoffMaxMs ?? 30_000, (this.options.backoffBaseMs ?? 500) * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    if (this.attempt > 1) this.logger.warn({ msg: 'lost the master; reconnecting', code, reason, inMs: Math.round(delay) });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private receive(text: string): void {
    this.lastHeard = Date.now();
    let message: MasterMessage;
    try {
      message = JSON.parse(text) as MasterMessage;
    } catch {
      this.logger.warn({ msg: 'malformed frame from the master; resyncing' });
      this.link?.close(SYNC_CLOSE.violation, 'malformed frame');
      return;
    }
    try {
      this.handle(message);
    } catch (error) {
      // A frame that does not apply (a key that does not open, a bad shape): start over from a snapshot.
      this.logger.error({ msg: 'could not apply a message from the master; asking for a snapshot', type: message?.type, error: (error as Error).message });
      this.send({ type: 'resync', reason: (error as Error).message.slice(0, 200) });
    }
  }

  private handle(message: MasterMessage): void {
    switch (message.type) {
      case 'welcome':
        this.welcomed = true;
        this.masterProtocol = Number.isInteger(message.protocol) ? message.protocol : 0;
        if (this.masterProtocol < SYNC_PROTOCOL_STAMPED_USAGE && this.options.spool) {
          this.logger.warn({ msg: 'the master speaks an older sync protocol: usage stays in the spool until it is upgraded', protocol: message.protocol });
        }
        this.caughtUp = false;
        this.attempt = 0;
        this.heartbeatMs = Number.isFinite(message.heartbeat_ms) ? Math.max(100, message.heartbeat_ms) : 10_000;
        this.startHeartbeats();
        this.pumpUsage();
        for (const listener of this.connectionListeners) listener(true);
        return;
      case 'snapshot':
        this.reportCatchUp('snapshot', this.version, message.snapshot.version);
        this.applySnapshot(message.snapshot, true);
        this.send({ type: 'ack', version: this.version });
        return;
      case 'delta':
        this.applyDelta(message.delta);
        return;
      case 'usage_ack':
        this.usageAcknowledged(message.last, message.outcome, message.refused);
        return;
      case 'lease_grant': {
        const request = this.leaseRequests.get(message.id);
        if (!request) return;
        this.leaseRequests.delete(message.id);
        clearTimeout(request.timer);
        request.resolve({ granted: Math.max(0, Number(message.granted) || 0), ttlMs: Math.max(0, Number(message.ttl_ms) || 0) });
        return;
      }
      case 'error':
        this.logger.warn({ msg: 'the master reports an error', code: message.code, message: message.message });
        return;
      default:
        // heartbeat, and message types of newer masters: nothing to do.
        return;
    }
  }

  private applySnapshot(snapshot: WireSnapshot, persist: boolean): void {
    const policy: PolicySnapshot = {
      version: snapshot.version,
      builtAt: snapshot.built_at,
      tokens: snapshot.tokens,
      users: snapshot.users,
      groups: snapshot.groups,
      channels: snapshot.channels.map((channel) => this.open(channel)),
      models: snapshot.models,
      routes: snapshot.routes,
    };
    this.options.target.replace(policy);
    this.snapshot = snapshot;
    this.applied(persist);
  }

  private applyDelta(delta: WireDelta): void {
    if (delta.to <= this.version) return; // replayed or stale
    if (!this.snapshot || delta.from !== this.version) {
      this.send({ type: 'resync', reason: `delta from ${delta.from} does not follow version ${this.version}` });
      return;
    }
    this.reportCatchUp('delta', delta.from, delta.to);
    const next = mergeWireSnapshot(this.snapshot, delta);
    const fresh = {
      tokens: new Set((delta.upserts.tokens ?? []).map((row) => row.id)),
      users: new Set((delta.upserts.users ?? []).map((row) => row.id)),
    };
    const policy: PolicySnapshot = {
      version: next.version,
      builtAt: next.built_at,
      tokens: next.tokens,
      users: next.users,
      groups: next.groups,
      channels: next.channels.map((channel) => this.open(channel)),
      models: next.models,
      routes: next.routes,
    };
    this.options.target.replace(policy, fresh);
    this.snapshot = next;
    this.applied(true);
    this.send({ type: 'ack', version: next.version });
  }

  private reportCatchUp(via: 'snapshot' | 'delta', from: number, to: number): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    this.logger.log({ msg: 'policy synced with the master', via, from, version: to });
  }

  private open(channel: WireChannel): PolicyChannel {
    let opened = this.opened.get(channel);
    if (!opened) {
      opened = openChannel(channel, this.options.cipher);
      this.opened.set(channel, opened);
    }
    return opened;
  }

  private applied(persist: boolean): void {
    this.readyResolve();
    for (const listener of this.appliedListeners) listener(this.version);
    if (persist && this.options.store) this.schedulePersist();
  }

  private schedulePersist(): void {
    if (this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null;
      this.persist();
    }, this.options.persistDelayMs ?? 200);
    this.persistTimer.unref();
  }

  private persist(): void {
    const snapshot = this.snapshot;
    const store = this.options.store;
    if (!snapshot || !store) return;
    this.persisting = this.persisting
      .then(() => store.write(snapshot))
      .catch((error: unknown) => this.logger.error({ msg: 'could not write the policy snapshot', error: (error as Error).message }));
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > this.heartbeatMs * 3) {
        this.logger.warn({ msg: 'the master went silent; reconnecting' });
        this.link?.close(4000, 'heartbeat timeout');
        this.closed(4000, 'heartbeat timeout');
        return;
      }
      this.send({ type: 'heartbeat', applied_version: this.version, stats: this.heartbeatStats() });
    }, this.heartbeatMs);
    this.heartbeatTimer.unref();
  }

  private heartbeatStats(): AgentHeartbeatStats {
    const depth = this.options.spool?.depth();
    const base = this.options.stats?.() ?? { requests_per_minute: 0, errors_per_minute: 0, in_flight: 0, uptime_seconds: Math.round(process.uptime()) };
    return { ...base, spool_records: depth?.records ?? 0, spool_oldest_age_ms: depth?.oldestAgeMs ?? null };
  }

  /**
   * Sends durable usage while fewer than `usageWindow` frames await
   * acknowledgement: a full frame at once, a smaller one when its oldest
   * record has waited `usageLingerMs`.
   */
  private pumpUsage(): void {
    const spool = this.options.spool;
    if (!spool || !this.connected || this.masterProtocol < SYNC_PROTOCOL_STAMPED_USAGE) return;
    const window = this.options.usageWindow ?? DEFAULT_USAGE_WINDOW;
    const size = this.options.usageBatch ?? DEFAULT_USAGE_BATCH;
    const linger = this.options.usageLingerMs ?? DEFAULT_USAGE_LINGER_MS;
    while (this.unacked.length < window) {
      const waiting = spool.sendable();
      if (waiting.records === 0) return;
      if (waiting.records < size && waiting.oldestAgeMs < linger) {
        this.pumpLater(linger - waiting.oldestAgeMs);
        return;
      }
      const frame = spool.nextFrame(size);
      if (!frame) return;
      this.unacked.push({ last: frame.last, charges: frame.summaries });
      // The records go as they were spooled: no parse and second stringify of each; into memory reused once the link wrote the last frame.
      let memory: Buffer | null = null;
      const bytes = usageFrameBytes(frame.first, frame.last, frame.json, (size) => (memory = this.frames.take(size)));
      this.sendText(bytes, () => this.frames.release(memory!));
    }
  }

  private usageAcknowledged(last: number, outcome: 'settled' | 'failed', refused: Array<{ request_id: string; reason: string }>): void {
    const done: UsageCharge[] = [];
    while (this.unacked.length > 0 && this.unacked[0].last <= last) for (const charge of this.unacked.shift()!.charges) done.push(charge);
    if (refused.length > 0) this.logger.error({ msg: 'the master refused usage records', count: refused.length, first: refused[0] });
    const spool = this.options.spool;
    if (spool) {
      // The window has room at once; the position is persisted in the background (a lost one only re-sends settled records).
      spool.acknowledge(last).catch((error: unknown) => this.logger.error({ msg: 'could not record the usage acknowledgement', error: (error as Error).message }));
      this.pumpUsage();
    }
    if (outcome === 'settled' && done.length > 0) {
      const rejected = new Set(refused.map((entry) => entry.request_id));
      this.options.onSettled?.(rejected.size === 0 ? done : done.filter((charge) => !rejected.has(charge.request_id)));
    }
  }

  private send(message: AgentMessage): void {
    this.sendText(JSON.stringify(message));
  }

  /** `written`: the link no longer reads `text` (sent, or failed). */
  private sendText(text: string | Buffer, written?: () => void): void {
    if (!this.link || this.state !== 'open') return;
    try {
      this.link.send(text, written);
    } catch (error) {
      this.logger.warn({ msg: 'could not send to the master', error: (error as Error).message });
    }
  }

  private pumpLater(delayMs: number): void {
    if (this.pumpTimer) return;
    this.pumpTimer = setTimeout(() => {
      this.pumpTimer = null;
      this.pumpUsage();
    }, Math.max(1, Math.ceil(delayMs)));
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.reconnectTimer = null;
    this.heartbeatTimer = null;
    this.pumpTimer = null;
  }
}
