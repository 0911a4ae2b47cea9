import { AppConfig, SecretCipher } from '@aigw/config';
import { AgentMessage, MasterMessage, SYNC_CLOSE, SYNC_PROTOCOL, SYNC_PROTOCOL_MIN } from '@aigw/contracts';
import { JobQueue, MAX_SETTLEMENT_BATCH, SettlementDelivery } from '@aigw/metering';
import { Database, queryRows } from '@aigw/persistence';
import { Coalesced, PolicyAudience, PolicyDeltaRead, PolicyRead, PolicySnapshotBuilder, SyncDialer, SyncLink, toWireDelta, toWireSnapshot } from '@aigw/sync';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LeaseService } from './lease.service';
import { RefusedUsage, validateUsage } from './usage-validation';

/** Who is at the other end of a session. */
export interface SessionIdentity {
  /** null: the master's embedded agent. */
  agentId: string | null;
  name: string;
  audience: PolicyAudience;
}

interface Session extends SessionIdentity {
  id: number;
  link: SyncLink;
  greeted: boolean;
  /** Highest version sent (snapshot or delta); 0: owes a snapshot. */
  sent: number;
  applied: number;
  lastHeard: number;
  syncer: Coalesced;
  /** Usage acknowledgements go out in order: each waits for the one before. */
  acks: Promise<void>;
  closed: boolean;
}

/** Postgres channels the change log and revocations are announced on. */
const POLICY_CHANNEL = 'aigw_policy';
const REVOKE_CHANNEL = 'aigw_agent_revoked';
const PRUNE_EVERY_MS = 60_000;

/**
 * The master's end of the sync protocol: one session per connected agent
 * (WebSocket, or the embedded agent's in-process link). Sends a snapshot or
 * the deltas since the agent's version, then live deltas as changes commit
 * (announced by Postgres NOTIFY, so every master learns of every change,
 * and by this process's own writes); records heartbeats in the agents
 * table; takes usage into settlement and acknowledges it once settled.
 */
