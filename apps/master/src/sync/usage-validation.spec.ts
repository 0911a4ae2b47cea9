import { UsageRecord, usageRow } from '@aigw/contracts';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REVOCATION_GRACE_MS, validateUsage } from './usage-validation';

const AGENT = 'agent-eu-1';
const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

function record(overrides: Partial<Record<keyof UsageRecord, unknown>> = {}): UsageRecord {
  return {
    request_id: `${AGENT}.${randomUUID()}`,
    token_id: randomUUID(),
    user_id: randomUUID(),
    group_id: null,
    channel_id: randomUUID(),
    agent_id: AGENT,
    region: 'eu',
    model: 'gpt-test',
    prompt_tokens: 100,
    completion_tokens: 20,
    cached_tokens: 0,
    cost_micros: 1_500,
    channel_cost_micros: 1_200,
    latency_ms: 250,
    status: 200,
    created_at: new Date(NOW - HOUR).toISOString(),
    ...overrides,
  } as UsageRecord;
}

/** Validates one record alone; returns the refusal reason or null when it is valid. */
function reasonFor(candidate: unknown, options: { revokedAt?: Date | null } = {}): string | null {
  const result = validateUsage([candidate], AGENT, { now: NOW, ...options });
  expect(result.valid.length + result.refused.length).toBe(1);
  return result.refused[0]?.reason ?? null;
}

