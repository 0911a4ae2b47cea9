import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CAPTURE_PROVIDERS, type FakeProvider, type Protocol, startFakeProvider } from '../fake-provider';
import { fixtureCase, fixtureCases } from '../support/fixtures';

/**
 * The fake upstream is only worth something if the official SDKs cannot tell it from the real
 * providers: every answer here is parsed by openai, @anthropic-ai/sdk and @google/genai, and
 * compared with the capture it replays.
 */

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

const QUESTION = 'What is the capital of France?';

function openai(options: { apiKey?: string; timeout?: number } = {}): OpenAI {
  return new OpenAI({ apiKey: options.apiKey ?? fake.keys.openai, baseURL: fake.baseUrls.openai, maxRetries: 0, timeout: options.timeout });
}

function anthropic(options: { apiKey?: string; timeout?: number } = {}): Anthropic {
  return new Anthropic({ apiKey: options.apiKey ?? fake.keys.anthropic, baseURL: fake.baseUrls.anthropic, maxRetries: 0, timeout: options.timeout });
}

function gemini(options: { apiKey?: string } = {}): GoogleGenAI {
  return new GoogleGenAI({ apiKey: options.apiKey ?? fake.keys.gemini, httpOptions: { baseUrl: fake.baseUrls.gemini } });
}

function capture<T = any>(protocol: Protocol, file: string, name = 'simpleRequest'): T {
  return fixtureCase(name, CAPTURE_PROVIDERS[protocol]).read<T>(file)!;
}

