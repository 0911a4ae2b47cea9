import { describe, expect, it } from 'vitest';
import { GatewayError, StreamEvent } from '../ir';
import { SseReader } from '../sse/sse-reader';
import { OpenAiResponsesStreamDecoder } from './openai-responses-stream-decoder';
import { OpenAiResponsesStreamEncoder } from './openai-responses-stream-encoder';

const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 2 };
const created = { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', created_at: 100, model: 'gpt-5', status: 'in_progress', output: [] } };

function decode(events: object[], end = true): StreamEvent[] {
  const decoder = new OpenAiResponsesStreamDecoder();
  const out = events.flatMap((event) => decoder.decode({ event: (event as { type: string }).type, data: JSON.stringify(event) }));
  return end ? [...out, ...decoder.end()] : out;
}

function encode(events: StreamEvent[]): Array<{ event?: string; data: any }> {
  const encoder = new OpenAiResponsesStreamEncoder({ model: 'client-model' });
  const reader = new SseReader();
  return [...reader.push(events.map((event) => encoder.encode(event)).join('')), ...reader.end()].map((message) => ({ event: message.event, data: JSON.parse(message.data) }));
}

describe('OpenAiResponsesStreamDecoder', () => {
  it('a stream cut before response.completed ends with a retryable upstream error', () => {
    const events = decode([created, { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] } }]);
    expect(events.at(-1)).toEqual({ type: 'error', error: expect.any(GatewayError) });
    const error = (events.at(-1) as { error: GatewayError }).error;
    expect({ kind: error.kind, retryable: error.retryable }).toEqual({ kind: 'upstream', retryable: true });
  });

  it('turns an error event into an error, and reads nothing after it', () => {
    const decoder = new OpenAiResponsesStreamDecoder();
    decoder.decode({ data: JSON.stringify(created) });
    const events = decoder.decode({ event: 'error', data: JSON.stringify({ type: 'error', code: 'rate_limit_exceeded', message: 'Slow down', param: null, sequence_number: 1 }) });
    expect(events).toHaveLength(1);
    expect((events[0] as { error: GatewayError }).error).toMatchObject({ kind: 'rate_limit', message: 'Slow down' });
    expect(decoder.decode({ data: JSON.stringify({ type: 'response.completed', response: {} }) })).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it('turns response.failed into an error event', () => {
    const events = decode([created, { type: 'response.failed', response: { ...created.response, status: 'failed', error: { code: 'server_error', message: 'boom' } } }]);
    expect(events.map((event) => event.type)).toEqual(['start', 'error']);
    expect((events[1] as { error: GatewayError }).error.kind).toBe('upstream');
  });

  it('rejects a frame that is not JSON', () => {
    const decoder = new OpenAiResponsesStreamDecoder();
    expect(decoder.decode({ data: '{oops' })).toEqual([{ type: 'error', error: expect.any(GatewayError) }]);
  });

  it('keeps text an upstream only sends in its .done events, and takes usage from the terminal event', () => {
    const events = decode([
      created,
      { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [], phase: 'final_answer' } },
      { type: 'response.content_part.added', output_index: 0, item_id: 'msg_1', content_index: 0, part: { type: 'output_text', text: '' } },
      { type: 'response.output_text.delta', output_index: 0, item_id: 'msg_1', content_index: 0, delta: 'Hel' },
      { type: 'response.output_text.done', output_index: 0, item_id: 'msg_1', content_index: 0, text: 'Hello' },
      { type: 'response.content_part.done', output_index: 0, item_id: 'msg_1', content_index: 0, part: { type: 'output_text', text: 'Hello' } },
      { type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] } },
      {
        type: 'response.incomplete',
        response: { ...created.response, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { input_tokens: 10, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 } } },
      },
    ]);
    expect(events).toEqual([
      { type: 'start', id: 'resp_1', model: 'gpt-5', created: 100 },
      { type: 'text-delta', index: 0, text: 'Hel', itemId: 'msg_1', phase: 'final_answer' },
      { type: 'text-delta', index: 0, text: 'lo' },
      { type: 'part-end', index: 0 },
      { type: 'finish', finishReason: 'length', rawFinishReason: 'max_output_tokens', usage },
    ]);
  });

  it('reads reasoning summary parts as separate parts, encrypted content on the last, then function calls', () => {
    const events = decode([
      created,
      { type: 'response.output_item.added', output_index: 0, item: { type: 'reasoning', id: 'rs_1', summary: [] } },
      { type: 'response.reasoning_summary_part.added', output_index: 0, item_id: 'rs_1', summary_index: 0, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', output_index: 0, item_id: 'rs_1', summary_index: 0, delta: 'A' },
      { type: 'response.reasoning_summary_part.added', output_index: 0, item_id: 'rs_1', summary_index: 1, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.done', output_index: 0, item_id: 'rs_1', summary_index: 1, text: 'B' },
      { type: 'response.output_item.done', output_index: 0, item: { type: 'reasoning', id: 'rs_1', summary: [{ text: 'A' }, { text: 'B' }], encrypted_content: 'gAAAA' } },
      { type: 'response.output_item.added', output_index: 1, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '' } },
      { type: 'response.function_call_arguments.delta', output_index: 1, item_id: 'fc_1', delta: '{"a"' },
      { type: 'response.function_call_arguments.done', output_index: 1, item_id: 'fc_1', arguments: '{"a":1}' },
      { type: 'response.output_item.done', output_index: 1, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"a":1}' } },
      { type: 'response.completed', response: { ...created.response, status: 'completed' } },
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'reasoning-delta', index: 0, provider: 'openai', itemId: 'rs_1', summary: true },
      { type: 'reasoning-delta', index: 0, text: 'A' },
      { type: 'part-end', index: 0 },
      { type: 'reasoning-delta', index: 1, provider: 'openai', itemId: 'rs_1', summary: true },
      { type: 'reasoning-delta', index: 1, text: 'B' },
      { type: 'reasoning-delta', index: 1, encryptedContent: 'gAAAA' },
      { type: 'part-end', index: 1 },
      { type: 'tool-call-start', index: 2, id: 'call_1', name: 'f', itemId: 'fc_1' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: '{"a"' },
      { type: 'tool-call-delta', index: 2, argumentsDelta: ':1}' },
      { type: 'part-end', index: 2 },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'completed', usage: { ...usage, inputTokens: 0, outputTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it('refuses an output item the client would have to act on', () => {
    const events = decode([created, { type: 'response.output_item.added', output_index: 0, item: { type: 'custom_tool_call', id: 'ctc_1' } }]);
    expect(events.map((event) => event.type)).toEqual(['start', 'error']);
  });
});

describe('OpenAiResponsesStreamEncoder', () => {
  it('writes the Responses event sequence, numbered, with event: lines', () => {
    const messages = encode([
      { type: 'start', id: 'msg_anthropic', model: 'claude', created: 100 },
      { type: 'text-delta', index: 0, text: 'Hi' },
      { type: 'part-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'toolu_1', name: 'f' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'part-end', index: 1 },
      { type: 'finish', finishReason: 'tool_calls', usage },
    ]);
    expect(messages.map((message) => message.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(messages.map((message) => message.data.sequence_number)).toEqual(messages.map((_message, index) => index));
    const messageId = messages[2].data.item.id;
    expect(messageId).toMatch(/^msg_/);
    expect(messages.slice(3, 8).every((message) => (message.data.item_id ?? message.data.item.id) === messageId)).toBe(true);
    const completed = messages.at(-1)!.data.response;
    expect(completed).toMatchObject({ id: 'resp_msganthropic', model: 'client-model', status: 'completed', usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 } });
    expect(completed.output.map((item: any) => [item.type, item.status])).toEqual([
      ['message', 'completed'],
      ['function_call', 'completed'],
    ]);
    expect(completed.output[1]).toMatchObject({ call_id: 'toolu_1', arguments: '{}' });
  });

  it('ends a cut answer with response.incomplete', () => {
    const messages = encode([
      { type: 'start', id: 'x', model: 'm', created: 1 },
      { type: 'text-delta', index: 0, text: 'Once upon' },
      { type: 'finish', finishReason: 'length', usage },
    ]);
    expect(messages.at(-1)).toMatchObject({
      event: 'response.incomplete',
      data: { response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ type: 'message', status: 'incomplete' }] } },
    });
  });

  it('keeps OpenAI reasoning items whole: one item, its summary parts, its encrypted content', () => {
    const messages = encode([
      { type: 'start', id: 'resp_1', model: 'gpt-5', created: 1 },
      { type: 'reasoning-delta', index: 0, provider: 'openai', itemId: 'rs_1', summary: true, text: 'A' },
      { type: 'part-end', index: 0 },
      { type: 'reasoning-delta', index: 1, provider: 'openai', itemId: 'rs_1', summary: true, text: 'B' },
      { type: 'reasoning-delta', index: 1, encryptedContent: 'gAAAA' },
      { type: 'part-end', index: 1 },
      { type: 'finish', finishReason: 'stop', usage },
    ]);
    const added = messages.filter((message) => message.event === 'response.output_item.added');
    expect(added.map((message) => message.data.item.id)).toEqual(['rs_1']);
    const done = messages.find((message) => message.event === 'response.output_item.done')!;
    expect(done.data.item).toEqual({ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'A' }, { type: 'summary_text', text: 'B' }], encrypted_content: 'gAAAA' });
  });

  it('writes an error as the in-stream error event and nothing after it', () => {
    const encoder = new OpenAiResponsesStreamEncoder({ model: 'm' });
    encoder.encode({ type: 'start', id: 'x', model: 'm', created: 1 });
    const text = encoder.encode({ type: 'error', error: new GatewayError('rate_limit', 'Too many requests', { retryable: true }) });
    const [message] = new SseReader().push(text);
    expect(message.event).toBe('error');
    expect(JSON.parse(message.data)).toEqual({ type: 'error', sequence_number: 2, code: 'rate_limit_exceeded', message: 'Too many requests', param: null });
    expect(encoder.encode({ type: 'finish', finishReason: 'stop', usage })).toBe('');
  });

  it('an error before anything else is the only event', () => {
    const messages = encode([{ type: 'error', error: new GatewayError('upstream', 'down') }]);
    expect(messages.map((message) => message.event)).toEqual(['error']);
  });
});
