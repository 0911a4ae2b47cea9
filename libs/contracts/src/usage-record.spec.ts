import { describe, expect, it } from 'vitest';
import { USAGE_ROW_FIELDS, UsageRecord, usageCharge, usageFromRow, usageRow } from './usage-record';

const full: UsageRecord = {
  request_id: 'agent-1.req-1',
  client_request_id: 'client-7',
  token_id: '00000000-0000-4000-8000-000000000001',
  user_id: '00000000-0000-4000-8000-000000000002',
  group_id: '00000000-0000-4000-8000-000000000003',
  channel_id: '00000000-0000-4000-8000-000000000004',
  model: 'gpt-test',
  upstream_model: 'gpt-upstream',
  endpoint: 'chat',
  prompt_tokens: 100,
  completion_tokens: 20,
  cached_tokens: 30,
  cache_write_tokens: 4,
  reasoning_tokens: 5,
  images: 1,
  audio_ms: 2_000,
  characters: 300,
  search_units: 2,
  estimated: true,
  cost_micros: 1_500,
  channel_cost_micros: 1_200,
  latency_ms: 250,
  first_token_ms: 40,
  status: 200,
  stream: true,
  error_class: 'rate_limit',
  attempts: [{ channel_id: '00000000-0000-4000-8000-000000000004', status: 429, error_class: 'rate_limit', latency_ms: 3 }],
  created_at: '2026-12-07T16:40:00.123Z',
};

describe('usage rows', () => {
  it('put each field at its index in USAGE_ROW_FIELDS, and read back as the same record through JSON', () => {
    const row = usageRow(full);
    expect(row).toHaveLength(USAGE_ROW_FIELDS.length);
    USAGE_ROW_FIELDS.forEach((field, index) => expect([field, row[index]]).toEqual([field, full[field]]));
    expect(usageFromRow(JSON.parse(JSON.stringify(row)))).toEqual(full);
    // Every field of the record but the two the master stamps is in the row.
    expect(Object.keys(full).sort()).toEqual([...USAGE_ROW_FIELDS].sort());
  });

  it('are about half the bytes of the record', () => {
    expect(JSON.stringify(usageRow(full)).length).toBeLessThan(0.6 * JSON.stringify(full).length);
  });

  it('read an absent value (null, or missing at the end as in an older release) as an absent field', () => {
    const minimal: UsageRecord = { request_id: 'agent-1.r', token_id: null, user_id: null, model: 'm', prompt_tokens: 1, completion_tokens: 2, cost_micros: 3, latency_ms: 4, status: 200, created_at: full.created_at };
    const decoded = usageFromRow(JSON.parse(JSON.stringify(usageRow(minimal))));
    expect(decoded).toEqual({ request_id: 'agent-1.r', model: 'm', prompt_tokens: 1, completion_tokens: 2, cost_micros: 3, latency_ms: 4, status: 200, created_at: full.created_at });
    expect(usageFromRow(['agent-1.r', null, 't'])).toEqual({ request_id: 'agent-1.r', token_id: 't' });
    // Values past the known fields (a newer release's) are ignored.
    expect(Object.keys(usageFromRow([...usageRow(full), 'from-the-future']))).toHaveLength(USAGE_ROW_FIELDS.length);
  });

  it('give the same charge as the record', () => {
    expect(usageCharge(usageRow(full))).toEqual(usageCharge(full));
    expect(usageCharge(JSON.parse(JSON.stringify(usageRow({ ...full, token_id: null, user_id: null }))))).toEqual({
      request_id: full.request_id,
      token_id: null,
      user_id: null,
      cost_micros: full.cost_micros,
    });
  });
});
