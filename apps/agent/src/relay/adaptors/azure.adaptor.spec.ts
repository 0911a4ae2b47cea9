import { PolicyChannel } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { azureAdaptor, azurePath } from './azure.adaptor';
import { testChannel } from '../../../../../test/support/policy-channel';

function channel(baseUrl: string, apiVersion?: string): PolicyChannel {
  return testChannel('azure', { id: 'c1', baseUrl, key: 'azure-key-1', settings: apiVersion ? { provider: { api_version: apiVersion } } : {} });
}

describe('azure adaptor', () => {
  it.each([
    ['/chat/completions', '2024-10-21', '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21'],
    ['/embeddings', '2024-10-21', '/openai/deployments/gpt-4o-prod/embeddings?api-version=2024-10-21'],
    ['/completions', '2024-10-21', '/openai/deployments/gpt-4o-prod/completions?api-version=2024-10-21'],
    ['/responses', '2025-04-01-preview', '/openai/responses?api-version=2025-04-01-preview'],
    ['/chat/completions', undefined, '/openai/v1/chat/completions'],
    ['/responses', undefined, '/openai/v1/responses'],
    ['/embeddings', undefined, '/openai/v1/embeddings'],
  ])('%s with api_version %s → %s', (path, version, expected) => {
    expect(azurePath(path, 'gpt-4o-prod', version)).toBe(expected);
  });

  it('a path Azure does not serve is refused', () => {
    expect(() => azurePath('/audio/speech', 'd', '2024-10-21')).toThrow('Azure OpenAI channels do not serve /audio/speech');
    expect(() => azurePath('/v1/messages', 'd', undefined)).toThrow('Azure OpenAI channels do not serve /v1/messages');
  });

  it('Responses clients keep Responses, every other client goes to Chat', () => {
    const azure = channel('https://r.openai.azure.com');
    expect(azureAdaptor.protocolFor(azure, 'openai-responses', 'd')).toBe('openai-responses');
    for (const client of ['openai-chat', 'anthropic', 'gemini'] as const) expect(azureAdaptor.protocolFor(azure, client, 'd')).toBe('openai-chat');
  });

  it.each(['https://r.openai.azure.com', 'https://r.openai.azure.com/', 'https://r.openai.azure.com/openai', 'https://r.openai.azure.com/openai/v1/'])(
    'base URL %s: api-key header, the endpoint not doubled',
    (baseUrl) => {
      const target = azureAdaptor.target(channel(baseUrl), {
        protocol: 'openai-chat', path: '/chat/completions', body: { model: 'd', messages: [] }, upstreamModel: 'd', stream: false, headers: { 'content-type': 'application/json' },
      });
      expect(target).toEqual({
        url: 'https://r.openai.azure.com/openai/v1/chat/completions',
        headers: { 'content-type': 'application/json', 'api-key': 'azure-key-1' },
        body: JSON.stringify({ model: 'd', messages: [] }),
      });
    },
  );
});
