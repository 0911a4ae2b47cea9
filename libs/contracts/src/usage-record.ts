/** A request id as the gateway takes it from a client or an agent: 1-128 of letters, digits, . _ : - */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** One attempt of a request at one channel. */
export interface UsageAttempt {
  channel_id: string;
  status: number;
  error_class?: string;
  latency_ms: number;
}

/**
 * What an agent reports for one client request; settled exactly once by
 * `request_id` (at-least-once delivery, idempotent insert).
 */
export interface UsageRecord {
  /** The gateway's id of the request (unique; never taken from the client). */
  request_id: string;
  /** The client's X-Client-Request-Id / X-Request-Id, when it sent one (correlation only). */
  client_request_id?: string | null;
  token_id: string | null;
  user_id: string | null;
  group_id?: string | null;
  channel_id?: string | null;
  agent_id?: string | null;
  region?: string | null;
  model: string;
  upstream_model?: string | null;
  endpoint?: string;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  /** Images generated (images endpoints). */
  images?: number;
  /** Milliseconds of audio transcribed or translated. */
  audio_ms?: number;
  /** Input characters turned into speech. */
  characters?: number;
  /** Rerank search units (Cohere's: one per query over up to 100 documents). */
  search_units?: number;
  estimated?: boolean;
  cost_micros: number;
  channel_cost_micros?: number;
  latency_ms: number;
  first_token_ms?: number | null;
  status: number;
  stream?: boolean;
  error_class?: string | null;
  attempts?: UsageAttempt[];
  /** ISO-8601; when the request finished. */
  created_at: string;
}

/** What an agent keeps in memory of a usage record it ships: its charge, confirmed once the master settled it. */
export interface UsageCharge {
  request_id: string;
  token_id: string | null;
  user_id: string | null;
  cost_micros: number;
}

/** The charge of a usage record, in either of its forms (an agent's spool holds rows, and records of older releases). */
export function usageCharge(record: UsageRecord | UsageRow): UsageCharge {
  if (Array.isArray(record)) {
    return { request_id: record[ROW.request_id] as string, token_id: nullable(record[ROW.token_id]), user_id: nullable(record[ROW.user_id]), cost_micros: record[ROW.cost_micros] as number };
  }
  return { request_id: record.request_id, token_id: record.token_id, user_id: record.user_id, cost_micros: record.cost_micros };
}

/**
 * A usage record's compact form (sync protocol 2): its values in the order
 * of USAGE_ROW_FIELDS, as a JSON array — an absent value is null. About half
 * the bytes of the object (no keys), so about half the spool's disk writes,
 * the frames' bytes and the master's parsing per request. `agent_id` and
 * `region` are not in it: the master stamps them. Fields are only ever added
 * at the end, so a row of an older release reads the same.
 */
export type UsageRow = unknown[];

export const USAGE_ROW_FIELDS = [
  'request_id',
  'client_request_id',
  'token_id',
  'user_id',
  'group_id',
  'channel_id',
  'model',
  'upstream_model',
  'endpoint',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'images',
  'audio_ms',
  'characters',
  'search_units',
  'estimated',
  'cost_micros',
  'channel_cost_micros',
  'latency_ms',
  'first_token_ms',
  'status',
  'stream',
  'error_class',
  'attempts',
  'created_at',
] as const satisfies ReadonlyArray<keyof UsageRecord>;

const ROW = Object.fromEntries(USAGE_ROW_FIELDS.map((field, index) => [field, index])) as { [K in (typeof USAGE_ROW_FIELDS)[number]]: number };

/** The record as a row (one array literal in USAGE_ROW_FIELDS order: no per-field lookup); a row stays as it is. */
export function usageRow(r: UsageRecord | UsageRow): UsageRow {
  if (Array.isArray(r)) return r;
  return [
    r.request_id,
    r.client_request_id,
    r.token_id,
    r.user_id,
    r.group_id,
    r.channel_id,
    r.model,
    r.upstream_model,
    r.endpoint,
    r.prompt_tokens,
    r.completion_tokens,
    r.cached_tokens,
    r.cache_write_tokens,
    r.reasoning_tokens,
    r.images,
    r.audio_ms,
    r.characters,
    r.search_units,
    r.estimated,
    r.cost_micros,
    r.channel_cost_micros,
    r.latency_ms,
    r.first_token_ms,
    r.status,
    r.stream,
    r.error_class,
    r.attempts,
    r.created_at,
  ];
}

/**
 * A row as a record, for validation and settlement: a null (or missing
 * trailing) value is an absent field, which settlement reads as 0, null or
 * false — as it reads the object form's absent fields. Values are not
 * checked here (validation does that); values past the known fields (a newer
 * release's) are ignored.
 */
export function usageFromRow(row: UsageRow): Partial<UsageRecord> {
  const record: Record<string, unknown> = {};
  const count = Math.min(row.length, USAGE_ROW_FIELDS.length);
  for (let index = 0; index < count; index += 1) {
    const value = row[index];
    if (value !== null && value !== undefined) record[USAGE_ROW_FIELDS[index]] = value;
  }
  return record as Partial<UsageRecord>;
}

function nullable(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
