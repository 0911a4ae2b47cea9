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
import { MediaFake, startMediaFake, wavFile } from '../fake-provider/openai-media';
import { GATEWAY_KEY, MODELS, RelayHarness, startRelayHarness } from '../support/relay-harness';
import { SettlementWatcher } from '../support/settlement-watcher';

const chat = { model: MODELS.openai, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16 };
const gemini = { contents: [{ role: 'user', parts: [{ text: 'Say hello.' }] }] };

/** Models of the non-chat endpoints, on channels of the media fake (created in beforeAll). */
const MEDIA = { image: 'metered-image', speech: 'metered-speech', transcription: 'metered-whisper', moderation: 'metered-moderation', rerank: 'metered-rerank' };
/** A multipart body, built afresh for each request. */
const form = (fields: Record<string, string>, files: Record<string, [Buffer, string, string]>) => () => {
  const body = new FormData();
  for (const [name, [bytes, filename, type]] of Object.entries(files)) body.append(name, new Blob([new Uint8Array(bytes)], { type }), filename);
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
};
const audio = { file: [wavFile(1), 'speech.wav', 'audio/wav'] as [Buffer, string, string] };

/** Billable routes and one valid request each (the path with its parameters filled in; a function builds a multipart body). */
const METERED: Record<string, Array<{ path: string; body: unknown; model: string }>> = {
  'POST /v1/chat/completions': [
    { path: '/v1/chat/completions', body: chat, model: MODELS.openai },
    { path: '/v1/chat/completions', body: { ...chat, stream: true }, model: MODELS.openai },
  ],
  'POST /v1/responses': [{ path: '/v1/responses', body: { model: MODELS.openai, input: 'Say hello.' }, model: MODELS.openai }],
  'POST /v1/messages': [{ path: '/v1/messages', body: { ...chat, model: MODELS.anthropic }, model: MODELS.anthropic }],
  'POST /v1/embeddings': [{ path: '/v1/embeddings', body: { model: MODELS.openai, input: 'hello' }, model: MODELS.openai }],
  'POST /v1/completions': [{ path: '/v1/completions', body: { model: MODELS.openai, prompt: 'Say hello.' }, model: MODELS.openai }],
  'POST /v1/images/generations': [{ path: '/v1/images/generations', body: { model: MEDIA.image, prompt: 'a cat' }, model: MEDIA.image }],
  'POST /v1/images/edits': [
    { path: '/v1/images/edits', body: form({ model: MEDIA.image, prompt: 'a hat' }, { image: [Buffer.from('png'), 'cat.png', 'image/png'] }), model: MEDIA.image },
  ],
  'POST /v1/audio/speech': [{ path: '/v1/audio/speech', body: { model: MEDIA.speech, voice: 'alloy', input: 'Say hello.' }, model: MEDIA.speech }],
  'POST /v1/audio/transcriptions': [{ path: '/v1/audio/transcriptions', body: form({ model: MEDIA.transcription }, audio), model: MEDIA.transcription }],
  'POST /v1/audio/translations': [{ path: '/v1/audio/translations', body: form({ model: MEDIA.transcription }, audio), model: MEDIA.transcription }],
  'POST /v1/moderations': [{ path: '/v1/moderations', body: { model: MEDIA.moderation, input: 'hello' }, model: MEDIA.moderation }],
  'POST /v1/rerank': [{ path: '/v1/rerank', body: { model: MEDIA.rerank, query: 'hello', documents: ['hello', 'world'] }, model: MEDIA.rerank }],
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
  let media: MediaFake;
  /** POSTs a sample (JSON, or a multipart form from its builder), with the gateway key unless `anonymous`. */
  const send = (path: string, body: unknown, headers: Record<string, string>, anonymous = false) => {
    const multipart = typeof body === 'function';
    return fetch(new URL(path, harness.master.url), {
      method: 'POST',
      headers: { ...(anonymous ? {} : { authorization: `Bearer ${GATEWAY_KEY}` }), ...(multipart ? {} : { 'content-type': 'application/json' }), ...headers },
      body: multipart ? (body as () => FormData)() : JSON.stringify(body),
    });
  };

  beforeAll(async () => {
    harness = await startRelayHarness();
    settlements = await SettlementWatcher.start(harness.master.master.app.get(AppConfig).redisPrefix);
    media = await startMediaFake();
    const admin = async (path: string, body: unknown) => (await harness.master.request('POST', path, { token: harness.master.adminToken, body })).body;
    const openai = await admin('/api/channels', { name: 'media-openai', type: 'openai', base_url: media.baseUrls.openai, key: media.key });
    const cohere = await admin('/api/channels', { name: 'media-cohere', type: 'cohere', base_url: media.baseUrls.cohere, key: media.key });
    for (const [model, channel, upstream] of [
      [MEDIA.image, openai.id, 'dall-e-3'],
      [MEDIA.speech, openai.id, 'tts-1'],
      [MEDIA.transcription, openai.id, 'whisper-1'],
      [MEDIA.moderation, openai.id, 'omni-moderation-latest'],
      [MEDIA.rerank, cohere.id, 'rerank-v3.5'],
    ]) {
      await admin('/api/models', { name: model, price: { image: '0.01', character: '1', audio_second: '0.0001', search_unit: '0.002' } });
      await admin('/api/routes', { model, channel_id: channel, upstream_model: upstream });
    }
  });
  afterAll(async () => {
    await settlements?.close();
    await harness?.close();
    await media?.close();
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
        const response = await send(sample.path, sample.body, { 'x-request-id': requestId });
        const text = await response.text();
        expect(response.status, `${sample.path}: ${text.slice(0, 300)}`).toBe(200);
        expect(await settlements.outcome(requestId)).toBeNull();
        const rows = await harness.master.request('GET', '/api/usage', { token: harness.master.adminToken, query: { model: sample.model, limit: 500 } });
        expect(rows.body.data.filter((row: { client_request_id: string }) => row.client_request_id === requestId)).toHaveLength(1);

        const anonymousId = `anonymous-${randomUUID()}`;
        const anonymous = await send(sample.path, sample.body, { 'x-request-id': anonymousId }, true);
        expect(anonymous.status).toBe(401);
        // A later request's settlement has run by the time this one's would have: the anonymous one left no record.
        const probeId = `probe-${randomUUID()}`;
        await (await send(sample.path, sample.body, { 'x-request-id': probeId })).text();
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
