import { PROVIDER_CAPABILITIES, PROVIDER_CATALOG } from '@aigw/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BootstrapService } from '../../apps/master/src/services/bootstrap.service';
import { expectError, expectInvalid } from '../support/api-assertions';
import { HttpResult, RequestOptions, TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';

describe('admin API: /api/providers and channels on provider defaults', () => {
  let master: TestMaster;
  let user: string;
  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });

  beforeAll(async () => {
    master = await startTestMaster({ config: { bootstrap: { channels: [{ name: 'boot-groq', type: 'groq', key: 'gsk-upstream-key-0123456789' }] } } });
    user = (await createUserAndLogin(master, 'catalog-reader', 'user')).token;
  });
  afterAll(() => master?.close());

  it('lists every provider type with family, default base URL, auth, capabilities and quirks, to any signed-in role', async () => {
    expectError(await master.request('GET', '/api/providers'), 401, 'unauthenticated');
    const { status, body } = await master.request('GET', '/api/providers', { token: user });
    expect(status).toBe(200);
    expect(body.total).toBe(PROVIDER_CATALOG.length);
    expect(body.data.length).toBeGreaterThanOrEqual(56);
    expect(body.data.map((entry: { id: string }) => entry.id)).toEqual(PROVIDER_CATALOG.map((entry) => entry.id));
    for (const entry of body.data) {
      expect(Object.keys(entry.capabilities).sort(), entry.id).toEqual([...PROVIDER_CAPABILITIES].sort());
      expect(entry.default_base_url === null || /^https:\/\//.test(entry.default_base_url), entry.id).toBe(true);
    }
    const groq = body.data.find((entry: { id: string }) => entry.id === 'groq');
    expect(groq).toMatchObject({
      name: 'Groq',
      family: 'openai-compatible',
      default_base_url: 'https://api.groq.com/openai/v1',
      auth: { style: 'bearer', header: 'authorization' },
      capabilities: { chat: true, streaming: true, embeddings: false },
      quirks: { max_tokens_field: 'as_sent', stream_options: true, drop_message_names: true },
    });
    expect(groq.quirks.params).toContainEqual({ param: 'n', action: 'refuse', harmless: [1], reason: 'generates one choice per request' });
    const mistral = body.data.find((entry: { id: string }) => entry.id === 'mistral');
    expect(mistral.quirks).toMatchObject({ renames: { seed: 'random_seed' }, max_tokens_field: 'max_tokens', stream_options: false });
    expect(body.data.find((entry: { id: string }) => entry.id === 'vllm')).toMatchObject({ default_base_url: null, example_base_url: 'http://localhost:8000/v1' });
    expect(body.data.find((entry: { id: string }) => entry.id === 'azure').auth).toEqual({ style: 'header', header: 'api-key' });
  });

  it("creates a channel without base_url on its provider type's default", async () => {
    const created = await admin('POST', '/api/channels', { body: { name: 'deepseek-default', type: 'deepseek', key: 'sk-deepseek-0123456789' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.base_url).toBe('https://api.deepseek.com');
    const explicit = await admin('POST', '/api/channels', { body: { name: 'deepseek-proxy', type: 'deepseek', base_url: 'https://llm-proxy.example.com/deepseek' } });
    expect(explicit.body.base_url).toBe('https://llm-proxy.example.com/deepseek');
  });

  it('refuses a channel without base_url when its type has no default (vLLM), naming the field', async () => {
    const refused = await admin('POST', '/api/channels', { body: { name: 'vllm-nowhere', type: 'vllm' } });
    expectInvalid(refused, 'base_url');
    expect(refused.body.error.details[0].messages).toEqual(['required: provider type vllm has no default base URL (GET /api/providers)']);
    expect((await admin('GET', '/api/channels', { query: { name: 'vllm-nowhere' } })).body.total).toBe(0);
    const given = await admin('POST', '/api/channels', { body: { name: 'vllm-here', type: 'vllm', base_url: 'http://vllm.internal:8000/v1' } });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
  });

  it('fills a bootstrap channel without base_url from its type, and refuses one whose type has none', async () => {
    const [booted] = (await admin('GET', '/api/channels', { query: { name: 'boot-groq' } })).body.data;
    expect(booted.base_url).toBe('https://api.groq.com/openai/v1');
    const service = master.master.app.get(BootstrapService);
    await expect(service.apply({ channels: [{ name: 'boot-ollama', type: 'ollama' }] } as never)).rejects.toThrow(
      'bootstrap.channels[0]: base_url is required to create channel boot-ollama: provider type ollama has no default base URL',
    );
    // An existing channel keeps its base URL when bootstrap names it again without one.
    expect(await service.apply({ channels: [{ name: 'boot-groq', type: 'groq', priority: 3 }] } as never)).toEqual({ created: 0, updated: 1, deleted: 0 });
    const [again] = (await admin('GET', '/api/channels', { query: { name: 'boot-groq' } })).body.data;
    expect(again).toMatchObject({ base_url: 'https://api.groq.com/openai/v1', priority: 3 });
  });
});
