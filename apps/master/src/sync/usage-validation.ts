import { REQUEST_ID_PATTERN as REQUEST_ID, UsageRecord, usageFromRow } from '@aigw/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TOKENS = 2_147_483_647;
/** $1,000,000 in micro-units: more for one request is not a real charge. */
const MAX_COST_MICROS = 1_000_000_000_000;
/** A record from further ahead than this is forged or from a broken clock. */
const MAX_CLOCK_AHEAD_MS = 24 * 3600 * 1000;
/** Clocks of agent and master hosts differ: a revoked agent's records up to this long after the revocation still count as before it. */
export const REVOCATION_GRACE_MS = 5_000;

export interface RefusedUsage {
  request_id: string;
  reason: string;
}

/**
 * What an agent may report (each record as an object, or as a row: decoded
 * first): its own records (request ids `<agent id>.<unique>`;
 * an agent_id, when sent, the session's), integers in range, a real
 * timestamp. A refused record is never settled; the rest of its batch is. A
 * revoked agent's usage metered before the revocation is still accepted (the
 * upstream was paid), later usage is not. Valid records are stamped with the
 * sending agent's id and, when given, the region the master has for it: an
 * agent need not send either (and its word on its region is not taken).
 */
export function validateUsage(
  records: unknown[],
  agentId: string,
  options: { now?: number; revokedAt?: Date | null; region?: string | null } = {},
): { valid: UsageRecord[]; refused: RefusedUsage[] } {
  const now = options.now ?? Date.now();
  const revokedAt = options.revokedAt?.getTime() ?? null;
  const valid: UsageRecord[] = [];
  const refused: RefusedUsage[] = [];
  for (const candidate of records) {
    // Protocol 2 agents send rows (values in USAGE_ROW_FIELDS order); older ones, objects.
    const record = (Array.isArray(candidate) ? usageFromRow(candidate) : candidate) as Partial<UsageRecord> | null;
    const requestId = typeof record?.request_id === 'string' ? record.request_id.slice(0, 128) : '';
    let reason = problem(record, agentId, now);
    if (!reason && revokedAt !== null && Date.parse(record!.created_at!) > revokedAt + REVOCATION_GRACE_MS) reason = 'metered after the agent was revoked';
    if (reason) {
      refused.push({ request_id: requestId, reason });
      continue;
    }
    record!.agent_id = agentId;
    if (options.region !== undefined) record!.region = options.region;
    valid.push(record as UsageRecord);
  }
  return { valid, refused };
}

function problem(record: Partial<UsageRecord> | null, agentId: string, now: number): string | null {
  if (!record || typeof record !== 'object') return 'not an object';
  if (typeof record.request_id !== 'string' || !REQUEST_ID.test(record.request_id)) return 'request_id is malformed';
  if (record.client_request_id !== undefined && record.client_request_id !== null && (typeof record.client_request_id !== 'string' || !REQUEST_ID.test(record.client_request_id))) {
    return 'client_request_id is malformed';
  }
  if (record.agent_id !== undefined && record.agent_id !== agentId) return "agent_id is not the sending agent's";
  // An agent's request ids carry its id, so one agent cannot claim (and so void) another's.
  if (!record.request_id.startsWith(`${agentId}.`)) return "request_id is not one of the sending agent's";
  for (const field of ['token_id', 'user_id', 'group_id', 'channel_id'] as const) {
    const value = record[field];
    if (value !== null && value !== undefined && (typeof value !== 'string' || !UUID.test(value))) return `${field} is not a uuid`;
  }
  if (typeof record.model !== 'string' || record.model.length === 0 || record.model.length > 128) return 'model is malformed';
  for (const field of ['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cache_write_tokens', 'reasoning_tokens', 'images', 'audio_ms', 'characters', 'search_units', 'latency_ms'] as const) {
    const value = record[field];
    if (value === undefined && field !== 'prompt_tokens' && field !== 'completion_tokens' && field !== 'latency_ms') continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_TOKENS) return `${field} is out of range`;
  }
  for (const field of ['cost_micros', 'channel_cost_micros'] as const) {
    const value = record[field];
    if (value === undefined && field === 'channel_cost_micros') continue;
    if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_COST_MICROS) return `${field} is out of range`;
  }
  if (!Number.isInteger(record.status) || (record.status as number) < 100 || (record.status as number) > 599) return 'status is out of range';
  const at = typeof record.created_at === 'string' ? Date.parse(record.created_at) : Number.NaN;
  if (!Number.isFinite(at) || at > now + MAX_CLOCK_AHEAD_MS) return 'created_at is not a real time';
  return null;
}