/** Raw HTTP to the fake, authenticated the way each provider expects unless headers say otherwise. */
async function send(protocol: Protocol, body: unknown, options: { headers?: Record<string, string>; path?: string } = {}): Promise<Response> {
  const paths: Record<Protocol, string> = {
    'openai-chat': '/v1/chat/completions',
    'openai-responses': '/v1/responses',
    anthropic: '/v1/messages',
    gemini: `/v1beta/models/${(body as { model?: string }).model ?? 'gemini-2.5-flash'}:generateContent`,
  };
  const auth: Record<Protocol, Record<string, string>> = {
    'openai-chat': { authorization: `Bearer ${fake.keys.openai}` },
    'openai-responses': { authorization: `Bearer ${fake.keys.openai}` },
    anthropic: { 'x-api-key': fake.keys.anthropic, 'anthropic-version': '2023-06-01' },
    gemini: { 'x-goog-api-key': fake.keys.gemini },
  };
  return fetch(`${fake.url}${options.path ?? paths[protocol]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth[protocol], ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function parseSse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  parser.feed(text);
  return events;
}

async function drain(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('OpenAI Chat Completions through the openai SDK', () => {
  it('parses the default non-streaming answer into the captured message and usage', async () => {
    const expected = capture('openai-chat', 'response.json');

    const completion = await openai().chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }] });

    expect(completion.choices[0].message.content).toBe(expected.choices[0].message.content);
    expect(completion.usage).toEqual(expected.usage);
    expect(completion._request_id).toMatch(/^req_[0-9a-f]{32}$/);
    const request = fake.received[0];
    expect(request).toMatchObject({ protocol: 'openai-chat', endpoint: 'generate', method: 'POST', path: '/v1/chat/completions', stream: false, model: 'gpt-5-nano', schemaErrors: [] });
    expect(request.headers.authorization).toBe(`Bearer ${fake.keys.openai}`);
    await expect(request.aborted).resolves.toBe(false);
  });

  it('streams the captured chunks, then a usage chunk when stream_options.include_usage is set', async () => {
    const chunks = capture<any[]>('openai-chat', 'response-streaming.json');
    const usage = capture('openai-chat', 'response.json').usage;

    const stream = await openai().chat.completions.create({
      model: 'gpt-5-nano',
      messages: [{ role: 'user', content: QUESTION }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const received = (await drain(stream)) as OpenAI.ChatCompletionChunk[];

    const text = received.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join(''));
    expect(received).toHaveLength(chunks.length + 1);
    expect(received.at(-1)).toMatchObject({ choices: [], usage });
    expect(received.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(fake.received[0]).toMatchObject({ stream: true, schemaErrors: [] });
  });

  it('leaves the captured chunks alone without include_usage', async () => {
    const stream = await openai().chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }], stream: true });

    expect(await drain(stream)).toEqual(capture('openai-chat', 'response-streaming.json'));
  });
});

describe('OpenAI Responses through the openai SDK', () => {
  it('parses the default non-streaming answer into the captured output and usage', async () => {
    const expected = capture('openai-responses', 'response.json');

    const response = await openai().responses.create({ model: 'gpt-5-nano', input: [{ role: 'user', content: QUESTION }] });

    expect(response.output_text).toBe(expected.output_text);
    expect(response.usage).toEqual(expected.usage);
    expect(fake.received[0]).toMatchObject({ protocol: 'openai-responses', path: '/v1/responses', stream: false, model: 'gpt-5-nano', schemaErrors: [] });
  });

  it('streams the captured events, deltas and the completed response', async () => {
    const events = capture<any[]>('openai-responses', 'response-streaming.json');

    const stream = await openai().responses.create({ model: 'gpt-5-nano', input: QUESTION, stream: true });
    const received = (await drain(stream)) as OpenAI.Responses.ResponseStreamEvent[];

    expect(received.map((event) => event.type)).toEqual(events.map((event) => event.type));
    const deltas = (list: any[]) => list.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
    expect(deltas(received)).toBe(deltas(events));
    const completed = received.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.usage).toEqual(events.at(-1).response.usage);
    expect(fake.received[0]).toMatchObject({ protocol: 'openai-responses', stream: true, schemaErrors: [] });
  });

  it('feeds the SDK stream helper to its final response', async () => {
    const events = capture<any[]>('openai-responses', 'response-streaming.json');

    const final = await openai().responses.stream({ model: 'gpt-5-nano', input: QUESTION }).finalResponse();

    expect(final.output_text).toBe(events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join(''));
  });
});

describe('Anthropic Messages through @anthropic-ai/sdk', () => {
  it('parses the default non-streaming answer into the captured content and usage', async () => {
    const expected = capture('anthropic', 'response.json');

    const message = await anthropic().messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: QUESTION }] });

    expect(message.content).toEqual(expected.content);
    expect(message.usage).toEqual(expected.usage);
    expect(message._request_id).toMatch(/^req_011C/);
    const request = fake.received[0];
    expect(request).toMatchObject({ protocol: 'anthropic', path: '/v1/messages', stream: false, model: 'claude-sonnet-4-20250514', schemaErrors: [] });
    // @anthropic-ai/sdk 1.x sends the key as a Bearer token rather than x-api-key.
    expect(request.headers).toMatchObject({ authorization: `Bearer ${fake.keys.anthropic}`, 'anthropic-version': expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('accumulates the captured stream in messages.stream()', async () => {
    const events = capture<any[]>('anthropic', 'response-streaming.json');
    const texts: string[] = [];

    const stream = anthropic().messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: QUESTION }] });
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();

    const deltas = events.filter((event) => event.type === 'content_block_delta').map((event) => event.delta.text);
    expect(texts).toEqual(deltas);
    expect(message.content).toEqual([{ type: 'text', text: deltas.join('') }]);
    expect(message.usage.output_tokens).toBe(events.find((event) => event.type === 'message_delta').usage.output_tokens);
    expect(fake.received[0]).toMatchObject({ stream: true, schemaErrors: [] });
  });

  it('yields the captured events with stream: true (the wire ping is skipped by the SDK)', async () => {
    const stream = await anthropic().messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 1024, messages: [{ role: 'user', content: QUESTION }], stream: true });

    expect(await drain(stream)).toEqual(capture('anthropic', 'response-streaming.json'));
  });

  it('answers count_tokens with a rough count', async () => {
    const counted = await anthropic().messages.countTokens({ model: 'claude-sonnet-4-20250514', messages: [{ role: 'user', content: QUESTION }] });

    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(fake.received[0]).toMatchObject({ protocol: 'anthropic', endpoint: 'count-tokens', path: '/v1/messages/count_tokens', schemaErrors: [] });
  });
});

describe('Gemini generateContent through @google/genai', () => {
  it('parses the default non-streaming answer into the captured text and usage', async () => {
    const expected = capture('gemini', 'response.json');

    const response = await gemini().models.generateContent({ model: 'gemini-2.5-flash', contents: QUESTION });

    expect(response.text).toBe(expected.candidates[0].content.parts[0].text);
    expect(response.usageMetadata).toEqual(expected.usageMetadata);
    const request = fake.received[0];
    // @google/genai 3.x calls the GA /v1 surface by default, not /v1beta.
    expect(request).toMatchObject({ protocol: 'gemini', path: '/v1/models/gemini-2.5-flash:generateContent', stream: false, model: 'gemini-2.5-flash', schemaErrors: [] });
    expect(request.headers['x-goog-api-key']).toBe(fake.keys.gemini);
  });

  it('streams the captured chunks over ?alt=sse', async () => {
    const chunks = capture<any[]>('gemini', 'response-streaming.json');

    const stream = await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: QUESTION });
    const received = await drain(stream);

    expect(received.map((chunk: any) => chunk.text).join('')).toBe(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text).join(''));
    expect((received.at(-1) as any).usageMetadata).toEqual(chunks.at(-1).usageMetadata);
    expect(fake.received[0]).toMatchObject({ path: '/v1/models/gemini-2.5-flash:streamGenerateContent', query: { alt: 'sse' }, stream: true, schemaErrors: [] });
  });

  it('answers countTokens with a rough count', async () => {
    const counted = await gemini().models.countTokens({ model: 'gemini-2.5-flash', contents: QUESTION });

    expect(counted.totalTokens).toBeGreaterThan(0);
    expect(fake.received[0]).toMatchObject({ protocol: 'gemini', endpoint: 'count-tokens', model: 'gemini-2.5-flash', schemaErrors: [] });
  });

  it('accepts the key as ?key= too', async () => {
    const response = await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${fake.keys.gemini}`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: QUESTION }] }] }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(capture('gemini', 'response.json'));
  });
});

