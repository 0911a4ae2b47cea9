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

export function usageCharge(record: UsageRecord): UsageCharge {
  return { request_id: record.request_id, token_id: record.token_id, user_id: record.user_id, cost_micros: record.cost_micros };
}
