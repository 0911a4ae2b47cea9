import { PolicyChannel, providerPreset } from '@aigw/contracts';
import { GatewayError } from '@aigw/providers';
import { describe, expect, it } from 'vitest';
import { UpstreamCall } from './channel-adaptor';
import { adaptorFor } from './index';
import { testChannel } from '../../../../../test/support/policy-channel';

function channel(type: string, overrides: Partial<PolicyChannel> = {}): PolicyChannel {
  return testChannel(type, { id: 'c1', name: `${type}-channel`, key: 'sk-upstream', ...overrides });
}

function call(body: Record<string, unknown>, path = '/chat/completions'): UpstreamCall {
  return { protocol: 'openai-chat', path, body, upstreamModel: 'm', stream: false, headers: { 'content-type': 'application/json' } };
}

function send(type: string, body: Record<string, unknown>, overrides: Partial<PolicyChannel> = {}, path?: string) {
  const target = adaptorFor(type)!.target(channel(type, overrides), call(body, path));
  if (target instanceof Promise) throw new Error('preset targets are synchronous');
  return { ...target, json: JSON.parse(target.body) as Record<string, unknown> };
}

function refusal(type: string, body: Record<string, unknown>): GatewayError {
  try {
    send(type, body, { baseUrl: 'http://upstream.internal/v1' });
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error(`${type} accepted ${JSON.stringify(body)}`);
}

describe('OpenAI-compatible preset adaptor', () => {
  const messages = [{ role: 'user', content: 'hi', name: 'alice' }];

  it('has an adaptor for every OpenAI-compatible preset of the catalog', () => {
    for (const type of ['openai-compatible', 'deepseek', 'groq', 'vllm', 'ollama', 'aigw', 'jina']) {
      expect(adaptorFor(type), type).not.toBeNull();
      expect(providerPreset(type)?.family).toBe('openai-compatible');
    }
  });

  it('forwards a quirk-free body as it came, at the preset base URL when the channel has none, with a Bearer key', () => {
    const body = { model: 'm', messages, max_completion_tokens: 5, stream_options: { include_usage: true }, n: 3, logprobs: true };
    const target = send('openrouter', body);
    expect(target.url).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(target.headers.authorization).toBe('Bearer sk-upstream');
    expect(target.json).toEqual(body);
    expect(send('openrouter', body, { baseUrl: 'http://proxy.internal/v1/' }).url).toBe('http://proxy.internal/v1/chat/completions');
  });

  it('refuses what changes the answer with a 400 naming the parameter and the provider', () => {
    const logprobs = refusal('groq', { model: 'm', messages, logprobs: true });
    expect(logprobs).toBeInstanceOf(GatewayError);
    expect(logprobs).toMatchObject({ kind: 'invalid_request', status: 400, param: 'logprobs' });
    expect(logprobs.message).toBe('logprobs is not supported by Groq, which returns no log probabilities');
    expect(refusal('groq', { model: 'm', messages, n: 2 })).toMatchObject({ param: 'n', message: expect.stringContaining('Groq') });
    expect(refusal('perplexity', { model: 'm', messages, tools: [] })).toMatchObject({ param: 'tools' });
    expect(refusal('ollama', { model: 'm', messages, tool_choice: 'required' })).toMatchObject({ param: 'tool_choice' });
  });

  it('drops harmless values of refused parameters, dropped parameters and message names', () => {
    const { json } = send('groq', { model: 'm', messages, n: 1, logprobs: false, top_logprobs: null, temperature: 0.2 });
    expect(json).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 });
    expect(send('cerebras', { model: 'm', messages, parallel_tool_calls: true, service_tier: 'auto', presence_penalty: 0 }).json).toEqual({ model: 'm', messages });
  });

  it("renames to the provider's fields and removes stream_options where it is not taken", () => {
    const { json } = send('mistral', {
      model: 'm',
      messages,
      seed: 7,
      max_completion_tokens: 64,
      stream: true,
      stream_options: { include_usage: true },
      user: 'u-1',
      store: false,
    });
    expect(json).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }], random_seed: 7, max_tokens: 64, stream: true });
    // An explicit max_tokens wins over the renamed field.
    expect(send('deepseek', { model: 'm', messages, max_tokens: 10, max_completion_tokens: 10 }).json).toEqual({ model: 'm', messages, max_tokens: 10 });
    // Legacy completions keep their parameters; only stream_options goes.
    expect(send('mistral', { model: 'm', prompt: 'x', stream_options: { include_usage: true }, seed: 1 }, {}, '/completions').json).toEqual({ model: 'm', prompt: 'x', seed: 1 });
  });

  it('leaves the original body untouched (the dispatcher may retry it on another channel)', () => {
    const body = { model: 'm', messages, seed: 1, max_completion_tokens: 3 };
    const before = structuredClone(body);
    send('mistral', body);
    expect(body).toEqual(before);
  });

  it('sends no credential to a server without auth, and none for a keyless channel', () => {
    expect(send('ollama', { model: 'm', messages }, { baseUrl: 'http://localhost:11434/v1' }).headers.authorization).toBeUndefined();
    expect(send('vllm', { model: 'm', messages }, { baseUrl: 'http://vllm:8000/v1', key: null }).headers.authorization).toBeUndefined();
  });

  it('serves only the endpoints the preset has, and Responses untranslated where the preset speaks it', () => {
    const jina = adaptorFor('jina')!;
    expect(jina.protocolFor(channel('jina'), 'openai-chat', 'm', 'openai-chat')).toBeNull();
    expect(jina.protocolFor(channel('jina'), 'openai-chat', 'm', 'embeddings')).toBe('openai-chat');
    expect(jina.protocolFor(channel('jina'), 'openai-chat', 'm', 'completions')).toBeNull();
    expect(adaptorFor('xai')!.protocolFor(channel('xai'), 'openai-responses', 'm')).toBe('openai-responses');
    expect(adaptorFor('deepseek')!.protocolFor(channel('deepseek'), 'openai-responses', 'm')).toBe('openai-chat');
    expect(adaptorFor('deepseek')!.protocolFor(channel('deepseek'), 'anthropic', 'm')).toBe('openai-chat');
    expect(adaptorFor('deepseek')!.protocolFor(channel('deepseek'), 'openai-chat', 'm', 'embeddings')).toBeNull();
  });

  it('serves the media endpoints (images, audio, moderations, rerank) only where the preset has the capability', () => {
    const jina = adaptorFor('jina')!;
    expect(jina.protocolFor(channel('jina'), 'openai-chat', 'm', 'rerank')).toBe('openai-chat');
    expect(jina.protocolFor(channel('jina'), 'openai-chat', 'm', 'images/generations')).toBeNull();
    expect(jina.protocolFor(channel('jina'), 'openai-chat', 'm', 'audio/transcriptions')).toBeNull();
    const deepseek = adaptorFor('deepseek')!;
    expect(deepseek.protocolFor(channel('deepseek'), 'openai-chat', 'm', 'rerank')).toBeNull();
    expect(deepseek.protocolFor(channel('deepseek'), 'openai-chat', 'm', 'moderations')).toBeNull();
    const generic = adaptorFor('openai-compatible')!;
    for (const endpoint of ['images/generations', 'images/edits', 'audio/speech', 'audio/transcriptions', 'moderations', 'rerank']) {
      expect(generic.protocolFor(channel('openai-compatible'), 'openai-chat', 'm', endpoint), endpoint).toBe('openai-chat');
    }
  });
});
