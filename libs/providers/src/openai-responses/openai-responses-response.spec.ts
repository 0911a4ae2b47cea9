import { describe, expect, it } from 'vitest';
import { ChatResponse, GatewayError } from '../ir';
import { decodeOpenAiResponsesRequest } from './decode-openai-responses-request';
import { decodeOpenAiResponsesResponse } from './decode-openai-responses-response';
import { encodeOpenAiResponsesResponse } from './encode-openai-responses-response';
import { ENVELOPE_PREFIX } from './openai-responses-reasoning-envelope';

const usage = {
  input_tokens: 120,
  input_tokens_details: { cached_tokens: 100, cache_write_tokens: 5 },
  output_tokens: 40,
  output_tokens_details: { reasoning_tokens: 30 },
  total_tokens: 160,
};

function upstream(fields: Record<string, unknown>): unknown {
  return { id: 'resp_1', object: 'response', created_at: 1_700_000_000, model: 'gpt-5-2025', status: 'completed', output: [], usage, ...fields };
}

describe('decodeOpenAiResponsesResponse', () => {
  it('keeps the output order and the ids, normalises usage', () => {
    const response = decodeOpenAiResponsesResponse(
      upstream({
        output: [
          { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Plan' }], encrypted_content: 'gAAAA' },
          { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hi', annotations: [] }, { type: 'refusal', refusal: 'No.' }] },
          { type: 'web_search_call', id: 'ws_1', status: 'completed' },
          { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"x":1}', status: 'completed' },
        ],
      }),
    );
    expect(response).toEqual({
      id: 'resp_1',
      model: 'gpt-5-2025',
      created: 1_700_000_000,
      content: [
        { type: 'reasoning', text: 'Plan', summary: true, provider: 'openai', itemId: 'rs_1', encryptedContent: 'gAAAA' },
        { type: 'text', text: 'Hi', itemId: 'msg_1' },
        { type: 'text', text: 'No.', itemId: 'msg_1' },
        { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"x":1}', itemId: 'fc_1' },
      ],
      finishReason: 'tool_calls',
      rawFinishReason: 'completed',
      usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, cacheWriteInputTokens: 5, reasoningTokens: 30 },
    });
  });

  it.each([
    ['completed', null, false, 'stop', 'completed'],
    ['completed', null, true, 'tool_calls', 'completed'],
    ['incomplete', 'max_output_tokens', true, 'length', 'max_output_tokens'],
    ['incomplete', 'content_filter', false, 'content_filter', 'content_filter'],
  ] as const)('status %s (%s), tool calls %s → %s', (status, reason, withCall, finishReason, rawFinishReason) => {
    const output = withCall ? [{ type: 'function_call', id: 'fc_1', call_id: 'c', name: 'f', arguments: '{"a"', status: 'incomplete' }] : [];
    const response = decodeOpenAiResponsesResponse(upstream({ status, incomplete_details: reason ? { reason } : null, output }));
    expect({ finishReason: response.finishReason, rawFinishReason: response.rawFinishReason }).toEqual({ finishReason, rawFinishReason });
  });

  it.each([
    ['a failed response', upstream({ status: 'failed', error: { code: 'server_error', message: 'The model crashed.' } }), 'upstream'],
    ['a background response still running', upstream({ status: 'in_progress' }), 'upstream'],
    ['a body without output', { id: 'x' }, 'upstream'],
    ['an item the client would have to act on', upstream({ output: [{ type: 'computer_call', id: 'cu_1' }] }), 'upstream'],
  ])('refuses %s', (_label, body, kind) => {
    expect(() => decodeOpenAiResponsesResponse(body)).toThrow(GatewayError);
    try {
      decodeOpenAiResponsesResponse(body);
    } catch (error) {
      expect((error as GatewayError).kind).toBe(kind);
    }
  });
});

describe('encodeOpenAiResponsesResponse', () => {
  const answer: ChatResponse = {
    id: 'msg_01XYZ',
    model: 'claude-sonnet',
    created: 1_700_000_000,
    content: [
      { type: 'reasoning', text: 'Let me think.', provider: 'anthropic', signature: 'sig-1' },
      { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'redacted-1' },
      { type: 'text', text: 'Part one. ' },
      { type: 'text', text: 'Part two.' },
      { type: 'tool-call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'call_g', name: 'weather', arguments: '{}', thoughtSignature: 'gemini-sig' },
    ],
    finishReason: 'tool_calls',
    usage: { inputTokens: 50, outputTokens: 20, cachedInputTokens: 10, cacheWriteInputTokens: 4, reasoningTokens: 8 },
  };

  it('writes a Responses object with generated ids for another family’s items', () => {
    const encoded = encodeOpenAiResponsesResponse(answer, { model: 'my-model' }) as any;
    expect(encoded).toMatchObject({
      id: 'resp_msg01XYZ',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'completed',
      model: 'my-model',
      incomplete_details: null,
      usage: {
        input_tokens: 50,
        input_tokens_details: { cached_tokens: 10, cache_write_tokens: 4 },
        output_tokens: 20,
        output_tokens_details: { reasoning_tokens: 8 },
        total_tokens: 70,
      },
    });
    expect(encoded.output.map((item: any) => item.type)).toEqual(['reasoning', 'reasoning', 'message', 'function_call', 'reasoning', 'function_call']);
    expect(encoded.output[0]).toMatchObject({ id: expect.stringMatching(/^rs_/), summary: [{ type: 'summary_text', text: 'Let me think.' }] });
    expect(encoded.output[2].content.map((part: any) => part.text)).toEqual(['Part one. ', 'Part two.']);
    expect(encoded.output[3]).toMatchObject({ id: expect.stringMatching(/^fc_/), call_id: 'toolu_1', arguments: '{"city":"Paris"}', status: 'completed' });
    for (const index of [0, 1, 4]) expect(encoded.output[index].encrypted_content.startsWith(ENVELOPE_PREFIX)).toBe(true);
  });

  it('gets another family’s opaque values back when the client replays its output', () => {
    const encoded = encodeOpenAiResponsesResponse(answer, { model: 'my-model' }) as any;
    const next = decodeOpenAiResponsesRequest({ model: 'my-model', input: [{ role: 'user', content: 'Hi' }, ...encoded.output] });
    expect(next.messages[1].content).toEqual([
      { type: 'reasoning', text: 'Let me think.', summary: true, provider: 'anthropic', signature: 'sig-1' },
      { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'redacted-1' },
      { type: 'text', text: 'Part one. ', itemId: encoded.output[2].id },
      { type: 'text', text: 'Part two.', itemId: encoded.output[2].id },
      { type: 'tool-call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}', itemId: encoded.output[3].id },
      { type: 'tool-call', id: 'call_g', name: 'weather', arguments: '{}', itemId: encoded.output[5].id, thoughtSignature: 'gemini-sig' },
    ]);
  });

  it.each([
    ['length', 'incomplete', { reason: 'max_output_tokens' }],
    ['content_filter', 'incomplete', { reason: 'content_filter' }],
    ['stop', 'completed', null],
    ['other', 'completed', null],
    ['error', 'failed', null],
  ] as const)('finish %s → status %s', (finishReason, status, incompleteDetails) => {
    const encoded = encodeOpenAiResponsesResponse({ ...answer, content: [{ type: 'text', text: 'cut' }], finishReason }, { model: 'm' }) as any;
    expect({ status: encoded.status, incomplete_details: encoded.incomplete_details }).toEqual({ status, incomplete_details: incompleteDetails });
    expect(encoded.output[0].status).toBe(status === 'incomplete' ? 'incomplete' : 'completed');
  });

  it('keeps OpenAI’s own ids and encrypted content unchanged', () => {
    const openAi = decodeOpenAiResponsesResponse(
      upstream({
        output: [
          { type: 'reasoning', id: 'rs_7', summary: [{ type: 'summary_text', text: 'A' }, { type: 'summary_text', text: 'B' }], encrypted_content: 'gAAAA7' },
          { type: 'message', id: 'msg_7', role: 'assistant', status: 'completed', phase: 'final_answer', content: [{ type: 'output_text', text: 'Done', annotations: [] }] },
        ],
      }),
    );
    const encoded = encodeOpenAiResponsesResponse(openAi, { model: 'gpt-5' }) as any;
    expect(encoded.id).toBe('resp_1');
    expect(encoded.output).toEqual([
      { type: 'reasoning', id: 'rs_7', summary: [{ type: 'summary_text', text: 'A' }, { type: 'summary_text', text: 'B' }], encrypted_content: 'gAAAA7' },
      { type: 'message', id: 'msg_7', status: 'completed', role: 'assistant', phase: 'final_answer', content: [{ type: 'output_text', text: 'Done', annotations: [], logprobs: [] }] },
    ]);
  });
});
