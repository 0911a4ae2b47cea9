import { describe, expect, it } from 'vitest';
import { ChatResponse, EMPTY_USAGE, GatewayError } from '../ir';
import { decodeAnthropicResponse } from './decode-anthropic-response';
import { encodeAnthropicResponse } from './encode-anthropic-response';

type Json = any;

function message(overrides: Json = {}): Json {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [{ type: 'text', text: 'ok' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 1 },
    ...overrides,
  };
}

function caught(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('decodeAnthropicResponse', () => {
  it.each<[string | null, Json, string, string | undefined]>([
    ['end_turn', [{ type: 'text', text: 'a' }], 'stop', undefined],
    ['stop_sequence', [{ type: 'text', text: 'a' }], 'stop', '###'],
    ['tool_use', [{ type: 'tool_use', id: 't', name: 'f', input: { a: 1 } }], 'tool_calls', undefined],
    ['max_tokens', [{ type: 'tool_use', id: 't', name: 'f', input: {} }], 'length', undefined],
    ['model_context_window_exceeded', [{ type: 'text', text: 'a' }], 'length', undefined],
    ['refusal', [], 'content_filter', undefined],
    ['pause_turn', [], 'other', undefined],
    [null, [], 'other', undefined],
  ])('stop_reason %s → %s', (stopReason, content, finishReason, stopSequence) => {
    const response = decodeAnthropicResponse(message({ stop_reason: stopReason, stop_sequence: stopSequence ?? null, content }));
    expect(response.finishReason).toBe(finishReason);
    expect(response.rawFinishReason).toBe(stopReason ?? undefined);
    expect(response.stopSequence).toBe(stopSequence);
  });

  it('keeps block order, signatures and redacted data, and tool input as JSON text', () => {
    const response = decodeAnthropicResponse(
      message({
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'EqQB' },
          { type: 'redacted_thinking', data: 'REDACTED' },
          { type: 'text', text: 'Calling.', citations: null },
          { type: 'tool_use', id: 'toolu_1', name: 'f', input: { b: 2, a: [1] }, caller: { type: 'direct' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50, output_tokens: 20 },
      }),
    );
    expect(response.content).toEqual([
      { type: 'reasoning', text: 'hmm', provider: 'anthropic', signature: 'EqQB' },
      { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'REDACTED' },
      { type: 'text', text: 'Calling.' },
      { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{"b":2,"a":[1]}' },
    ]);
    expect(response.usage).toEqual({ inputTokens: 1060, outputTokens: 20, cachedInputTokens: 1000, cacheWriteInputTokens: 50, reasoningTokens: 0 });
  });

  it.each<[string, unknown, string, boolean]>([
    ['a body that is not an object', 'oops', 'upstream', true],
    ['a message without content', { id: 'msg_1' }, 'upstream', true],
    ['an error body answered with 200', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded', true],
    ['a server-tool block', message({ content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }), 'upstream', false],
  ])('fails on %s', (_name, body, kind, retryable) => {
    const error = caught(() => decodeAnthropicResponse(body));
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
  });
});

describe('encodeAnthropicResponse', () => {
  const base: ChatResponse = { id: 'chatcmpl-7', model: 'gpt-4.1', created: 1, content: [], finishReason: 'stop', usage: { ...EMPTY_USAGE } };

  it('answers another provider’s result the Anthropic way', () => {
    const encoded = encodeAnthropicResponse(
      {
        ...base,
        content: [
          { type: 'reasoning', text: 'summary', provider: 'openai', encryptedContent: 'gAAA', itemId: 'rs_1' },
          { type: 'reasoning', text: '', provider: 'gemini', signature: 'CiQB' },
          { type: 'text', text: 'Let me check.' },
          { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"q":"x"}' },
          { type: 'tool-call', id: 'call_2', name: 'g', arguments: '{"q":' },
        ],
        finishReason: 'length',
        rawFinishReason: 'length',
        usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000, cacheWriteInputTokens: 0, reasoningTokens: 100 },
      },
      { model: 'claude-sonnet-4-5' },
    );
    expect(encoded).toEqual({
      id: 'msg_chatcmpl-7',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'summary', signature: '' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { q: 'x' } },
        { type: 'tool_use', id: 'call_2', name: 'g', input: {} },
      ],
      stop_reason: 'max_tokens',
      stop_sequence: null,
      usage: {
        input_tokens: 200,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1000,
        output_tokens: 300,
        output_tokens_details: { thinking_tokens: 100 },
      },
    });
  });

  it.each<[ChatResponse['finishReason'], string | undefined, boolean, string]>([
    ['stop', undefined, false, 'end_turn'],
    ['stop', 'STOP', true, 'tool_use'],
    ['tool_calls', 'tool_calls', true, 'tool_use'],
    ['content_filter', 'content_filter', false, 'refusal'],
    ['error', undefined, false, 'end_turn'],
    ['other', 'pause_turn', false, 'pause_turn'],
  ])('finish %s (raw %s, tool calls: %s) → stop_reason %s', (finishReason, raw, withCall, expected) => {
    const content: ChatResponse['content'] = withCall ? [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }] : [];
    expect(encodeAnthropicResponse({ ...base, content, finishReason, rawFinishReason: raw }, { model: 'm' }).stop_reason).toBe(expected);
  });
});
