/**
 * Every data-plane route is either metered — exactly one usage record per
 * client request — or declared free here, and every one refuses a request
 * without a gateway key (401, no record). A new /v1 or /v1beta route that is
 * in neither list fails this test, like a route without an access decision
 * fails the RBAC table.
 */
import { AppConfig } from '@aigw/config';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TABLE } from '../e2e/access-table';
import { MODELS, RelayHarness, startRelayHarness } from '../support/relay-harness';
import { SettlementWatcher } from '../support/settlement-watcher';

const chat = { model: MODELS.openai, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16 };
const gemini = { contents: [{ role: 'user', parts: [{ text: 'Say hello.' }] }] };

/** Billable routes and one valid request each (the path with its parameters filled in). */
const METERED: Record<string, Array<{ path: string; body: unknown; model: string }>> = {
  'POST /v1/chat/completions': [
    { path: '/v1/chat/completions', body: chat, model: MODELS.openai },
    { path: '/v1/chat/completions', body: { ...chat, stream: true }, model: MODELS.openai },
  ],
  'POST /v1/responses': [{ path: '/v1/responses', body: { model: MODELS.openai, input: 'Say hello.' }, model: MODELS.openai }],
  'POST /v1/messages': [{ path: '/v1/messages', body: { ...chat, model: MODELS.anthropic }, model: MODELS.anthropic }],
  'POST /v1/embeddings': [{ path: '/v1/embeddings', body: { model: MODELS.openai, input: 'hello' }, model: MODELS.openai }],
  'POST /v1/completions': [{ path: '/v1/completions', body: { model: MODELS.openai, prompt: 'Say hello.' }, model: MODELS.openai }],
  'POST /v1beta/models/:target': [
    { path: `/v1beta/models/${MODELS.gemini}:generateContent`, body: gemini, model: MODELS.gemini },
    { path: `/v1beta/models/${MODELS.gemini}:streamGenerateContent?alt=sse`, body: gemini, model: MODELS.gemini },
  ],
  'POST /v1/models/:target': [{ path: `/v1/models/${MODELS.gemini}:generateContent`, body: gemini, model: MODELS.gemini }],
};

/** Routes that cost nothing, and why. */
const FREE: Record<string, string> = {
  'POST /v1/messages/count_tokens': 'token counting',
  'GET /v1/models': 'model list',
  'GET /v1/models/:id': 'model list',
  'GET /v1beta/models': 'model list',
  'GET /v1beta/models/:id': 'model list',
  'GET /v1/dashboard/billing/subscription': 'self-service',
  'GET /v1/dashboard/billing/usage': 'self-service',
  'GET /api/tokens/self': 'self-service',
};

describe('metering covers every data-plane route', () => {
  let harness: RelayHarness;
  let settlements: SettlementWatcher;

  beforeAll(async () => {
    harness = await startRelayHarness();
    settlements = await SettlementWatcher.start(harness.master.master.app.get(AppConfig).redisPrefix);
  });
  afterAll(async () => {
    await settlements?.close();
    await harness?.close();
  });

  const dataPlaneRoutes = () =>
    [...new Set(harness.master.master.routes.map((route) => `${route.method} ${route.url}`))].filter(
      (key) => ACCESS_TABLE[key] === 'api-token' || / \/v1(beta)?\//.test(key),
    );

  it('every data-plane route is metered or declared free, and every api-token route is one of them', () => {
    const routes = dataPlaneRoutes();
    expect(routes.filter((key) => !(key in METERED) && !(key in FREE)), 'routes neither metered nor declared free').toEqual([]);
    expect([...Object.keys(METERED), ...Object.keys(FREE)].filter((key) => !routes.includes(key)), 'stale entries').toEqual([]);
    expect(routes.filter((key) => ACCESS_TABLE[key] !== 'api-token'), 'data-plane routes not behind a gateway key').toEqual([]);
  });

  for (const [route, requests] of Object.entries(METERED)) {
    it(`${route}: exactly one usage record per request, and none for a request without a key`, async () => {
      for (const sample of requests) {
        const requestId = `metered-${randomUUID()}`;
        const response = await harness.post(sample.path, sample.body, { 'x-request-id': requestId });
        const text = await response.text();
        expect(response.status, `${sample.path}: ${text.slice(0, 300)}`).toBe(200);
        expect(await settlements.outcome(requestId)).toBeNull();
        const rows = await harness.master.request('GET', '/api/usage', { token: harness.master.adminToken, query: { model: sample.model, limit: 500 } });
        expect(rows.body.data.filter((row: { client_request_id: string }) => row.client_request_id === requestId)).toHaveLength(1);

        const anonymousId = `anonymous-${randomUUID()}`;
        const anonymous = await fetch(new URL(sample.path, harness.master.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': anonymousId },
          body: JSON.stringify(sample.body),
        });
        expect(anonymous.status).toBe(401);
        // A later request's settlement has run by the time this one's would have: the anonymous one left no record.
        const probeId = `probe-${randomUUID()}`;
        await (await harness.post(sample.path, sample.body, { 'x-request-id': probeId })).text();
        expect(await settlements.outcome(probeId)).toBeNull();
        const after = await harness.master.request('GET', '/api/usage', { token: harness.master.adminToken, query: { model: sample.model, limit: 500 } });
        expect(after.body.data.filter((row: { client_request_id: string }) => row.client_request_id === anonymousId)).toEqual([]);
      }
    });
  }
  it("a client's X-Request-Id is kept for correlation but never keys the charge: the same id twice is metered twice", async () => {
    const sample = Object.values(METERED)[0][0];
    const clientId = `reused-${randomUUID()}`;
    const answers = [];
    for (let i = 0; i < 2; i += 1) {
      const response = await harness.post(sample.path, sample.body, { 'x-request-id': clientId });
      await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('x-client-request-id')).toBe(clientId);
      answers.push(response.headers.get('x-request-id'));
    }
    expect(answers[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(answers[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(answers[0]).not.toBe(answers[1]);
    for (const id of answers) expect(await settlements.outcome(id!)).toBeNull();
    const rows = await harness.master.request('GET', '/api/usage', { token: harness.master.adminToken, query: { client_request_id: clientId } });
    expect(rows.body.data.map((row: { request_id: string }) => row.request_id).sort()).toEqual([...answers].sort());
    expect(rows.body.data.every((row: { cost_micros: number }) => row.cost_micros > 0)).toBe(true);
  });
});
