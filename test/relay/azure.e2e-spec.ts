import { Protocol } from '@aigw/providers';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeAzure, SAFE_FILTER_RESULTS, azureError, startFakeAzure } from '../fake-provider/azure';
import { fixtureCase } from '../support/fixtures';
import { askWithSdk, expectedAnswer } from '../support/sdk-ask';
import { ChannelHarness, startChannelHarness } from '../support/channel-harness';

/**
 * Azure OpenAI channels end to end: every client SDK against a deployment
 * reached by both URL styles (deployment URLs with an api-version, the v1
 * API), streamed and not, with the usage recorded; embeddings through the
 * deployment URL; Azure's content-filter annotations and errors.
 */

const GATEWAY_KEY = 'sk-aigw-azure-tests-0123456789abcdefghijk';
const AZURE_KEY = '3f5e9a0c1b2d4e6f8a9b0c1d2e3f4a5b';
const API_VERSION = '2024-10-21';
const CLIENTS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const STYLES = {
  deployment: { model: 'az-deploy', channel: 'azure-deploy', deployment: 'gpt-4o-prod' },
  v1: { model: 'az-v1', channel: 'azure-v1', deployment: 'gpt-4o-v1' },
} as const;

describe('Azure OpenAI channels', () => {
  let fake: FakeAzure;
  let h: ChannelHarness;

  beforeAll(async () => {
    fake = await startFakeAzure({ key: AZURE_KEY, apiVersion: API_VERSION, deployments: ['gpt-4o-prod', 'gpt-4o-v1', 'text-embedding-3-small-prod'] });
    h = await startChannelHarness({
      config: {
        routing: { auto_disable_after: 0 },
        bootstrap: {
          users: [{ username: 'azure-user', balance_usd: 1000 }],
          channels: [
            {
              name: 'azure-deploy',
              type: 'azure',
              base_url: fake.url,
              key: AZURE_KEY,
              // The channel's model mapping names the deployment of each logical model.
              models: ['az-deploy', 'az-embed'],
              model_mapping: { 'az-deploy': 'gpt-4o-prod', 'az-embed': 'text-embedding-3-small-prod' },
              settings: { provider: { api_version: API_VERSION } },
            },
            // The v1 base as Azure's pages give it to the OpenAI SDK: taken back to the resource endpoint.
            { name: 'azure-v1', type: 'azure', base_url: `${fake.url}/openai/v1/`, key: AZURE_KEY },
            { name: 'azure-wrong-key', type: 'azure', base_url: fake.url, key: 'not-the-resource-key', settings: { provider: { api_version: API_VERSION } } },
          ],
          models: ['az-deploy', 'az-v1', 'az-embed', 'az-wrong-key'].map((name) => ({ name, price: { input: 1, output: 2 } })),
          routes: [
            { model: 'az-v1', channel: 'azure-v1', upstream_model: 'gpt-4o-v1' },
            { model: 'az-wrong-key', channel: 'azure-wrong-key', upstream_model: 'gpt-4o-prod' },
          ],
          tokens: [{ name: 'azure', key: GATEWAY_KEY, user: 'azure-user' }],
        },
      },
    }, GATEWAY_KEY);
  });
  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  for (const [styleName, style] of Object.entries(STYLES) as Array<[keyof typeof STYLES, (typeof STYLES)[keyof typeof STYLES]]>) {
    for (const client of CLIENTS) {
      for (const stream of [false, true]) {
        const upstream = client === 'openai-responses' ? 'openai-responses' : 'openai-chat';
        it(`${client} client → Azure ${upstream} (${styleName} URLs), ${stream ? 'streamed' : 'JSON'}; usage recorded`, async () => {
          const before = fake.apiRequests().length;
          const requestId = `azure-${randomUUID()}`;
          const expected = expectedAnswer('simpleRequest', upstream === 'openai-responses' ? 'responses' : 'chat-completions', upstream, stream);
          const answer = await askWithSdk(h.clients, client, style.model, stream, { 'x-request-id': requestId });
          expect(answer.text).toBe(expected.text);
          expect(answer.usage).toEqual({ input: expected.usage.inputTokens, output: expected.usage.outputTokens });

          const sent = fake.apiRequests().slice(before);
          expect(sent).toHaveLength(1);
          expect(sent[0]).toMatchObject({ style: styleName, operation: upstream === 'openai-responses' ? 'responses' : 'chat/completions', deployment: style.deployment });
          expect(sent[0].headers['api-key']).toBe(AZURE_KEY);
          expect(sent[0].headers.authorization).toBeUndefined();
          expect(sent[0].query).toEqual(styleName === 'deployment' ? { 'api-version': API_VERSION } : {});
          const expectedPath = {
            deployment: upstream === 'openai-responses' ? '/openai/responses' : `/openai/deployments/${style.deployment}/chat/completions`,
            v1: upstream === 'openai-responses' ? '/openai/v1/responses' : '/openai/v1/chat/completions',
          }[styleName];
          expect(sent[0].path).toBe(expectedPath);

          expect(await h.usageRow(style.model, requestId)).toMatchObject({
            channel_id: h.channelIds[style.channel],
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

  it('OpenAI Chat passthrough forwards Azure\'s content-filter annotations untouched', async () => {
    const completion = (await h.clients.openai.chat.completions.create({ model: 'az-deploy', messages: [{ role: 'user', content: 'Hi' }] })) as unknown as Record<string, any>;
    expect(completion.prompt_filter_results).toEqual([{ prompt_index: 0, content_filter_results: SAFE_FILTER_RESULTS }]);
    expect(completion.choices[0].content_filter_results).toEqual(SAFE_FILTER_RESULTS);
  });

  it("a translated stream takes its id from Azure's first real chunk, not the prompt-filter chunk before it", async () => {
    const message = await h.clients.anthropic.messages.stream({ model: 'az-deploy', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    const chunks = fixtureCase('simpleRequest', 'chat-completions').read<Array<{ id: string }>>('response-streaming.json')!;
    expect(message.id).toBe(`msg_${chunks[0].id}`);
  });

  it('embeddings go through the deployment URL, usage recorded', async () => {
    const before = fake.apiRequests().length;
    const requestId = `azure-embed-${randomUUID()}`;
    const result = await h.clients.openai.embeddings.create({ model: 'az-embed', input: ['Paris', 'Lyon'] }, { headers: { 'x-request-id': requestId } });
    expect(result.data).toHaveLength(2);
    const [sent] = fake.apiRequests().slice(before);
    expect(sent.path).toBe('/openai/deployments/text-embedding-3-small-prod/embeddings');
    expect(sent.query).toEqual({ 'api-version': API_VERSION });
    expect(sent.body).toMatchObject({ model: 'text-embedding-3-small-prod', input: ['Paris', 'Lyon'] });
    expect(await h.usageRow('az-embed', requestId)).toMatchObject({
      channel_id: h.channelIds['azure-deploy'],
      prompt_tokens: result.usage.prompt_tokens,
      status: 200,
    });
  });

  describe('upstream errors', () => {
    const filtered = () =>
      azureError(400, 'content_filter', "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.", undefined, {
        param: 'prompt',
        status: 400,
        innererror: { code: 'ResponsibleAIPolicyViolation', content_filter_result: { ...SAFE_FILTER_RESULTS, violence: { filtered: true, severity: 'high' } } },
      });

    it('a content_filter refusal is the client\'s 400 in its own shape, not retried', async () => {
      fake.respondWith(filtered());
      const before = fake.apiRequests().length;
      const openai = await h.post('/v1/chat/completions', { model: 'az-deploy', messages: [{ role: 'user', content: 'Hi' }] });
      expect(openai.status).toBe(400);
      expect(((await openai.json()) as { error: unknown }).error).toMatchObject({
        type: 'invalid_request_error',
        param: 'prompt',
        message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
      });
      fake.respondWith(filtered());
      const anthropic = await h.post('/v1/messages', { model: 'az-v1', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
      expect(anthropic.status).toBe(400);
      expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(fake.apiRequests().length - before).toBe(2);
    });

    it('a 429 with retry-after reaches the client as its rate-limit error with the wait', async () => {
      const rateLimited = azureError(
        429,
        '429',
        'Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 7 seconds.',
      );
      fake.respondWith({ ...rateLimited, headers: { ...rateLimited.headers, 'retry-after': '7', 'x-ratelimit-remaining-requests': '0' } });
      const response = await h.post('/v1/chat/completions', { model: 'az-deploy', messages: [{ role: 'user', content: 'Hi' }] });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    });

    it("Azure refusing the channel's api-key is a 502 that names neither key", async () => {
      const response = await h.post('/v1/chat/completions', { model: 'az-wrong-key', messages: [{ role: 'user', content: 'Hi' }] });
      const text = await response.text();
      expect(response.status).toBe(502);
      expect(JSON.parse(text).error).toMatchObject({ code: 'upstream_error', message: "the upstream provider refused this gateway channel's credentials" });
      expect(text).not.toContain('not-the-resource-key');
      expect(text).not.toContain(GATEWAY_KEY);
    });

    it('a deployment Azure does not have is a 404', async () => {
      fake.respondWith(azureError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist.'));
      const response = await h.post('/v1/chat/completions', { model: 'az-deploy', messages: [{ role: 'user', content: 'Hi' }] });
      expect(response.status).toBe(404);
    });
  });
});
