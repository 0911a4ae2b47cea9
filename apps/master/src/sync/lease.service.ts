import { queryRows } from '@aigw/persistence';
import { DataSource, EntityManager } from 'typeorm';

const SUBJECT = /^([tu]):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
/** Unlimited tokens need no lease; an agent asking anyway gets what it wants, within this. */
const UNLIMITED_GRANT = 1_000_000_000_000;

/**
 * Lends agents budget: of a token's quota (`t:<id>`) or of a user's balance
 * (`u:<id>`). Available = budget − settled spend − what other agents hold
 * (unexpired) − what this agent already holds. A grant is at least `need`
 * (or nothing) and at most max(need, half of what is available), so one
 * agent never takes it all while others serve the same token. The token or
 * user row is locked for the read, so concurrent grants never lend the same
 * budget twice.
 */
export class LeaseService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ttlSeconds: number,
  ) {}

  get ttlMs(): number {
    return this.ttlSeconds * 1000;
  }

  async grant(agentId: string, subject: string, need: number, want: number): Promise<number> {
    const match = SUBJECT.exec(subject);
    if (!match || !Number.isSafeInteger(need) || !Number.isSafeInteger(want) || need < 0 || want < need) return 0;
    return this.dataSource.transaction(async (manager) => {
      const budget = await this.budget(manager, match[1] as 't' | 'u', match[2]);
      if (budget === null) return 0;
      const [held] = queryRows<{ others: string; mine: string }>(
        await manager.query(
          `SELECT COALESCE(sum(outstanding_micros) FILTER (WHERE agent_id <> $2), 0) AS others,
                  COALESCE(sum(outstanding_micros) FILTER (WHERE agent_id = $2), 0) AS mine
           FROM quota_leases WHERE subject = $1 AND expires_at > now()`,
          [subject, agentId],
        ),
      );
      const available = Math.max(0, budget - Number(held.others) - Number(held.mine));
      if (available < need) return 0;
      const granted = Math.min(want, available, Math.max(need, Math.floor(available / 2)));
      await manager.query(
        `INSERT INTO quota_leases (agent_id, subject, outstanding_micros, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
         ON CONFLICT (agent_id, subject) DO UPDATE SET
           outstanding_micros = CASE WHEN quota_leases.expires_at > now() THEN quota_leases.outstanding_micros ELSE 0 END + EXCLUDED.outstanding_micros,
           expires_at = EXCLUDED.expires_at`,
        [agentId, subject, granted, this.ttlSeconds],
      );
      return granted;
    });
  }

  /** The budget behind a subject, its row locked; null when it does not exist or is not active. */
  private async budget(manager: EntityManager, kind: 't' | 'u', id: string): Promise<number | null> {
    if (kind === 't') {
      const [token] = queryRows<{ quota_micros: string | null; used_micros: string; status: string }>(
        await manager.query('SELECT quota_micros, used_micros, status FROM api_tokens WHERE id = $1 FOR UPDATE', [id]),
      );
      if (!token || token.status !== 'active') return null;
      return token.quota_micros === null ? UNLIMITED_GRANT : Number(token.quota_micros) - Number(token.used_micros);
    }
    const [user] = queryRows<{ balance_micros: string; status: string }>(
      await manager.query('SELECT balance_micros, status FROM users WHERE id = $1 FOR UPDATE', [id]),
    );
    if (!user || user.status !== 'active') return null;
    return Number(user.balance_micros);
  }
}