describe('validateUsage', () => {
  it("accepts a well-formed record of the sending agent", () => {
    const good = record();
    expect(validateUsage([good], AGENT, { now: NOW })).toEqual({ valid: [good], refused: [] });
  });

  it('accepts a minimal record (optional fields absent, nullable ids null)', () => {
    const minimal = record({ token_id: null, user_id: null, channel_id: undefined, group_id: undefined, cached_tokens: undefined, channel_cost_micros: undefined });
    expect(reasonFor(minimal)).toBeNull();
  });

  it('accepts boundary values: zero counts, status 100 and 599, cost exactly 10^12, created_at exactly a day ahead', () => {
    expect(reasonFor(record({ prompt_tokens: 0, completion_tokens: 0, latency_ms: 0, cost_micros: 0 }))).toBeNull();
    expect(reasonFor(record({ prompt_tokens: 2_147_483_647 }))).toBeNull();
    expect(reasonFor(record({ status: 100 }))).toBeNull();
    expect(reasonFor(record({ status: 599 }))).toBeNull();
    expect(reasonFor(record({ cost_micros: 1_000_000_000_000 }))).toBeNull();
    expect(reasonFor(record({ created_at: new Date(NOW + DAY).toISOString() }))).toBeNull();
  });

  it("refuses another agent's agent_id (or null); a record without one is the sending agent's", () => {
    expect(reasonFor(record({ agent_id: 'agent-us-2' }))).toMatch(/agent_id/);
    expect(reasonFor(record({ agent_id: null }))).toMatch(/agent_id/);
    expect(reasonFor(record({ agent_id: undefined }))).toBeNull();
  });

  it('takes rows (protocol 2) as the records they encode, and refuses a malformed row by its request id', () => {
    const good = record({ agent_id: undefined, region: undefined });
    const row = JSON.parse(JSON.stringify(usageRow(good)));
    const { valid, refused } = validateUsage([row], AGENT, { now: NOW, region: 'eu' });
    expect(refused).toEqual([]);
    expect(valid).toEqual([{ ...good, group_id: undefined, agent_id: AGENT, region: 'eu' }]); // a null is an absent field

    const negative = usageRow(record({ prompt_tokens: -1 }));
    const foreign = usageRow(record({ request_id: `agent-us-2.${randomUUID()}` }));
    const result = validateUsage([negative, foreign, [], [42]], AGENT, { now: NOW });
    expect(result.valid).toEqual([]);
    expect(result.refused).toEqual([
      { request_id: negative[0], reason: expect.stringMatching(/prompt_tokens/) },
      { request_id: foreign[0], reason: expect.stringMatching(/request_id/) },
      { request_id: '', reason: expect.stringMatching(/request_id/) },
      { request_id: '', reason: expect.stringMatching(/request_id/) },
    ]);
  });

  it("stamps valid records with the sending agent's id and the region the master has for it, whatever the agent said", () => {
    const bare = record({ agent_id: undefined, region: undefined });
    const claiming = record({ region: 'us' });
    const { valid } = validateUsage([bare, claiming], AGENT, { now: NOW, region: 'eu-west' });
    expect(valid.map((entry) => [entry.agent_id, entry.region])).toEqual([
      [AGENT, 'eu-west'],
      [AGENT, 'eu-west'],
    ]);
    // Without a region from the master (a caller that has none), the record keeps its own.
    expect(validateUsage([record({ region: 'eu' })], AGENT, { now: NOW }).valid[0]).toMatchObject({ agent_id: AGENT, region: 'eu' });
  });

  it("refuses a request_id without the agent's prefix", () => {
    expect(reasonFor(record({ request_id: `agent-us-2.${randomUUID()}` }))).toMatch(/request_id/);
    expect(reasonFor(record({ request_id: randomUUID() }))).toMatch(/request_id/);
    // The prefix is the whole agent id followed by a dot, not just a string prefix.
    expect(reasonFor(record({ request_id: `${AGENT}0.${randomUUID()}` }))).toMatch(/request_id/);
    expect(reasonFor(record({ request_id: `${AGENT}-${randomUUID()}` }))).toMatch(/request_id/);
  });

  it('refuses a malformed request_id', () => {
    expect(reasonFor(record({ request_id: `${AGENT}.has space` }))).toMatch(/request_id/);
    expect(reasonFor(record({ request_id: `${AGENT}.${'x'.repeat(200)}` }))).toMatch(/request_id/);
    expect(reasonFor(record({ request_id: 42 }))).toMatch(/request_id/);
  });

  it.each([
    ['prompt_tokens', -1],
    ['prompt_tokens', 1.5],
    ['prompt_tokens', 2_147_483_648],
    ['prompt_tokens', Number.MAX_SAFE_INTEGER + 2],
    ['prompt_tokens', '100'],
    ['prompt_tokens', undefined],
    ['completion_tokens', -5],
    ['completion_tokens', 0.1],
    ['completion_tokens', 1e20],
    ['cached_tokens', -1],
    ['cache_write_tokens', 2.5],
    ['reasoning_tokens', 3_000_000_000],
    ['latency_ms', -1],
    ['latency_ms', null],
  ])('refuses %s = %s', (field, value) => {
    expect(reasonFor(record({ [field]: value }))).toBe(`${field} is out of range`);
  });

  it.each([
    ['cost_micros', 1_000_000_000_001],
    ['cost_micros', 1e15],
    ['cost_micros', -1],
    ['cost_micros', 1.5],
    ['cost_micros', undefined],
    ['channel_cost_micros', 1_000_000_000_001],
    ['channel_cost_micros', -1],
  ])('refuses %s = %s', (field, value) => {
    expect(reasonFor(record({ [field]: value }))).toBe(`${field} is out of range`);
  });

  it.each([99, 600, 0, -200, 200.5, '200', null])('refuses status %s', (status) => {
    expect(reasonFor(record({ status }))).toBe('status is out of range');
  });

  it('refuses a created_at that does not parse, is missing, or is more than a day ahead', () => {
    expect(reasonFor(record({ created_at: 'yesterday-ish' }))).toBe('created_at is not a real time');
    expect(reasonFor(record({ created_at: undefined }))).toBe('created_at is not a real time');
    expect(reasonFor(record({ created_at: NOW }))).toBe('created_at is not a real time');
    expect(reasonFor(record({ created_at: new Date(NOW + DAY + 1).toISOString() }))).toBe('created_at is not a real time');
    expect(reasonFor(record({ created_at: new Date(NOW + 30 * DAY).toISOString() }))).toBe('created_at is not a real time');
  });

  it('refuses ids that are not uuids', () => {
    expect(reasonFor(record({ token_id: 'not-a-uuid' }))).toBe('token_id is not a uuid');
    expect(reasonFor(record({ token_id: 12 }))).toBe('token_id is not a uuid');
    expect(reasonFor(record({ user_id: `${randomUUID()}x` }))).toBe('user_id is not a uuid');
    expect(reasonFor(record({ group_id: 'g1' }))).toBe('group_id is not a uuid');
    expect(reasonFor(record({ channel_id: '' }))).toBe('channel_id is not a uuid');
  });

  it('refuses a missing or oversized model', () => {
    expect(reasonFor(record({ model: '' }))).toBe('model is malformed');
    expect(reasonFor(record({ model: 'm'.repeat(129) }))).toBe('model is malformed');
    expect(reasonFor(record({ model: undefined }))).toBe('model is malformed');
  });

  it.each([[null], [undefined], [42], ['a string'], [true]])('refuses the non-object entry %s', (entry) => {
    const result = validateUsage([entry], AGENT, { now: NOW });
    expect(result.valid).toEqual([]);
    expect(result.refused).toEqual([{ request_id: '', reason: 'not an object' }]);
  });

  it('refuses an array entry', () => {
    const result = validateUsage([[record()]], AGENT, { now: NOW });
    expect(result.valid).toEqual([]);
    expect(result.refused).toHaveLength(1);
  });

  it('names the refused record by its request_id (cut to 128 characters)', () => {
    const foreign = record({ agent_id: 'agent-us-2' });
    expect(validateUsage([foreign], AGENT, { now: NOW }).refused).toEqual([{ request_id: foreign.request_id, reason: expect.stringMatching(/agent_id/) }]);
    const long = record({ request_id: `${AGENT}.${'y'.repeat(300)}` });
    expect(validateUsage([long], AGENT, { now: NOW }).refused[0].request_id).toHaveLength(128);
  });

  describe('with revokedAt', () => {
    const revokedAt = new Date(NOW - HOUR);

    it('refuses records created after the revocation (beyond the clock-skew grace)', () => {
      const justAfterGrace = revokedAt.getTime() + REVOCATION_GRACE_MS + 1;
      expect(reasonFor(record({ created_at: new Date(justAfterGrace).toISOString() }), { revokedAt })).toBe('metered after the agent was revoked');
      expect(reasonFor(record({ created_at: new Date(NOW).toISOString() }), { revokedAt })).toBe('metered after the agent was revoked');
    });

    it('accepts records created before (or at) the revocation, and within the grace after it', () => {
      expect(REVOCATION_GRACE_MS).toBeGreaterThanOrEqual(0);
      expect(REVOCATION_GRACE_MS).toBeLessThan(HOUR);
      expect(reasonFor(record({ created_at: new Date(NOW - 2 * HOUR).toISOString() }), { revokedAt })).toBeNull();
      expect(reasonFor(record({ created_at: revokedAt.toISOString() }), { revokedAt })).toBeNull();
      expect(reasonFor(record({ created_at: new Date(revokedAt.getTime() + REVOCATION_GRACE_MS).toISOString() }), { revokedAt })).toBeNull();
    });

    it('a revoked agent with a bad record still has its other records judged one by one', () => {
      const before = record({ created_at: new Date(NOW - 2 * HOUR).toISOString() });
      const after = record({ created_at: new Date(NOW - 60_000).toISOString() });
      const foreign = record({ agent_id: 'agent-us-2', created_at: new Date(NOW - 2 * HOUR).toISOString() });
      const result = validateUsage([before, after, foreign], AGENT, { now: NOW, revokedAt });
      expect(result.valid).toEqual([before]);
      expect(result.refused).toEqual([
        { request_id: after.request_id, reason: 'metered after the agent was revoked' },
        { request_id: foreign.request_id, reason: expect.stringMatching(/agent_id/) },
      ]);
    });

    it('a null revokedAt refuses nothing for that reason', () => {
      expect(reasonFor(record({ created_at: new Date(NOW).toISOString() }), { revokedAt: null })).toBeNull();
    });
  });

  it('refuses only the bad records of a batch and keeps the order of the rest', () => {
    const first = record();
    const foreign = record({ agent_id: 'agent-us-2' });
    const second = record({ status: 502, completion_tokens: 0 });
    const negative = record({ prompt_tokens: -3 });
    const third = record();
    const result = validateUsage([first, foreign, second, null, negative, third], AGENT, { now: NOW });
    expect(result.valid).toEqual([first, second, third]);
    expect(result.refused.map((entry) => entry.request_id)).toEqual([foreign.request_id, '', negative.request_id]);
    expect(result.refused.map((entry) => entry.reason)).toEqual([expect.stringMatching(/agent_id/), 'not an object', 'prompt_tokens is out of range']);
  });

  it('uses the current time when now is not given', () => {
    const ahead = record({ created_at: new Date(Date.now() + 2 * DAY).toISOString() });
    const recent = record({ created_at: new Date(Date.now() - HOUR).toISOString() });
    const result = validateUsage([ahead, recent], AGENT);
    expect(result.valid).toEqual([recent]);
    expect(result.refused).toEqual([{ request_id: ahead.request_id, reason: 'created_at is not a real time' }]);
  });
});