describe('wire framing', () => {
  async function streamed(protocol: Protocol, body: unknown, path?: string): Promise<{ response: Response; text: string }> {
    const response = await send(protocol, body, { path });
    return { response, text: await response.text() };
  }

  it('OpenAI Chat: `data: <json>\\n\\n` per chunk, then `data: [DONE]\\n\\n`', async () => {
    const chunks = capture<any[]>('openai-chat', 'response-streaming.json');

    const { response, text } = await streamed('openai-chat', { model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }], stream: true });

    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(text).toBe(chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`).join('') + 'data: [DONE]\n\n');
  });

  it('OpenAI Responses: `event: <type>\\ndata: <json>\\n\\n`, no terminator', async () => {
    const events = capture<any[]>('openai-responses', 'response-streaming.json');

    const { response, text } = await streamed('openai-responses', { model: 'gpt-5-nano', input: QUESTION, stream: true });

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(text).toBe(events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join(''));
  });

  it('Anthropic: `event: <type>\\ndata: <json>\\n\\n`, with the ping the API sends after message_start', async () => {
    const events = capture<any[]>('anthropic', 'response-streaming.json');

    const { response, text } = await streamed('anthropic', { model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: QUESTION }], stream: true });

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('request-id')).toMatch(/^req_011C/);
    const frames = events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    frames.splice(1, 0, 'event: ping\ndata: {"type": "ping"}\n\n');
    expect(text).toBe(frames.join(''));
    expect(parseSse(text).map((event) => event.event)).toEqual(['message_start', 'ping', ...events.slice(1).map((event) => event.type)]);
  });

  it('Gemini ?alt=sse: `data: <json>\\r\\n\\r\\n`, no terminator', async () => {
    const chunks = capture<any[]>('gemini', 'response-streaming.json');

    const { response, text } = await streamed('gemini', { contents: [{ role: 'user', parts: [{ text: QUESTION }] }] }, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');

    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(text).toBe(chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join(''));
    expect(parseSse(text).map((event) => JSON.parse(event.data))).toEqual(chunks);
  });

  it('Gemini without alt=sse: one JSON array', async () => {
    const { response, text } = await streamed('gemini', { contents: [{ role: 'user', parts: [{ text: QUESTION }] }] }, '/v1beta/models/gemini-2.5-flash:streamGenerateContent');

    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toEqual(capture('gemini', 'response-streaming.json'));
  });

  it('JSON answers are application/json', async () => {
    const response = await send('anthropic', { model: 'claude-sonnet-4-20250514', max_tokens: 64, messages: [{ role: 'user', content: QUESTION }] });

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual(capture('anthropic', 'response.json'));
  });
});

describe('request validation against the published schemas', () => {
  /**
   * Bodies the real API accepted but the published schema does not describe. Anthropic's
   * context_management and output_format exist only in the beta params, so they are sent as
   * beta requests; a mid-conversation `system` turn was accepted by claude-opus-4-8 although both
   * schemas (and older models, see anthropicMidConversationSystemMessage) reject it.
   */
  const ANTHROPIC_BETA: Record<string, string> = {
    bedrockAnthropicContextManagementParam: 'context-management-2025-06-27',
    outputFormatJsonSchemaParam: 'structured-outputs-2025-11-13',
  };
  const ACCEPTED_DESPITE_SCHEMA: Record<string, string[]> = {
    'anthropic/anthropicMessageWithSystemMessage/request.json': ['/messages/1/role must be equal to one of the allowed values ["user","assistant"]'],
  };

  it.each(['openai-chat', 'openai-responses', 'anthropic', 'gemini'] satisfies Protocol[])('every %s request body the provider accepted validates', async (protocol) => {
    const provider = CAPTURE_PROVIDERS[protocol];
    const errorsByBody: Record<string, string[]> = {};
    let checked = 0;
    for (const entry of fixtureCases(provider)) {
      for (const file of entry.files.filter((name) => name.endsWith('request.json'))) {
        const prefix = file.replace('request.json', '');
        if (!entry.files.some((name) => name === `${prefix}response.json` || name === `${prefix}response-streaming.json`)) continue;
        const beta = protocol === 'anthropic' ? ANTHROPIC_BETA[entry.name] : undefined;
        const response = await send(protocol, entry.read(file), { headers: beta ? { 'anthropic-beta': beta } : {} });
        await response.arrayBuffer();
        const { schemaErrors } = fake.received.at(-1)!;
        checked++;
        if (schemaErrors.length > 0) errorsByBody[`${provider}/${entry.name}/${file}`] = schemaErrors;
      }
    }

    expect(checked).toBeGreaterThan(30);
    expect(errorsByBody).toEqual(Object.fromEntries(Object.entries(ACCEPTED_DESPITE_SCHEMA).filter(([key]) => key.startsWith(`${provider}/`))));
  });

  it.each([
    ['openai-responses', 'simpleRequestTruncated', '/max_output_tokens must be >= 16'],
    ['anthropic', 'anthropicMidConversationSystemMessage', '/messages/1/role must be equal to one of the allowed values ["user","assistant"]'],
  ] satisfies Array<[Protocol, string, string]>)('a %s body the provider refused (%s) is refused by the schema too', async (protocol, name, expected) => {
    await (await send(protocol, capture(protocol, 'request.json', name))).arrayBuffer();

    expect(fake.received[0].schemaErrors).toContain(expected);
  });

  it.each([
    ['openai-chat', { model: 'gpt-5-nano', messages: 'x' }, '/messages must be array'],
    ['openai-chat', { messages: [{ role: 'user', content: QUESTION }] }, "/ must have required property 'model'"],
    ['openai-responses', { model: 'gpt-5-nano', input: 5 }, '/input must be string'],
    ['anthropic', { model: 'claude-sonnet-4-20250514', messages: 'x' }, "/ must have required property 'max_tokens'"],
    ['anthropic', { model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: 'x' }, '/messages must be array'],
    ['anthropic', { model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [], temperatur: 1 }, "/ must NOT have additional properties 'temperatur'"],
    ['gemini', { contents: 'x' }, '/contents must be array'],
    ['gemini', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, '/contents/0/role must be equal to one of the allowed values ["user","model","function","tool"]'],
    ['gemini', { contents: [{ role: 'user', parts: [{ text: 'x' }] }], generationConfig: 'x' }, '/generationConfig must be object'],
  ] satisfies Array<[Protocol, unknown, string]>)('a broken %s body yields schemaErrors (%j)', async (protocol, body, expected) => {
    await (await send(protocol, body)).arrayBuffer();

    expect(fake.received[0].schemaErrors).toContain(expected);
  });

  it('answers a body that is not JSON with the protocol 400 and records it', async () => {
    const response = await send('openai-chat', '{"model":');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    expect(fake.received[0].schemaErrors[0]).toMatch(/^\/ body is not valid JSON/);
  });

  it('refuses schema violations with the protocol 400 when rejectInvalidBodies is set', async () => {
    const strict = await startFakeProvider({ rejectInvalidBodies: true });
    try {
      const client = new OpenAI({ apiKey: strict.keys.openai, baseURL: strict.baseUrls.openai, maxRetries: 0 });

      await expect(client.chat.completions.create({ model: 'gpt-5-nano', messages: 'x' as never })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    } finally {
      await strict.close();
    }
  });
});

describe('authentication', () => {
  it('OpenAI: a wrong key is a 401 invalid_api_key, surfaced as AuthenticationError', async () => {
    const error = await openai({ apiKey: 'sk-wrong-key-0123456789' })
      .chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect((error as Error).message).toMatch(/Incorrect API key provided: sk-wrong\*+6789\. You can find your API key at/);
  });

  it('OpenAI: a missing key is a 401 with the Bearer hint', async () => {
    const response = await send('openai-chat', {}, { headers: { authorization: '' } });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { message: expect.stringMatching(/^You didn't provide an API key/), type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('Anthropic: a wrong key is a 401 authentication_error, surfaced as AuthenticationError', async () => {
    const error = await anthropic({ apiKey: 'sk-ant-wrong' })
      .messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: QUESTION }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
      request_id: expect.stringMatching(/^req_011C/),
    });
  });

  it('Anthropic: a missing anthropic-version header is a 400 invalid_request_error', async () => {
    const response = await fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': fake.keys.anthropic }, body: '{}' });

    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' }, request_id: response.headers.get('request-id') });
  });

  it('Gemini: a wrong key is the API_KEY_INVALID 400 the real API sends, surfaced as ApiError', async () => {
    const error = await gemini({ apiKey: 'AIzaWrong' })
      .models.generateContent({ model: 'gemini-2.5-flash', contents: QUESTION })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect(JSON.parse((error as ApiError).message).error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }, {}] });
  });

  it('Gemini: a missing key is 403 PERMISSION_DENIED', async () => {
    const response = await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', body: '{"contents":[]}' });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
  });
});

describe('scripted errors', () => {
  it('OpenAI: 429 with retry-after reaches the SDK as RateLimitError', async () => {
    fake.respondWith({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });

    const error = await openai()
      .chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }] })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7');
  });

  it('Anthropic: 429 is a RateLimitError and 529 an OverloadedError', async () => {
    fake.respondWith({ kind: 'error', status: 429, headers: { 'retry-after': '3' } });
    fake.respondWith({ kind: 'error', status: 529 });
    const create = () => anthropic().messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: QUESTION }] });

    const rateLimited = await create().catch((caught: unknown) => caught);
    const overloaded = await create().catch((caught: unknown) => caught);

    expect(rateLimited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((rateLimited as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('3');
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect((overloaded as InstanceType<typeof Anthropic.OverloadedError>).error).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('Gemini: 429 is RESOURCE_EXHAUSTED', async () => {
    fake.respondWith({ kind: 'error', status: 429, message: 'Quota exceeded' });

    const error = await gemini()
      .models.generateContent({ model: 'gemini-2.5-flash', contents: QUESTION })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect(JSON.parse((error as ApiError).message)).toEqual({ error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } });
  });

  it('replays a case the provider refused (error.json) as that error', async () => {
    fake.respondWith({ kind: 'fixture', case: 'topPReasoningModelParam' }, { protocol: 'openai-chat' });
    fake.respondWith({ kind: 'fixture', case: 'anthropicMidConversationSystemMessage' }, { protocol: 'anthropic' });

    const openaiError = await openai()
      .chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }] })
      .catch((caught: unknown) => caught);
    const anthropicError = await anthropic()
      .messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: QUESTION }] })
      .catch((caught: unknown) => caught);

    expect(openaiError).toBeInstanceOf(OpenAI.BadRequestError);
    expect((openaiError as Error).message).toContain("Unsupported parameter: 'top_p' is not supported with this model.");
    expect(anthropicError).toBeInstanceOf(Anthropic.BadRequestError);
    expect((anthropicError as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: "role 'system' is not supported on this model" },
      request_id: 'req_011CbebotJaH5Foh5n1CE9Wy',
    });
  });
});

describe('broken streams', () => {
  it('disconnectAfter makes the openai stream throw; the fake cut it, so aborted is false', async () => {
    fake.respondWith({ kind: 'fixture', case: 'simpleRequest', disconnectAfter: 2 });

    const stream = await openai().chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }], stream: true });

    await expect(drain(stream)).rejects.toThrow();
    await expect(fake.received[0].aborted).resolves.toBe(false);
  });

  it('disconnectAfter makes the anthropic stream throw', async () => {
    fake.respondWith({ kind: 'fixture', case: 'simpleRequest', disconnectAfter: 3 });

    const stream = anthropic().messages.stream({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: QUESTION }] });

    await expect(stream.finalMessage()).rejects.toThrow();
  });

  it('disconnectAfter makes the genai stream throw', async () => {
    fake.respondWith({ kind: 'sse', events: [{ data: capture<any[]>('gemini', 'response-streaming.json')[0] }, { data: {} }], disconnectAfter: 1 });

    await expect(
      (async () => drain(await gemini().models.generateContentStream({ model: 'gemini-2.5-flash', contents: QUESTION })))(),
    ).rejects.toThrow();
  });

  it('garbled SSE makes the SDK throw', async () => {
    fake.respondWith({ kind: 'sse', events: [], raw: 'data: {"id":"chatcmpl-1","choices":[\n\n' });
    const quiet = new OpenAI({ apiKey: fake.keys.openai, baseURL: fake.baseUrls.openai, maxRetries: 0, logLevel: 'off' });

    const stream = await quiet.chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }], stream: true });

    await expect(drain(stream)).rejects.toThrow();
  });

  it('scripted events get the protocol framing, event names defaulting to data.type', async () => {
    fake.respondWith({ kind: 'sse', events: [{ data: { type: 'message_start' } }, { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }] });

    const text = await (await send('anthropic', { model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [], stream: true })).text();

    expect(text).toBe('event: message_start\ndata: {"type":"message_start"}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
  });

  it('aborted resolves true when the client aborts mid-stream', async () => {
    const [first, second] = capture<any[]>('openai-chat', 'response-streaming.json');
    fake.respondWith({ kind: 'sse', events: [{ data: first }, { data: second }, { data: '[DONE]' }], delayBetweenMs: 60_000 });
    const controller = new AbortController();

    const stream = await openai().chat.completions.create(
      { model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }], stream: true },
      { signal: controller.signal },
    );
    const request = await fake.nextRequest();
    const chunks: unknown[] = [];
    await (async () => {
      for await (const chunk of stream) {
        chunks.push(chunk);
        controller.abort();
      }
    })().catch((error: unknown) => expect(error).toBeInstanceOf(OpenAI.APIUserAbortError));

    expect(chunks).toEqual([first]);
    await expect(request.aborted).resolves.toBe(true);
  });

  it('hang leaves the client to time out, and the hung request sees the abort', async () => {
    fake.respondWith({ kind: 'hang' }, { times: 2 });

    await expect(openai({ timeout: 100 }).chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }] })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
    await expect(
      anthropic({ timeout: 100 }).messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [{ role: 'user', content: QUESTION }] }),
    ).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    await expect(fake.received[0].aborted).resolves.toBe(true);
    await expect(fake.received[1].aborted).resolves.toBe(true);
  });

  it('delayFirstByteMs (streams) and delayMs (JSON) hold the status line back', async () => {
    fake.respondWith({ kind: 'sse', events: [{ data: '[DONE]' }], delayFirstByteMs: 60_000 });
    fake.respondWith({ kind: 'json', body: {}, delayMs: 60_000 });
    const client = openai({ timeout: 100 });

    await expect(client.chat.completions.create({ model: 'gpt-5-nano', messages: [], stream: true })).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect(client.chat.completions.create({ model: 'gpt-5-nano', messages: [] })).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await expect(fake.received[0].aborted).resolves.toBe(true);
    await expect(fake.received[1].aborted).resolves.toBe(true);
  });
});

describe('scripting', () => {
  it('answers scripted responses in order, for their protocol only, then the default', async () => {
    fake.respondWith({ kind: 'json', body: { id: 'scripted' } }, { protocol: 'anthropic', times: 2 });
    const message = () => send('anthropic', { model: 'claude-sonnet-4-20250514', max_tokens: 8, messages: [] }).then((response) => response.json());

    expect(await openai().chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }] })).toMatchObject({ object: 'chat.completion' });
    expect(await message()).toEqual({ id: 'scripted' });
    expect(await message()).toEqual({ id: 'scripted' });
    expect(await message()).toEqual(capture('anthropic', 'response.json'));
  });

  it('builds an answer from the request when given a function', async () => {
    fake.respondWith((request) => ({ kind: 'json', status: 201, body: { echoed: request.model, stream: request.stream } }));

    const response = await send('gemini', { contents: [] }, { path: '/v1beta/models/gemini-2.5-pro:generateContent' });

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ echoed: 'gemini-2.5-pro', stream: false });
  });

  it('replays follow-up captures', async () => {
    fake.respondWith({ kind: 'fixture', case: 'simpleRequest', followup: true });

    const completion = await openai().chat.completions.create({ model: 'gpt-5-nano', messages: [{ role: 'user', content: QUESTION }] });

    expect(completion.choices[0].message.content).toBe(capture('openai-chat', 'followup-response.json').choices[0].message.content);
  });

  it('refuses to script a case that was never captured', () => {
    expect(() => fake.respondWith({ kind: 'fixture', case: 'noSuchCase' })).toThrow('no capture case noSuchCase');
  });

  it('nextRequest hands out requests in arrival order, waiting for ones not yet arrived', async () => {
    const pending = fake.nextRequest();
    await send('openai-chat', { model: 'first', messages: [] });
    await send('openai-responses', { model: 'second', input: 'x' });

    expect((await pending).model).toBe('first');
    expect((await fake.nextRequest()).model).toBe('second');
  });

  it('lists models in each provider shape', async () => {
    const openaiModels = await openai().models.list();
    const anthropicModels = await anthropic().models.list();

    expect(openaiModels.data[0]).toMatchObject({ object: 'model', id: 'gpt-5-nano' });
    expect(anthropicModels.data[0]).toMatchObject({ type: 'model' });
    expect(fake.received.map((request) => [request.protocol, request.endpoint])).toEqual([
      ['openai-chat', 'list-models'],
      ['anthropic', 'list-models'],
    ]);
  });
});
