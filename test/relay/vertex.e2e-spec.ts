import { Protocol } from '@aigw/providers';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeVertex, googleError, startFakeVertex } from '../fake-provider/vertex';
import { askWithSdk, expectedAnswer } from '../support/sdk-ask';
import { ChannelHarness, startChannelHarness } from '../support/channel-harness';

/**
 * Vertex AI channels end to end: every client SDK against a Gemini and a
 * Claude model on Vertex (a fake speaking Vertex's URLs and OAuth), streamed
 * and not, with the usage recorded; the service account's token fetched once
 * and refreshed before it expires; upstream and token failures mapped.
 */

const PROJECT = 'aigw-vertex-tests';
const LOCATION = 'us-east5';
const GATEWAY_KEY = 'sk-aigw-vertex-tests-0123456789abcdefghij';
const CLIENTS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const MODELS = {
  gemini: { name: 'vx-gemini', upstream: 'gemini-2.5-flash', publisher: 'google', capture: 'google', protocol: 'gemini' },
  claude: { name: 'vx-claude', upstream: 'claude-haiku-4-5@20251001', publisher: 'anthropic', capture: 'vertex-anthropic', protocol: 'anthropic' },
} as const;
const email = (name: string) => `${name}@${PROJECT}.iam.gserviceaccount.com`;

