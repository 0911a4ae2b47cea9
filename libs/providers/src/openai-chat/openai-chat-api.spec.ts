import { describe, expect, it } from 'vitest';
import { buildUpstreamHeaders, openAiChatApi, openAiChatCompletionsPath } from './openai-chat-api';

describe('openAiChatApi', () => {
  it('posts to /chat/completions below a base URL that ends with /v1', () => {
    expect(openAiChatCompletionsPath()).toBe('/chat/completions');
    expect(`https://api.openai.com/v1${openAiChatApi.completionsPath()}`).toBe('https://api.openai.com/v1/chat/completions');
  });

  it.each<[string, string | null, Record<string, string>]>([
    ['a key as a bearer token', 'sk-test', { 'content-type': 'application/json', authorization: 'Bearer sk-test' }],
    ['no key: no Authorization (local vLLM, Ollama)', null, { 'content-type': 'application/json' }],
    ['an empty key: no Authorization', '', { 'content-type': 'application/json' }],
  ])('%s', (_name, key, expected) => {
    expect(buildUpstreamHeaders(key)).toEqual(expected);
  });
});