@Injectable()
export class SyncHub implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncHub.name);
  private readonly builder: PolicySnapshotBuilder;
  private readonly sessions = new Set<Session>();
  private readonly delivery: SettlementDelivery;
  private readonly leases: LeaseService;
  private nextId = 1;
  private head = 0;
  private readonly publisher = new Coalesced(
    () => this.publishOnce(),
    (error) => this.logger.error({ msg: 'could not publish policy changes', error: (error as Error).message }),
  );
  private deltas = new Map<number, Promise<PolicyDeltaRead | null>>();
  private snapshot: { version: number; read: Promise<PolicyRead> } | null = null;
  private listener: Client | null = null;
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private prunedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: Database,
    private readonly cipher: SecretCipher,
    queue: JobQueue,
    private readonly config: AppConfig,
  ) {
    this.builder = new PolicySnapshotBuilder(dataSource, cipher);
    this.delivery = new SettlementDelivery(queue);
    this.leases = new LeaseService(dataSource, config.leaseTtlSeconds);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.delivery.start();
    await this.checkSecretKey();
    await this.listen();
    const every = (ms: number, task: () => Promise<unknown>) => {
      const timer = setInterval(() => void task().catch((error: unknown) => this.logger.warn({ msg: 'sync upkeep failed', error: (error as Error).message })), ms);
      timer.unref();
      this.timers.push(timer);
    };
    // Changes written outside this process's API reach the agents even without NOTIFY (embedded database).
    every(this.listener ? 5_000 : 1_000, () => this.publish());
    every(this.config.syncHeartbeatMs, async () => this.beat());
    every(PRUNE_EVERY_MS, () => this.prune());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const session of this.sessions) this.close(session, SYNC_CLOSE.restart, 'master restarting');
    await this.listener?.end().catch(() => undefined);
    await this.delivery.stop();
  }

  /** The change log's head as this master last read it. */
  get version(): number {
    return this.head;
  }

  /** Connected sessions (agent id or null for the embedded agent) and what they applied. */
  connected(): Array<{ agentId: string | null; name: string; applied: number; sent: number }> {
    return [...this.sessions].map((session) => ({ agentId: session.agentId, name: session.name, applied: session.applied, sent: session.sent }));
  }

  /**
   * Sends every session what changed since it was last updated. Concurrent
   * calls coalesce; a call returns once changes committed before it were
   * sent (the in-process embedded agent has applied them by then).
   */
  publish(): Promise<void> {
    return this.publisher.run();
  }

  private async publishOnce(): Promise<void> {
    const head = await this.builder.currentHead();
    if (head !== this.head) {
      this.head = head;
      this.deltas = new Map();
    }
    // A burst of changes prunes at once rather than at the next minute.
    if (head - this.prunedAt > Math.max(100, this.config.changeLogRetention / 10)) await this.prune();
    await Promise.all([...this.sessions].filter((session) => session.greeted && session.sent !== head).map((session) => this.sync(session)));
  }

  /** A dialer for the embedded agent: the same protocol over an in-process link (JSON text both ways). */
  localDialer(identity: SessionIdentity): SyncDialer {
    return (events) => {
      let session: Session | null = null;
      queueMicrotask(() => {
        // A stopping master takes no new session (and leaves the embedded client nothing to retry).
        if (this.stopping) return;
        session = this.attach(identity, {
          send: (text) => events.message(asText(text)),
          close: (code, reason) => events.close(code ?? 1000, reason ?? ''),
        });
        events.open();
      });
      return {
        send: (text) => session && this.receive(session, asText(text)),
        close: () => session && this.detach(session),
      };
    };
  }

  /** A new connection (the gateway has authenticated it). Returns the session its frames go to. */
  attach(identity: SessionIdentity, link: SyncLink): Session {
    const syncer = new Coalesced(
      async () => {
        if (!session.closed) await this.update(session);
      },
      (error) => this.logger.error({ msg: 'could not sync an agent', agent: identity.name, error: (error as Error).message }),
    );
    const session: Session = {
      ...identity,
      id: this.nextId++,
      link,
      greeted: false,
      sent: 0,
      applied: 0,
      lastHeard: Date.now(),
      syncer,
      acks: Promise.resolve(),
      closed: false,
    };
    // One live session per agent: a reconnect replaces a half-open old one.
    for (const other of this.sessions) {
      if (identity.agentId !== null && other.agentId === identity.agentId) this.close(other, SYNC_CLOSE.replaced, 'replaced by a newer connection');
    }
    this.sessions.add(session);
    return session;
  }

  detach(session: Session): void {
    session.closed = true;
    this.sessions.delete(session);
  }

  /** Closes every session of an agent (revoked here or, via NOTIFY, on another master). */
  disconnectAgent(agentId: string, code: number = SYNC_CLOSE.revoked, reason = 'agent revoked'): void {
    for (const session of this.sessions) if (session.agentId === agentId) this.close(session, code, reason);
  }

  /** Tells every master (this one included) that an agent was revoked. */
  async announceRevocation(agentId: string): Promise<void> {
    this.disconnectAgent(agentId);
    if (!this.database.isEmbedded) await this.dataSource.query('SELECT pg_notify($1, $2)', [REVOKE_CHANNEL, agentId]);
  }

  receive(session: Session, text: string): void {
    if (session.closed) return;
    session.lastHeard = Date.now();
    let message: AgentMessage;
    try {
      message = JSON.parse(text) as AgentMessage;
      if (!message || typeof message !== 'object' || typeof message.type !== 'string') throw new Error('not a message');
    } catch {
      this.close(session, SYNC_CLOSE.violation, 'malformed frame');
      return;
    }
    if (!session.greeted && message.type !== 'hello') {
      this.close(session, SYNC_CLOSE.violation, 'hello first');
      return;
    }
    switch (message.type) {
      case 'hello':
        this.hello(session, message);
        return;
      case 'ack':
        if (Number.isSafeInteger(message.version)) session.applied = Math.max(session.applied, message.version);
        return;
      case 'resync':
        this.logger.warn({ msg: 'agent asked for a snapshot', agent: session.name, reason: String(message.reason).slice(0, 200) });
        session.sent = 0;
        void this.sync(session);
        return;
      case 'heartbeat':
        if (Number.isSafeInteger(message.applied_version)) session.applied = Math.max(session.applied, message.applied_version);
        void this.recordHeartbeat(session, message.stats);
        return;
      case 'usage':
        this.takeUsage(session, message);
        return;
      case 'lease':
        void this.lend(session, message);
        return;
      default:
        return; // a newer agent's message: ignored
    }
  }

  private hello(session: Session, message: Extract<AgentMessage, { type: 'hello' }>): void {
    if (session.greeted) return;
    if (!Number.isInteger(message.protocol) || message.protocol < SYNC_PROTOCOL_MIN) {
      this.send(session, { type: 'error', code: 'unsupported_protocol', message: `this master speaks sync protocol ${SYNC_PROTOCOL_MIN}..${SYNC_PROTOCOL}` });
      this.close(session, SYNC_CLOSE.unsupported, 'unsupported protocol');
      return;
    }
    session.greeted = true;
    const applied = Number.isSafeInteger(message.applied_version) && message.applied_version > 0 ? message.applied_version : 0;
    session.sent = applied;
    session.applied = applied;
    this.send(session, { type: 'welcome', protocol: SYNC_PROTOCOL, agent_id: session.agentId, heartbeat_ms: this.config.syncHeartbeatMs, head: this.head });
    if (session.agentId) {
      void this.dataSource
        .query('UPDATE agents SET connected_at = now(), last_seen_at = now(), version = $2, applied_policy_version = $3 WHERE id = $1', [
          session.agentId,
          String(message.build ?? '').slice(0, 64) || null,
          applied,
        ])
        .catch((error: unknown) => this.logger.warn({ msg: 'could not record the agent connection', error: (error as Error).message }));
    }
    void this.sync(session);
  }

  /** Brings one session to the head: the deltas since what it has, or a snapshot when the log no longer reaches back. */
  private sync(session: Session): Promise<void> {
    return session.syncer.run();
  }

  private async update(session: Session): Promise<void> {
    if (session.sent > 0) {
      const delta = await this.deltaFrom(session.sent);
      if (delta) {
        if (delta.to > session.sent) {
          this.send(session, { type: 'delta', delta: toWireDelta(delta, session.audience) });
          session.sent = delta.to;
        }
        return;
      }
    }
    const read = await this.latestSnapshot();
    this.send(session, { type: 'snapshot', snapshot: toWireSnapshot(read, session.audience) });
    session.sent = read.version;
  }

  /** One database read per starting version, shared by every agent at that version. */
  private deltaFrom(from: number): Promise<PolicyDeltaRead | null> {
    let delta = this.deltas.get(from);
    if (!delta) {
      delta = this.builder.delta(from);
      this.deltas.set(from, delta);
      delta.catch(() => this.deltas.delete(from));
    }
    return delta;
  }

  private latestSnapshot(): Promise<PolicyRead> {
    if (!this.snapshot || this.snapshot.version !== this.head) {
      const read = this.builder.build();
      this.snapshot = { version: this.head, read };
      read.catch(() => (this.snapshot = null));
    }
    return this.snapshot.read;
  }

  private takeUsage(session: Session, message: Extract<AgentMessage, { type: 'usage' }>): void {
    if (session.agentId === null) return; // the embedded agent settles through its own sink
    const records: unknown[] = Array.isArray(message.records) ? message.records : [];
    if (!Number.isSafeInteger(message.last) || records.length > MAX_SETTLEMENT_BATCH) {
      this.close(session, SYNC_CLOSE.violation, 'malformed usage frame');
      return;
    }
    const { valid, refused } = validateUsage(records, session.agentId, { region: session.audience.region });
    if (refused.length > 0) this.logger.warn({ msg: 'refused usage records', agent: session.name, count: refused.length, first: refused[0] });
    const settled = valid.length === 0 ? Promise.resolve('settled' as const) : this.delivery.submit(valid).settled;
    session.acks = session.acks
      .then(() => settled)
      .then((outcome) => this.send(session, { type: 'usage_ack', last: message.last, outcome, refused }));
  }

  /**
   * Usage an agent posts over HTTP (POST /api/agents/usage): how a revoked
   * agent, which may no longer open a sync session, delivers what it metered
   * before the revocation. Resolves once settled.
   */
  async settleFromAgent(
    agent: { id: string; region: string; revokedAt: Date | null },
    records: unknown[],
  ): Promise<{ outcome: 'settled' | 'failed'; accepted: number; refused: RefusedUsage[] }> {
    const { valid, refused } = validateUsage(records, agent.id, { revokedAt: agent.revokedAt, region: agent.region });
    const outcome = valid.length === 0 ? 'settled' : await this.delivery.submit(valid).settled;
    return { outcome, accepted: valid.length, refused };
  }

  private async lend(session: Session, message: Extract<AgentMessage, { type: 'lease' }>): Promise<void> {
    let granted = 0;
    if (session.agentId !== null) {
      try {
        granted = await this.leases.grant(session.agentId, String(message.subject), Number(message.need), Number(message.want));
      } catch (error) {
        this.logger.warn({ msg: 'could not grant a quota lease', agent: session.name, error: (error as Error).message });
      }
    }
    this.send(session, { type: 'lease_grant', id: message.id, subject: String(message.subject), granted, ttl_ms: this.leases.ttlMs });
  }

  private async recordHeartbeat(session: Session, stats: unknown): Promise<void> {
    if (!session.agentId) return;
    const figures = typeof stats === 'object' && stats !== null ? stats : {};
    const clean = Object.fromEntries(
      Object.entries(figures).filter(([key, value]) => /^[a-z_]{1,40}$/.test(key) && (value === null || (typeof value === 'number' && Number.isFinite(value)))),
    );
    await this.dataSource
      .query('UPDATE agents SET last_seen_at = now(), applied_policy_version = $2, stats = $3 WHERE id = $1', [session.agentId, session.applied, JSON.stringify(clean)])
      .catch((error: unknown) => this.logger.warn({ msg: 'could not record a heartbeat', error: (error as Error).message }));
  }

  /** Heartbeats out; sessions silent for three intervals are dropped (the agent reconnects). */
  private beat(): void {
    const silentSince = Date.now() - this.config.syncHeartbeatMs * 3;
    for (const session of this.sessions) {
      if (!session.greeted) continue;
      if (session.agentId !== null && session.lastHeard < silentSince) this.close(session, 4000, 'heartbeat timeout');
      else this.send(session, { type: 'heartbeat', head: this.head });
    }
  }

  /** Keeps the newest `change_log_retention` versions. */
  private async prune(): Promise<void> {
    this.prunedAt = this.head;
    await this.dataSource.query('DELETE FROM policy_changes WHERE version <= (SELECT max(version) FROM policy_changes) - $1', [this.config.changeLogRetention]);
  }

  /**
   * Masters sharing a database must share `secret_key`: one that cannot open
   * the agents' sealed sync keys says so at start, not with every agent's
   * first connection.
   */
  private async checkSecretKey(): Promise<void> {
    const [agent] = queryRows<{ id: string; sealed: string }>(
      await this.dataSource.query(`SELECT id, sync_key_ciphertext AS sealed FROM agents WHERE sync_key_ciphertext IS NOT NULL AND status = 'active' LIMIT 1`),
    );
    if (!agent) return;
    try {
      this.cipher.open(agent.sealed, `agent:${agent.id}`);
    } catch {
      this.logger.error({
        msg: "this master's secret_key does not open the agents' keys: every master on one database needs the same secret_key (and jwt_secret); agents will not sync here",
      });
    }
  }

  /** Postgres: LISTEN for changes committed by any master, and for revocations. */
  private async listen(): Promise<void> {
    if (this.database.isEmbedded || this.stopping) return;
    const url = (this.dataSource.options as { url?: string }).url;
    if (!url) return;
    const client = new Client({ connectionString: url });
    client.on('notification', (notification) => {
      if (notification.channel === POLICY_CHANNEL) void this.publish();
      else if (notification.channel === REVOKE_CHANNEL && notification.payload) this.disconnectAgent(notification.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ msg: 'lost the change notifications; reconnecting', error: error.message });
      this.listener = null;
      client.end().catch(() => undefined);
      const retry = setTimeout(() => void this.listen().catch(() => undefined), 1_000);
      retry.unref();
    });
    await client.connect();
    await client.query(`LISTEN ${POLICY_CHANNEL}`);
    await client.query(`LISTEN ${REVOKE_CHANNEL}`);
    this.listener = client;
    void this.publish();
  }

  private send(session: Session, message: MasterMessage): void {
    if (session.closed) return;
    try {
      session.link.send(JSON.stringify(message));
    } catch (error) {
      this.logger.warn({ msg: 'could not send to an agent', agent: session.name, error: (error as Error).message });
    }
  }

  private close(session: Session, code: number, reason: string): void {
    if (session.closed) return;
    this.detach(session);
    try {
      session.link.close(code, reason);
    } catch {
      // already gone
    }
  }
}

/** A message of the in-process link as text (a usage frame comes as its UTF-8 bytes). */
function asText(message: string | Buffer): string {
  return typeof message === 'string' ? message : message.toString('utf8');
}
