import { Protocol, SseReader } from '@aigw/providers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeResponse } from '../fake-provider';
import { GATEWAY_KEY, LIMITED_KEY, MODELS, RelayHarness, UpstreamFamily, UPSTREAM_MODELS, startRelayHarness } from '../support/relay-harness';

/**
 * Errors on the /v1 surface: bad input, bad credentials and upstream failures are answered with the
 * right status in the client protocol's own error shape (exact bodies), secrets never leak, and the
 * gateway's own key never travels upstream.
 */

const CLIENTS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
/** The family whose upstream speaks each client's protocol. */
const SAME_FAMILY: Record<Protocol, UpstreamFamily> = { 'openai-chat': 'openai', 'openai-responses': 'openai', anthropic: 'anthropic', gemini: 'gemini' };
const TRANSLATED_FAMILY: Record<Protocol, UpstreamFamily> = { 'openai-chat': 'anthropic', 'openai-responses': 'gemini', anthropic: 'gemini', gemini: 'openai' };

const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}
function anthropicError(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: null };
}
function geminiError(code: number, status: string, message: string, field?: string) {
  return { error: { code, message, status, ...(field ? { details: [{ '@type': BAD_REQUEST, fieldViolations: [{ field, description: message }] }] } : {}) } };
}

function clientPath(client: Protocol, model: string, stream = false): string {
  switch (client) {
    case 'openai-chat':
      return '/v1/chat/completions';
    case 'openai-responses':
      return '/v1/responses';
    case 'anthropic':
      return '/v1/messages';
    case 'gemini':
      return `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }
}

/** A minimal valid body of the client's protocol. */
function validBody(client: Protocol, model: string, stream = false): Record<string, unknown> {
  switch (client) {
    case 'openai-chat':
      return { model, messages: [{ role: 'user', content: 'Hi' }], ...(stream ? { stream } : {}) };
    case 'openai-responses':
      return { model, input: 'Hi', ...(stream ? { stream } : {}) };
    case 'anthropic':
      return { model, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }], ...(stream ? { stream } : {}) };
    case 'gemini':
      return { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };
  }
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

interface CallOptions {
  model?: string;
  body?: unknown;
  /** Replaces the default Authorization header; `{}` sends no key at all. */
  auth?: Record<string, string>;
  headers?: Record<string, string>;
  query?: string;
  stream?: boolean;
}

describe('relay errors', () => {
  let harness: RelayHarness;
  let relayUserId: string;

  const admin = async (method: string, path: string, body?: unknown) => {
    const result = await harness.master.request(method, path, { token: harness.master.adminToken, body });
    if (result.status >= 300) throw new Error(`${method} ${path}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body;
  };

  async function call(client: Protocol, options: CallOptions = {}): Promise<Answer> {
    const model = options.model ?? MODELS[SAME_FAMILY[client]];
    const body = options.body ?? validBody(client, model, options.stream);
    const path = clientPath(client, model, options.stream);
    const url = new URL(`${path}${options.query ? `${path.includes('?') ? '&' : '?'}${options.query}` : ''}`, harness.master.url);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.auth ?? { authorization: `Bearer ${GATEWAY_KEY}` }), ...options.headers },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return read(response);
  }

  beforeAll(async () => {
    harness = await startRelayHarness();
    const users = await admin('GET', '/api/users?limit=100');
    relayUserId = users.data.find((user: { username: string }) => user.username === 'relay-user').id;
  });
  afterAll(() => harness?.close());
  beforeEach(() => harness.fake.reset());

  describe('bad input → 400/404/413 in the client protocol\'s error shape', () => {
    const PARSE_ERROR = "Body is not valid JSON but content-type is set to 'application/json'";
    const cases: Array<{ name: string; request: (client: Protocol) => CallOptions; expected: Record<Protocol, { status: number; body: unknown }> }> = [
      {
        name: 'malformed JSON',
        request: () => ({ body: '{"model": "oa-model", "messages": [' }),
        expected: {
          'openai-chat': { status: 400, body: openAiError(PARSE_ERROR, 'invalid_request_error', null) },
          'openai-responses': { status: 400, body: openAiError(PARSE_ERROR, 'invalid_request_error', null) },
          anthropic: { status: 400, body: anthropicError('invalid_request_error', PARSE_ERROR) },
          gemini: { status: 400, body: geminiError(400, 'INVALID_ARGUMENT', PARSE_ERROR) },
        },
      },
      {
        name: 'a body that is JSON but not an object',
        request: () => ({ body: '[1, 2, 3]' }),
        expected: {
          'openai-chat': { status: 400, body: openAiError('body must be an object', 'invalid_request_error', null, 'body') },
          'openai-responses': { status: 400, body: openAiError("Invalid type for 'body': expected an object.", 'invalid_request_error', null, 'body') },
          anthropic: { status: 400, body: anthropicError('invalid_request_error', 'The request body must be a JSON object') },
          gemini: { status: 400, body: geminiError(400, 'INVALID_ARGUMENT', 'the request body must be a JSON object') },
        },
      },
      {
        name: 'wrong types (messages: "x", input: 5, contents: "x")',
        request: (client) => {
          const model = MODELS[SAME_FAMILY[client]];
          if (client === 'openai-chat') return { body: { model, messages: 'x' } };
          if (client === 'openai-responses') return { body: { model, input: 5 } };
          if (client === 'anthropic') return { body: { model, max_tokens: 64, messages: 'x' } };
          return { body: { contents: 'x' } };
        },
        expected: {
          'openai-chat': { status: 400, body: openAiError('messages must be an array', 'invalid_request_error', null, 'messages') },
          'openai-responses': { status: 400, body: openAiError("Invalid type for 'input': expected a string or an array.", 'invalid_request_error', null, 'input') },
          anthropic: { status: 400, body: anthropicError('invalid_request_error', 'messages: must be an array') },
          gemini: { status: 400, body: geminiError(400, 'INVALID_ARGUMENT', 'contents must be an array', 'contents') },
        },
      },
      {
        name: 'missing messages / input / contents',
        request: (client) => {
          const model = MODELS[SAME_FAMILY[client]];
          if (client === 'anthropic') return { body: { model, max_tokens: 64 } };
          return { body: client === 'gemini' ? {} : { model } };
        },
        expected: {
          'openai-chat': { status: 400, body: openAiError('messages must be a non-empty array', 'invalid_request_error', null, 'messages') },
          'openai-responses': { status: 400, body: openAiError("Missing required parameter: 'input'.", 'invalid_request_error', null, 'input') },
          anthropic: { status: 400, body: anthropicError('invalid_request_error', 'messages: Field required') },
          gemini: { status: 400, body: geminiError(400, 'INVALID_ARGUMENT', 'contents is required', 'contents') },
        },
      },
      {
        name: 'an unknown model',
        request: (client) => ({ model: 'nope-model', body: validBody(client, 'nope-model') }),
        expected: {
          'openai-chat': {
            status: 404,
            body: openAiError('The model nope-model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found', 'model'),
          },
          // OpenAI answers an unknown model with code model_not_found on /v1/responses as on /v1/chat/completions.
          'openai-responses': {
            status: 404,
            body: openAiError('The model nope-model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found', 'model'),
          },
          anthropic: { status: 404, body: anthropicError('not_found_error', 'model: The model nope-model does not exist or you do not have access to it.') },
          gemini: { status: 404, body: geminiError(404, 'NOT_FOUND', 'The model nope-model does not exist or you do not have access to it.', 'model') },
        },
      },
    ];
    for (const testCase of cases) {
      for (const client of CLIENTS) {
        it(`${client}: ${testCase.name} → ${testCase.expected[client].status}`, async () => {
          const answer = await call(client, testCase.request(client));
          expect({ status: answer.status, body: answer.body }).toEqual(testCase.expected[client]);
          expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
          expect(harness.fake.received).toEqual([]);
        });
      }
    }

    describe('a body over relay_body_limit_mb (32 MiB) → 413, one just under it is relayed', () => {
      const LIMIT = 32 * 1024 * 1024;
      /** A valid request of `size` bytes: the prompt is padded with 'a's, built in one buffer. */
      function bodyOfSize(client: Protocol, size: number): Buffer {
        const marker = 'PADDING';
        const template = JSON.stringify(client === 'gemini' ? { contents: [{ role: 'user', parts: [{ text: marker }] }] } : { ...validBody(client, MODELS[SAME_FAMILY[client]]), ...(client === 'openai-responses' ? { input: marker } : { messages: [{ role: 'user', content: marker }] }) });
        const [head, tail] = template.split(marker);
        const buffer = Buffer.alloc(size, 'a');
        buffer.write(head, 0);
        buffer.write(tail, size - Buffer.byteLength(tail));
        return buffer;
      }
      const expected: Record<Protocol, unknown> = {
        'openai-chat': openAiError('the request body is too large', 'invalid_request_error', 'request_too_large'),
        'openai-responses': openAiError('the request body is too large', 'invalid_request_error', 'payload_too_large'),
        anthropic: anthropicError('request_too_large', 'the request body is too large'),
        gemini: geminiError(413, 'INVALID_ARGUMENT', 'the request body is too large'),
      };
      for (const client of CLIENTS) {
        it(`${client}: 32 MiB + 1 byte → 413`, async () => {
          const answer = await call(client, { body: bodyOfSize(client, LIMIT + 1) });
          expect({ status: answer.status, body: answer.body }).toEqual({ status: 413, body: expected[client] });
          expect(harness.fake.received).toEqual([]);
        });
      }
      it('openai-chat: 32 MiB − 1 KiB → relayed (200)', async () => {
        const body = bodyOfSize('openai-chat', LIMIT - 1024);
        expect(() => JSON.parse(body.toString('utf8'))).not.toThrow();
        const answer = await call('openai-chat', { body });
        expect(answer.status).toBe(200);
        expect(harness.fake.received).toHaveLength(1);
      });
    });

    it('a NUL character in the Gemini model path → 400/404 in the Gemini shape, never 500', async () => {
      const answer = await read(await harness.post('/v1beta/models/%00:generateContent', validBody('gemini', MODELS.gemini)));
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: expect.toSatisfy((status: number) => status === 400 || status === 404),
        body: { error: { code: answer.status, message: expect.any(String), status: answer.status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT' } },
      });
    });

    it('a NUL character in GET /v1/models/{id} → 400/404 in the OpenAI shape, never 500', async () => {
      const answer = await read(await fetch(new URL('/v1/models/a%00b', harness.master.url), { headers: { authorization: `Bearer ${GATEWAY_KEY}` } }));
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: expect.toSatisfy((status: number) => status === 400 || status === 404),
        body: { error: { message: expect.any(String), type: 'invalid_request_error', param: expect.toSatisfy((param: unknown) => param === null || typeof param === 'string'), code: expect.toSatisfy((code: unknown) => code === null || typeof code === 'string') } },
      });
    });

    it('an unknown /v1 route → 404 in the OpenAI shape (POST and GET); under /v1/messages/ in the Anthropic shape', async () => {
      for (const method of ['POST', 'GET']) {
        const response = await fetch(new URL('/v1/no-such-endpoint', harness.master.url), {
          method,
          headers: { authorization: `Bearer ${GATEWAY_KEY}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        const answer = await read(response);
        expect({ method, status: answer.status, body: answer.body }).toEqual({ method, status: 404, body: openAiError('no such endpoint', 'invalid_request_error', 'not_found') });
      }
      const anthropic = await read(await harness.post('/v1/messages/no-such-endpoint', {}));
      expect({ status: anthropic.status, body: anthropic.body }).toEqual({ status: 404, body: anthropicError('not_found_error', 'no such endpoint') });
    });
  });

  describe('credentials → 401/403 in the client protocol\'s error shape', () => {
    const MISSING = 'missing API key: send it as "Authorization: Bearer <key>"';
    function authError(client: Protocol, message: string) {
      switch (client) {
        case 'openai-chat':
          return openAiError(message, 'authentication_error', 'invalid_api_key');
        case 'openai-responses':
          return openAiError(message, 'invalid_request_error', 'invalid_api_key');
        case 'anthropic':
          return anthropicError('authentication_error', message);
        case 'gemini':
          return geminiError(401, 'UNAUTHENTICATED', message);
      }
    }

    let disabledKey: string;
    let expiredKey: string;
    beforeAll(async () => {
      const disabled = await admin('POST', '/api/tokens', { name: 'relay-disabled', user_id: relayUserId });
      await admin('PATCH', `/api/tokens/${disabled.id}`, { status: 'disabled' });
      disabledKey = disabled.key;
      const expired = await admin('POST', '/api/tokens', { name: 'relay-expired', user_id: relayUserId, expires_at: '2020-01-01' });
      expiredKey = expired.key;
    });

    for (const client of CLIENTS) {
      it(`${client}: no key → 401`, async () => {
        const answer = await call(client, { auth: {} });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: authError(client, MISSING) });
      });
      it(`${client}: a wrong key → 401`, async () => {
        const answer = await call(client, { auth: { authorization: 'Bearer sk-aigw-not-a-real-key-000000000000000' } });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: authError(client, 'invalid API key') });
      });
      it(`${client}: a disabled token → 401`, async () => {
        const answer = await call(client, { auth: { authorization: `Bearer ${disabledKey}` } });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: authError(client, 'this API key is disabled') });
      });
      it(`${client}: an expired token → 401`, async () => {
        const answer = await call(client, { auth: { authorization: `Bearer ${expiredKey}` } });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: authError(client, 'this API key has expired') });
      });
      it(`${client}: a model the token may not use → 403 (LIMITED_KEY, claude-model)`, async () => {
        const model = MODELS.anthropic;
        const answer = await call(client, { model, body: validBody(client, model), auth: { authorization: `Bearer ${LIMITED_KEY}` } });
        const message = 'this API key may not use the model claude-model';
        const expected = {
          'openai-chat': openAiError(message, 'permission_error', null, 'model'),
          'openai-responses': openAiError(message, 'invalid_request_error', 'permission_denied', 'model'),
          anthropic: anthropicError('permission_error', `model: ${message}`),
          gemini: geminiError(403, 'PERMISSION_DENIED', message, 'model'),
        }[client];
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 403, body: expected });
        expect(harness.fake.received).toEqual([]);
      });
    }

    it('the same LIMITED_KEY may use oa-model', async () => {
      const answer = await call('openai-chat', { auth: { authorization: `Bearer ${LIMITED_KEY}` } });
      expect(answer.status).toBe(200);
    });
  });

  describe('where the key may be sent', () => {
    it('x-api-key (Anthropic SDKs), on the Anthropic and the OpenAI routes', async () => {
      expect((await call('anthropic', { auth: { 'x-api-key': GATEWAY_KEY, 'anthropic-version': '2023-06-01' } })).status).toBe(200);
      expect((await call('openai-chat', { auth: { 'x-api-key': GATEWAY_KEY } })).status).toBe(200);
    });
    it('x-goog-api-key and ?key= (Gemini clients)', async () => {
      expect((await call('gemini', { auth: { 'x-goog-api-key': GATEWAY_KEY } })).status).toBe(200);
      expect((await call('gemini', { auth: {}, query: `key=${GATEWAY_KEY}` })).status).toBe(200);
      const streamed = await call('gemini', { auth: {}, query: `key=${GATEWAY_KEY}`, stream: true });
      expect(streamed.status).toBe(200);
      expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    });
    it('a wrong ?key= is still a 401 in the Gemini shape', async () => {
      const answer = await call('gemini', { auth: {}, query: 'key=AIzaNotTheGatewayKey000000' });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: geminiError(401, 'UNAUTHENTICATED', 'invalid API key') });
    });

    it('Claude Code style: POST /v1/messages?beta=true with x-api-key and anthropic-beta works; the beta header goes upstream', async () => {
      const beta = 'claude-code-20250219,interleaved-thinking-2025-05-14';
      const answer = await call('anthropic', {
        query: 'beta=true',
        auth: { 'x-api-key': GATEWAY_KEY },
        headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': beta, 'user-agent': 'claude-cli/2.0.0 (external, cli)' },
        body: {
          model: MODELS.anthropic,
          max_tokens: 512,
          system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the capital of France?', cache_control: { type: 'ephemeral' } }] }],
          metadata: { user_id: 'user_0123456789abcdef_account__session_00000000-0000-0000-0000-000000000000' },
          temperature: 1,
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ type: 'message', role: 'assistant', content: [expect.objectContaining({ type: 'text' })] });
      const upstream = harness.fake.received[0];
      expect(upstream).toMatchObject({ protocol: 'anthropic', path: '/v1/messages', model: UPSTREAM_MODELS.anthropic });
      expect(upstream.headers['anthropic-beta']).toBe(beta);
      expect(upstream.headers['x-api-key']).toBe(harness.fake.keys.anthropic);
      expect(upstream.schemaErrors).toEqual([]);
    });

    it('the gateway key never travels upstream, whichever way it came', async () => {
      const ways: Array<[Protocol, CallOptions]> = [
        ['openai-chat', { auth: { authorization: `Bearer ${GATEWAY_KEY}` } }],
        ['openai-responses', { auth: { 'x-api-key': GATEWAY_KEY } }],
        ['anthropic', { auth: { 'x-api-key': GATEWAY_KEY, 'anthropic-version': '2023-06-01' } }],
        ['anthropic', { auth: { authorization: `Bearer ${GATEWAY_KEY}` }, model: MODELS.gemini, body: validBody('anthropic', MODELS.gemini) }],
        ['gemini', { auth: { 'x-goog-api-key': GATEWAY_KEY } }],
        ['gemini', { auth: {}, query: `key=${GATEWAY_KEY}` }],
        ['gemini', { auth: {}, query: `key=${GATEWAY_KEY}`, stream: true }],
        ['gemini', { auth: { 'x-goog-api-key': GATEWAY_KEY }, model: MODELS.openai }],
        ['openai-chat', { auth: { authorization: `Bearer ${GATEWAY_KEY}` }, model: MODELS.gemini, body: validBody('openai-chat', MODELS.gemini) }],
      ];
      for (const [client, options] of ways) expect((await call(client, options)).status).toBe(200);
      expect(harness.fake.received).toHaveLength(ways.length);
      for (const upstream of harness.fake.received) {
        const seen = JSON.stringify({ headers: upstream.headers, query: upstream.query, path: upstream.path, body: upstream.rawBody });
        expect(seen).not.toContain(GATEWAY_KEY);
        // Only the channel's credential, in the upstream protocol's own header.
        if (upstream.protocol === 'gemini') {
          expect(upstream.headers['x-goog-api-key']).toBe(harness.fake.keys.gemini);
          expect(upstream.headers.authorization).toBeUndefined();
        } else if (upstream.protocol === 'anthropic') {
          expect(upstream.headers['x-api-key']).toBe(harness.fake.keys.anthropic);
          expect(upstream.headers.authorization).toBeUndefined();
        } else {
          expect(upstream.headers.authorization).toBe(`Bearer ${harness.fake.keys.openai}`);
          expect(upstream.headers['x-api-key']).toBeUndefined();
        }
      }
    });
  });

  describe('GET /v1/models lists only what the token may use, in the caller SDK\'s shape', () => {
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
    const get = async (path: string, headers: Record<string, string>) => read(await fetch(new URL(path, harness.master.url), { headers }));

    it('OpenAI shape with Authorization: Bearer', async () => {
      const limited = await get('/v1/models', { authorization: `Bearer ${LIMITED_KEY}` });
      expect({ status: limited.status, body: limited.body }).toEqual({
        status: 200,
        body: { object: 'list', data: [{ id: MODELS.openai, object: 'model', created: expect.any(Number), owned_by: 'aigw' }] },
      });
      const full = await get('/v1/models', { authorization: `Bearer ${GATEWAY_KEY}` });
      expect(full.body.data.map((model: { id: string }) => model.id).sort()).toEqual(Object.values(MODELS).sort());
      const one = await get(`/v1/models/${MODELS.openai}`, { authorization: `Bearer ${LIMITED_KEY}` });
      expect({ status: one.status, body: one.body }).toEqual({ status: 200, body: { id: MODELS.openai, object: 'model', created: expect.any(Number), owned_by: 'aigw' } });
      const hidden = await get(`/v1/models/${MODELS.anthropic}`, { authorization: `Bearer ${LIMITED_KEY}` });
      expect({ status: hidden.status, body: hidden.body }).toEqual({
        status: 404,
        body: openAiError('The model claude-model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found', 'model'),
      });
    });

    it('Anthropic shape with x-api-key and anthropic-version', async () => {
      const limited = await get('/v1/models', { 'x-api-key': LIMITED_KEY, 'anthropic-version': '2023-06-01' });
      expect({ status: limited.status, body: limited.body }).toEqual({
        status: 200,
        body: {
          data: [{ type: 'model', id: MODELS.openai, display_name: MODELS.openai, created_at: expect.stringMatching(ISO) }],
          has_more: false,
          first_id: MODELS.openai,
          last_id: MODELS.openai,
        },
      });
    });

    it('Gemini shape with x-goog-api-key (/v1beta/models and /v1/models) and with ?key=', async () => {
      const model = {
        name: `models/${MODELS.openai}`,
        baseModelId: MODELS.openai,
        version: '001',
        displayName: MODELS.openai,
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
      };
      for (const [path, headers] of [
        ['/v1beta/models', { 'x-goog-api-key': LIMITED_KEY }],
        ['/v1/models', { 'x-goog-api-key': LIMITED_KEY }],
        [`/v1beta/models?key=${LIMITED_KEY}`, {}],
      ] as const) {
        const limited = await get(path, headers);
        expect({ path, status: limited.status, body: limited.body }).toEqual({ path, status: 200, body: { models: [model] } });
      }
    });

    it('no key → 401 in the shape asked for', async () => {
      const openai = await get('/v1/models', {});
      expect({ status: openai.status, body: openai.body }).toEqual({
        status: 401,
        body: openAiError('missing API key: send it as "Authorization: Bearer <key>"', 'authentication_error', 'invalid_api_key'),
      });
      const anthropic = await get('/v1/models', { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-wrong' });
      expect({ status: anthropic.status, body: anthropic.body }).toEqual({ status: 401, body: anthropicError('authentication_error', 'invalid API key') });
    });
  });

  describe('upstream errors are mapped into the client protocol', () => {
    function rateLimited(client: Protocol, message: string) {
      switch (client) {
        case 'openai-chat':
          return openAiError(message, 'requests', 'rate_limit_exceeded');
        case 'openai-responses':
          return openAiError(message, 'rate_limit_error', 'rate_limit_exceeded');
        case 'anthropic':
          return anthropicError('rate_limit_error', message);
        case 'gemini':
          return { error: { code: 429, message, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }] } };
      }
    }

    for (const client of CLIENTS) {
      for (const family of [SAME_FAMILY[client], TRANSLATED_FAMILY[client]]) {
        it(`${client} client ← ${family} upstream 429 with Retry-After: 7 → 429 in the client's shape`, async () => {
          harness.fake.respondWith({ kind: 'error', status: 429, message: 'Too many requests, slow down.', headers: { 'retry-after': '7' } });
          const model = MODELS[family];
          const answer = await call(client, { model, body: validBody(client, model) });
          expect({ status: answer.status, body: answer.body }).toEqual({ status: 429, body: rateLimited(client, 'Too many requests, slow down.') });
        });
      }
      it(`${client} client: the upstream's Retry-After reaches the client as a Retry-After header`, async () => {
        harness.fake.respondWith({ kind: 'error', status: 429, message: 'Too many requests, slow down.', headers: { 'retry-after': '7' } });
        const answer = await call(client);
        expect(answer.status).toBe(429);
        expect(answer.headers.get('retry-after')).toBe('7');
      });
    }

    describe('a channel whose own key the provider refuses is the gateway\'s failure, not the caller\'s: 502, never 401/403', () => {
      const BAD_KEY: Record<UpstreamFamily, string> = { openai: 'sk-proj-wrongChannelKey0123456789', anthropic: 'sk-ant-api03-wrongChannelKey0123456789', gemini: 'AIzaWrongChannelKey0123456789abcd' };
      const badModel = (family: UpstreamFamily) => `badkey-${family}`;
      beforeAll(async () => {
        for (const family of ['openai', 'anthropic', 'gemini'] as const) {
          await admin('POST', '/api/models', { name: badModel(family), price: { input: 1, output: 2 } });
          const channel = await admin('POST', '/api/channels', {
            name: `badkey-${family}`,
            type: family,
            base_url: harness.fake.baseUrls[family],
            key: BAD_KEY[family],
          });
          await admin('POST', '/api/routes', { model: badModel(family), channel_id: channel.id, upstream_model: UPSTREAM_MODELS[family] });
        }
      });
      const upstreamFailure: Record<Protocol, unknown> = {
        'openai-chat': { error: { message: expect.any(String), type: 'server_error', param: null, code: 'upstream_error' } },
        'openai-responses': { error: { message: expect.any(String), type: 'server_error', param: null, code: 'upstream_error' } },
        anthropic: { type: 'error', error: { type: 'api_error', message: expect.any(String) }, request_id: null },
        gemini: { error: { code: 502, message: expect.any(String), status: 'UNAVAILABLE' } },
      };
      for (const client of CLIENTS) {
        for (const family of ['openai', 'anthropic', 'gemini'] as const) {
          it(`${client} client ← ${family} upstream refusing the channel key`, async () => {
            const answer = await call(client, { model: badModel(family), body: validBody(client, badModel(family)) });
            // The upstream really refused the channel's key.
            expect(harness.fake.received).toHaveLength(1);
            expect({ status: answer.status, body: answer.body }).toEqual({ status: 502, body: upstreamFailure[client] });
            expect(answer.text).not.toContain(BAD_KEY[family]);
            expect(answer.text).not.toContain(BAD_KEY[family].slice(-10));
          });
        }
      }
    });

    describe('upstream messages that echo a key or an internal host are scrubbed, in answers and in logs', () => {
      const SECRET_KEY = 'sk-live-abcdef1234567890abcdef';
      const INTERNAL = 'http://10.1.2.3:8080/internal';
      const MESSAGE = `Upstream proxy refused key ${SECRET_KEY} at ${INTERNAL}`;
      const FRAGMENTS = [SECRET_KEY, 'abcdef1234567890abcdef', '10.1.2.3', ':8080', '/internal'];

      function expectClean(text: string): void {
        for (const fragment of FRAGMENTS) expect(text).not.toContain(fragment);
        for (const key of Object.values(harness.fake.keys)) expect(text).not.toContain(key);
      }
      function expectCleanLogs(): void {
        for (const line of harness.master.logs) expectClean(line);
      }

      for (const client of CLIENTS) {
        for (const family of [SAME_FAMILY[client], TRANSLATED_FAMILY[client]]) {
          for (const status of [400, 500]) {
            it(`${client} client ← ${family} upstream ${status}`, async () => {
              harness.fake.respondWith({ kind: 'error', status, message: MESSAGE }, { times: 3 });
              const model = MODELS[family];
              const answer = await call(client, { model, body: validBody(client, model) });
              expect(answer.status).toBe(status === 400 ? 400 : 502);
              expectClean(answer.text);
              expect(answer.text).toContain('Upstream proxy refused key');
              expectCleanLogs();
            });
          }

          it(`${client} client ← ${family} upstream: an in-stream error event`, async () => {
            harness.fake.respondWith((request) => inStreamError(request.protocol, MESSAGE));
            const model = MODELS[family];
            const answer = await call(client, { model, body: validBody(client, model, true), stream: true });
            expect(answer.status).toBe(200);
            expectClean(answer.text);
            expectCleanLogs();
            // One error event for one failure: a passthrough must not repeat the upstream's.
            const reader = new SseReader();
            const messages = [...reader.push(answer.text), ...reader.end()];
            const errors = messages.filter((message) => message.event === 'error' || /^\{"error"/.test(message.data));
            expect(errors).toHaveLength(1);
            expect(messages.at(-1)).toBe(errors[0]);
          });
        }
      }
    });
  });
});

/** An upstream stream that fails with an error event carrying `message`, in the upstream protocol's own form. */
function inStreamError(protocol: Protocol, message: string): FakeResponse {
  switch (protocol) {
    case 'openai-chat':
      return { kind: 'sse', events: [{ data: { error: { message, type: 'server_error', param: null, code: null } } }] };
    case 'openai-responses':
      return { kind: 'sse', events: [{ data: { type: 'error', sequence_number: 0, code: 'server_error', message, param: null } }] };
    case 'anthropic':
      return {
        kind: 'sse',
        events: [
          {
            data: {
              type: 'message_start',
              message: { id: 'msg_01Err', type: 'message', role: 'assistant', model: UPSTREAM_MODELS.anthropic, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } },
            },
          },
          { data: { type: 'error', error: { type: 'overloaded_error', message } } },
        ],
      };
    case 'gemini':
      return { kind: 'sse', events: [{ data: { error: { code: 500, message, status: 'INTERNAL' } } }] };
  }
}