describe('Vertex AI channels', () => {
  let fake: FakeVertex;
  let h: ChannelHarness;

  const tokensOf = (name: string) => fake.tokensIssued.filter((entry) => entry.email === email(name)).map((entry) => entry.token);

  beforeAll(async () => {
    fake = await startFakeVertex({ project: PROJECT, location: LOCATION });
    const channel = (name: string, settings: Record<string, unknown> = { provider: { region: LOCATION } }) => ({
      name,
      type: 'vertex',
      base_url: fake.url,
      key: fake.serviceAccount(email(name)),
      settings,
    });
    h = await startChannelHarness({
      config: {
        routing: { auto_disable_after: 0 },
        bootstrap: {
          users: [{ username: 'vertex-user', balance_usd: 1000 }],
          channels: [
            // The project comes from the key here, from the settings below.
            channel('vertex-main'),
            channel('vertex-burst', { provider: { region: LOCATION, project: PROJECT } }),
            channel('vertex-refresh'),
            channel('vertex-refused'),
          ],
          models: ['vx-gemini', 'vx-claude', 'vx-burst', 'vx-refresh', 'vx-refused'].map((name) => ({ name, price: { input: 1, output: 2 } })),
          routes: [
            { model: 'vx-gemini', channel: 'vertex-main', upstream_model: MODELS.gemini.upstream },
            { model: 'vx-claude', channel: 'vertex-main', upstream_model: MODELS.claude.upstream },
            { model: 'vx-burst', channel: 'vertex-burst', upstream_model: MODELS.gemini.upstream },
            { model: 'vx-refresh', channel: 'vertex-refresh', upstream_model: MODELS.claude.upstream },
            { model: 'vx-refused', channel: 'vertex-refused', upstream_model: MODELS.gemini.upstream },
          ],
          tokens: [{ name: 'vertex', key: GATEWAY_KEY, user: 'vertex-user' }],
        },
      },
    }, GATEWAY_KEY);
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  for (const model of Object.values(MODELS)) {
    for (const client of CLIENTS) {
      for (const stream of [false, true]) {
        it(`${client} client → ${model.upstream} on Vertex (${model.protocol}), ${stream ? 'streamed' : 'JSON'}; usage recorded`, async () => {
          const before = fake.apiRequests().length;
          const requestId = `vertex-${randomUUID()}`;
          const expected = expectedAnswer('simpleRequest', model.capture, model.protocol, stream);
          const answer = await askWithSdk(h.clients, client, model.name, stream, { 'x-request-id': requestId });
          expect(answer.text).toBe(expected.text);
          expect(answer.usage).toEqual({ input: expected.usage.inputTokens, output: expected.usage.outputTokens });

          const upstream = fake.apiRequests().slice(before);
          expect(upstream).toHaveLength(1);
          const sent = upstream[0];
          expect(sent).toMatchObject({ project: PROJECT, location: LOCATION, publisher: model.publisher, model: model.upstream });
          expect(sent.token).toBe(tokensOf('vertex-main')[0]);
          if (model.protocol === 'anthropic') {
            expect(sent.method).toBe(stream ? 'streamRawPredict' : 'rawPredict');
            expect(sent.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16' });
            expect(sent.body.model).toBeUndefined();
          } else {
            expect(sent.method).toBe(stream ? 'streamGenerateContent' : 'generateContent');
            expect(sent.query).toEqual(stream ? { alt: 'sse' } : {});
          }

          expect(await h.settlements.outcome(requestId)).toBeNull();
          const rows = await h.master.request('GET', `/api/usage?model=${model.name}&limit=500`, { token: h.master.adminToken });
          const row = (rows.body.data as Array<Record<string, unknown>>).find((entry) => entry.client_request_id === requestId);
          expect(row).toMatchObject({
            channel_id: h.channelIds['vertex-main'],
            prompt_tokens: expected.usage.inputTokens,
            completion_tokens: expected.usage.outputTokens,
            stream,
            status: 200,
            estimated: false,
          });
        });
      }
    }
  }

  it('every request above used the one token fetched for the channel', () => {
    expect(tokensOf('vertex-main')).toHaveLength(1);
  });

  it('many concurrent requests on a fresh channel cause one token fetch', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, () => h.clients.openai.chat.completions.create({ model: 'vx-burst', messages: [{ role: 'user', content: 'Hi' }] })),
    );
    expect(answers.every((answer) => answer.choices[0].message.content === 'The capital of France is **Paris**.')).toBe(true);
    expect(tokensOf('vertex-burst')).toHaveLength(1);
    const sent = fake.apiRequests().filter((request) => request.token === tokensOf('vertex-burst')[0]);
    expect(sent).toHaveLength(24);
  });

  it('the token is refreshed before it expires, and the next request uses the new one without a fetch of its own', async () => {
    fake.tokenLifetimeSeconds = 2;
    try {
      await h.clients.anthropic.messages.create({ model: 'vx-refresh', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
      const [first] = tokensOf('vertex-refresh');
      // The refresh timer fires at half the 2 s lifetime, while the first token is still valid.
      const [refreshed] = await once(fake.events, 'token');
      expect(refreshed.email).toBe(email('vertex-refresh'));
      await h.clients.anthropic.messages.create({ model: 'vx-refresh', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
      const used = fake.apiRequests().filter((request) => request.model === MODELS.claude.upstream && tokensOf('vertex-refresh').includes(request.token));
      expect(used.map((request) => request.token)).toEqual([first, refreshed.token]);
      expect(tokensOf('vertex-refresh')).toEqual([first, refreshed.token]);
    } finally {
      fake.tokenLifetimeSeconds = 3600;
    }
  });

  it('token counting goes to Vertex: Gemini countTokens and the Claude count-tokens model', async () => {
    const before = fake.apiRequests().length;
    const counted = await h.clients.anthropic.messages.countTokens({ model: 'vx-claude', messages: [{ role: 'user', content: 'Count me, please.' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const gemini = await h.clients.genai.models.countTokens({ model: 'vx-gemini', contents: 'Count me, please.' });
    expect(gemini.totalTokens).toBeGreaterThan(0);
    const [anthropic, google] = fake.apiRequests().slice(before);
    expect(anthropic).toMatchObject({ publisher: 'anthropic', model: 'count-tokens', method: 'rawPredict' });
    expect(anthropic.body).toMatchObject({ model: MODELS.claude.upstream, anthropic_version: 'vertex-2023-10-16' });
    expect(google).toMatchObject({ publisher: 'google', model: MODELS.gemini.upstream, method: 'countTokens' });
  });

  describe('upstream errors', () => {
    it('Vertex quota exhaustion (429 RESOURCE_EXHAUSTED) reaches an OpenAI client as its rate-limit error', async () => {
      fake.respondWith(googleError(429, 'Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model with base model: gemini-2.5-flash.', 'RESOURCE_EXHAUSTED'));
      const response = await h.post('/v1/chat/completions', { model: 'vx-gemini', messages: [{ role: 'user', content: 'Hi' }] });
      expect(response.status).toBe(429);
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    });

    it("Claude's overloaded error on Vertex reaches an Anthropic client as overloaded_error", async () => {
      fake.respondWith({ kind: 'json', status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
      const response = await h.post('/v1/messages', { model: 'vx-claude', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
      expect(response.status).toBe(529);
      expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    });

    it('an invalid argument is the client\'s 400, with Vertex\'s message', async () => {
      fake.respondWith(googleError(400, 'Unable to submit request because it has an empty text parameter.', 'INVALID_ARGUMENT'));
      const response = await h.post('/v1beta/models/vx-gemini:generateContent', { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', message: 'Unable to submit request because it has an empty text parameter.' });
    });

    it("a token endpoint refusing the channel's key is a 502, never the client's 401, and nothing reaches Vertex", async () => {
      const before = fake.apiRequests().length;
      fake.refuseTokens(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      const response = await h.post('/v1/chat/completions', { model: 'vx-refused', messages: [{ role: 'user', content: 'Hi' }] });
      const text = await response.text();
      expect(response.status).toBe(502);
      expect(JSON.parse(text).error).toMatchObject({ type: 'server_error', code: 'upstream_error', message: "the upstream provider refused this gateway channel's credentials" });
      expect(text).not.toMatch(/PRIVATE KEY|ya29\./);
      expect(fake.apiRequests().length).toBe(before);
      // The next request fetches again and is served.
      const served = await h.post('/v1/chat/completions', { model: 'vx-refused', messages: [{ role: 'user', content: 'Hi' }] });
      expect(served.status).toBe(200);
    });
  });
});
