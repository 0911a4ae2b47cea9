import { ChatRequest } from '@aigw/providers';
import { describe, expect, it } from 'vitest';
import { estimateInputTokens, estimateTextTokens } from './estimate-tokens';

const base: ChatRequest = { model: 'm', system: [], messages: [], stream: false };

describe('estimateInputTokens', () => {
  it('counts text with the o200k tokenizer plus message framing', () => {
    expect(estimateTextTokens('hello world')).toBe(2);
    const request: ChatRequest = { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'hello world' }] }] };
    expect(estimateInputTokens(request)).toBe(2 + 3);
  });

  it('adds system text, tool definitions, tool calls and results, and a fixed cost per image', () => {
    const request: ChatRequest = {
      ...base,
      system: [{ text: 'Be brief.' }],
      tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'sunny' }] }] },
      ],
    };
    const estimate = estimateInputTokens(request);
    expect(estimate).toBeGreaterThan(85 + 3 * 3);
    expect(estimate).toBeLessThan(85 + 3 * 3 + 40);
  });
});
