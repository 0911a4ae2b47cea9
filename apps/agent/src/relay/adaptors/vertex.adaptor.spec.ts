import { PolicyChannel } from '@aigw/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeVertex, startFakeVertex } from '../../../../../test/fake-provider/vertex';
import { UpstreamCall, UpstreamTarget } from './channel-adaptor';
import { googleAccessTokens } from './google-access-tokens';
import { testChannel } from '../../../../../test/support/policy-channel';
import { VERTEX_ANTHROPIC_VERSION, vertexAdaptor, vertexPath } from './vertex.adaptor';

function call(protocol: 'gemini' | 'anthropic', path: string, upstreamModel: string, stream: boolean, body: Record<string, unknown> = {}): UpstreamCall {
  return { protocol, path, body, upstreamModel, stream, headers: { 'content-type': 'application/json' } };
}

describe('vertexPath', () => {
  it.each([
    ['gemini', '/v1beta/models/gemini-2.5-flash:generateContent', 'gemini-2.5-flash', false, '/publishers/google/models/gemini-2.5-flash:generateContent'],
    ['gemini', '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', 'gemini-2.5-flash', true, '/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
    ['gemini', '/v1beta/models/gemini-2.5-flash:countTokens', 'gemini-2.5-flash', false, '/publishers/google/models/gemini-2.5-flash:countTokens'],
    ['anthropic', '/v1/messages', 'claude-sonnet-4@20250514', false, '/publishers/anthropic/models/claude-sonnet-4@20250514:rawPredict'],
    ['anthropic', '/v1/messages', 'claude-sonnet-4@20250514', true, '/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict'],
    ['anthropic', '/v1/messages/count_tokens', 'claude-sonnet-4@20250514', false, '/publishers/anthropic/models/count-tokens:rawPredict'],
  ] as const)('%s %s (stream %s) → …%s', (protocol, path, model, stream, expected) => {
    expect(vertexPath('my-project', 'us-east5', call(protocol, path, model, stream))).toBe(`/v1/projects/my-project/locations/us-east5${expected}`);
  });
});

describe('vertexAdaptor', () => {
  let fake: FakeVertex;
  let key: string;
  const channel = (settings: PolicyChannel['settings'] = {}): PolicyChannel =>
    testChannel('vertex', { id: `vertex-spec-${JSON.stringify(settings)}`, baseUrl: fake.url, key, settings });
  beforeAll(async () => {
    fake = await startFakeVertex({ project: 'key-project', location: 'us-central1' });
    key = fake.serviceAccount('adaptor@key-project.iam.gserviceaccount.com');
  });
  afterAll(async () => {
    googleAccessTokens.clear();
    await fake?.close();
  });

  it('Claude models speak Anthropic, everything else Gemini, whatever the client', () => {
    for (const client of ['openai-chat', 'openai-responses', 'anthropic', 'gemini'] as const) {
      expect(vertexAdaptor.protocolFor(channel(), client, 'claude-haiku-4-5@20251001')).toBe('anthropic');
      expect(vertexAdaptor.protocolFor(channel(), client, 'gemini-2.5-flash')).toBe('gemini');
    }
  });

  it('places a call in the key project and us-central1 by default, with a bearer token from the service account', async () => {
    const target = await vertexAdaptor.target(channel(), call('gemini', '/v1beta/models/gemini-2.5-flash:generateContent', 'gemini-2.5-flash', false, { contents: [] }));
    expect(target.url).toBe(`${fake.url}/v1/projects/key-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent`);
    expect(target.headers).toEqual({ 'content-type': 'application/json', authorization: `Bearer ${fake.tokensIssued.at(-1)!.token}` });
    expect(JSON.parse(target.body)).toEqual({ contents: [] });
    // The token is cached: the next target is built synchronously.
    const next = vertexAdaptor.target(channel(), call('gemini', '/v1beta/models/gemini-2.5-flash:generateContent', 'gemini-2.5-flash', false, { contents: [] }));
    expect(next).not.toBeInstanceOf(Promise);
  });

  it('settings.provider names the project and location', async () => {
    const target = (await vertexAdaptor.target(
      channel({ provider: { project: 'other-project', region: 'europe-west1' } }),
      call('anthropic', '/v1/messages', 'claude-haiku-4-5@20251001', true, { model: 'claude-haiku-4-5@20251001', max_tokens: 5, messages: [], stream: true }),
    )) as UpstreamTarget;
    expect(target.url).toBe(`${fake.url}/v1/projects/other-project/locations/europe-west1/publishers/anthropic/models/claude-haiku-4-5@20251001:streamRawPredict`);
    expect(JSON.parse(target.body)).toEqual({ max_tokens: 5, messages: [], stream: true, anthropic_version: VERTEX_ANTHROPIC_VERSION });
  });

  it('token counting: Anthropic keeps the model in the body, Gemini unwraps generateContentRequest', async () => {
    const anthropic = await vertexAdaptor.target(channel(), call('anthropic', vertexAdaptor.countTokensPath!(channel(), 'anthropic', 'claude-x')!, 'claude-x', false, { model: 'claude-x', messages: [] }));
    expect(JSON.parse(anthropic.body)).toEqual({ model: 'claude-x', messages: [], anthropic_version: VERTEX_ANTHROPIC_VERSION });
    const path = vertexAdaptor.countTokensPath!(channel(), 'gemini', 'gemini-2.5-flash')!;
    const gemini = await vertexAdaptor.target(channel(), call('gemini', path, 'gemini-2.5-flash', false, { generateContentRequest: { model: 'models/gemini-2.5-flash', contents: [{ role: 'user', parts: [] }] } }));
    expect(gemini.url).toMatch(/\/publishers\/google\/models\/gemini-2\.5-flash:countTokens$/);
    expect(JSON.parse(gemini.body)).toEqual({ contents: [{ role: 'user', parts: [] }] });
  });

  it('a channel with neither a project setting nor project_id in its key is refused, retryably', () => {
    const keyless = { ...channel(), id: 'vertex-spec-no-project', key: JSON.stringify({ ...JSON.parse(key), project_id: undefined }) };
    expect(() => vertexAdaptor.target(keyless, call('gemini', '/v1beta/models/g:generateContent', 'g', false))).toThrow(
      expect.objectContaining({ kind: 'upstream', retryable: true, message: 'this Vertex channel names no project (settings.provider.project, or project_id in its key)' }),
    );
  });
});
