import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Endpoint, FakeProviderKeys, Protocol } from './types';

export interface Route {
  protocol: Protocol;
  endpoint: Endpoint;
  /** Model named by a Gemini path (`/v1beta/models/{model}:generateContent`). */
  pathModel?: string;
  /** Gemini :streamGenerateContent. */
  pathStream?: boolean;
}

/** A ready-to-write HTTP answer. */
export interface HttpAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const GEMINI_PATH = /^\/(v1beta|v1|v1alpha)\/((?:models|tunedModels)\/[^:/]+):([A-Za-z]+)$/;

/** Which protocol and endpoint a method + path speaks; undefined for routes the fake does not serve. */
export function matchRoute(method: string, path: string, headers: IncomingHttpHeaders, query: Record<string, string>): Route | undefined {
  if (method === 'POST') {
    if (path === '/v1/chat/completions') return { protocol: 'openai-chat', endpoint: 'generate' };
    if (path === '/v1/embeddings') return { protocol: 'openai-chat', endpoint: 'embeddings' };
    if (path === '/v1/completions') return { protocol: 'openai-chat', endpoint: 'completions' };
    if (path === '/v1/responses') return { protocol: 'openai-responses', endpoint: 'generate' };
    if (path === '/v1/messages') return { protocol: 'anthropic', endpoint: 'generate' };
    if (path === '/v1/messages/count_tokens') return { protocol: 'anthropic', endpoint: 'count-tokens' };
    const gemini = GEMINI_PATH.exec(path);
    if (gemini) {
      const pathModel = gemini[2].replace(/^models\//, '');
      if (gemini[3] === 'generateContent') return { protocol: 'gemini', endpoint: 'generate', pathModel, pathStream: false };
      if (gemini[3] === 'streamGenerateContent') return { protocol: 'gemini', endpoint: 'generate', pathModel, pathStream: true };
      if (gemini[3] === 'countTokens') return { protocol: 'gemini', endpoint: 'count-tokens', pathModel };
    }
  }
  if (method === 'GET') {
    // OpenAI, Anthropic and Gemini v1 share GET /v1/models; tell them apart by their credentials.
    if (path === '/v1beta/models') return { protocol: 'gemini', endpoint: 'list-models' };
    if (path === '/v1/models') {
      if (headers['x-goog-api-key'] !== undefined || query.key !== undefined) return { protocol: 'gemini', endpoint: 'list-models' };
      const anthropic = headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined || /^Bearer sk-ant-/i.test(String(headers.authorization));
      return { protocol: anthropic ? 'anthropic' : 'openai-chat', endpoint: 'list-models' };
    }
  }
  return undefined;
}

export function isOpenAi(protocol: Protocol): boolean {
  return protocol === 'openai-chat' || protocol === 'openai-responses';
}

/** One id per answer, in each provider's format: OpenAI `req_<32 hex>`, Anthropic `req_011C<base58>`. */
export function newRequestId(protocol: Protocol): string {
  if (isOpenAi(protocol)) return `req_${randomBytes(16).toString('hex')}`;
  if (protocol === 'anthropic') {
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    return `req_011C${Array.from(randomBytes(20), (byte) => alphabet[byte % alphabet.length]).join('')}`;
  }
  return randomBytes(8).toString('hex');
}

/**
 * Headers every answer of the protocol carries, the ones the SDKs and gateways read:
 * x-request-id (openai `_request_id`), request-id (anthropic `_request_id`), rate-limit state.
 */
export function protocolHeaders(protocol: Protocol, requestId: string): Record<string, string> {
  if (isOpenAi(protocol)) {
    return {
      'x-request-id': requestId,
      'openai-version': '2020-10-01',
      'openai-organization': 'fake-org',
      'openai-processing-ms': '1',
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-limit-tokens': '10000000',
      'x-ratelimit-remaining-tokens': '9999980',
      'x-ratelimit-reset-tokens': '0s',
    };
  }
  if (protocol === 'anthropic') {
    const reset = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      'request-id': requestId,
      'anthropic-organization-id': FAKE_ANTHROPIC_ORGANIZATION,
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': '3999',
      'anthropic-ratelimit-requests-reset': reset,
      'anthropic-ratelimit-input-tokens-limit': '2000000',
      'anthropic-ratelimit-input-tokens-remaining': '2000000',
      'anthropic-ratelimit-input-tokens-reset': reset,
      'anthropic-ratelimit-output-tokens-limit': '400000',
      'anthropic-ratelimit-output-tokens-remaining': '400000',
      'anthropic-ratelimit-output-tokens-reset': reset,
    };
  }
  return { 'x-goog-request-id': requestId, vary: 'Origin, X-Origin, Referer', 'server-timing': 'gfet4t7; dur=1' };
}

const FAKE_ANTHROPIC_ORGANIZATION = randomUUID();

export function jsonContentType(protocol: Protocol): string {
  return protocol === 'gemini' ? 'application/json; charset=UTF-8' : 'application/json';
}

export function streamContentType(protocol: Protocol): string {
  return protocol === 'gemini' ? 'text/event-stream' : 'text/event-stream; charset=utf-8';
}

/** OpenAI pretty-prints JSON answers (2 spaces), Gemini too; Anthropic answers compact JSON. */
export function serializeJson(protocol: Protocol, body: unknown): string {
  return protocol === 'anthropic' ? JSON.stringify(body) : JSON.stringify(body, null, 2);
}

const OPENAI_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  409: { type: 'invalid_request_error', code: null, message: 'Conflict.' },
  422: { type: 'invalid_request_error', code: null, message: 'Unprocessable entity.' },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message:
      'Rate limit reached for requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in 6ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
  },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The server is overloaded or not ready yet.' },
  504: { type: 'server_error', code: null, message: 'Gateway timeout.' },
};

const ANTHROPIC_ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** google.rpc.Code names by HTTP status (https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes). */
const GEMINI_ERRORS: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: { status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  409: { status: 'ABORTED', message: 'The operation was aborted.' },
  429: {
    status: 'RESOURCE_EXHAUSTED',
    message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
  },
  499: { status: 'CANCELLED', message: 'The operation was cancelled.' },
  500: { status: 'INTERNAL', message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

/**
 * The protocol's own error body for a status:
 * OpenAI `{error:{message,type,param,code}}`, Anthropic `{type:'error',error:{type,message},request_id}`,
 * Gemini `{error:{code,message,status}}`. `type` overrides the OpenAI/Anthropic type or the Gemini status;
 * `code` the OpenAI code.
 */
export function errorBody(protocol: Protocol, status: number, requestId: string, message?: string, type?: string, code?: string | null): unknown {
  if (isOpenAi(protocol)) {
    const known = OPENAI_ERRORS[status] ?? (status >= 500 ? OPENAI_ERRORS[500] : OPENAI_ERRORS[400]);
    const derivedCode = type === 'insufficient_quota' ? 'insufficient_quota' : known.code;
    return { error: { message: message ?? known.message, type: type ?? known.type, param: null, code: code === undefined ? derivedCode : code } };
  }
  if (protocol === 'anthropic') {
    const known = ANTHROPIC_ERRORS[status] ?? (status >= 500 ? ANTHROPIC_ERRORS[500] : ANTHROPIC_ERRORS[400]);
    return { type: 'error', error: { type: type ?? known.type, message: message ?? known.message }, request_id: requestId };
  }
  const known = GEMINI_ERRORS[status] ?? (status >= 500 ? GEMINI_ERRORS[500] : GEMINI_ERRORS[400]);
  return { error: { code: status, message: message ?? known.message, status: type ?? known.status } };
}

/** OpenAI echoes the wrong key masked: first 8 characters, stars, last 4. */
function maskKey(key: string): string {
  if (key.length <= 12) return key;
  return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Each provider's real answer to a missing or wrong credential, or undefined when the request
 * may proceed. Anthropic takes the key as x-api-key or `Authorization: Bearer` and wants
 * anthropic-version. Gemini does not answer 401 to API keys: a wrong key is 400 INVALID_ARGUMENT with
 * reason API_KEY_INVALID, a missing one 403 PERMISSION_DENIED.
 */
export function checkAuth(protocol: Protocol, headers: IncomingHttpHeaders, query: Record<string, string>, keys: FakeProviderKeys, requestId: string): HttpAnswer | undefined {
  if (isOpenAi(protocol)) {
    const authorization = header(headers, 'authorization');
    const key = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (!key) {
      return {
        status: 401,
        body: errorBody(
          protocol,
          401,
          requestId,
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
          'invalid_request_error',
          null,
        ),
      };
    }
    if (key !== keys.openai) {
      const body = errorBody(protocol, 401, requestId, `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`);
      return { status: 401, body };
    }
    return undefined;
  }
  if (protocol === 'anthropic') {
    // @anthropic-ai/sdk 1.x sends the API key as `Authorization: Bearer`, older clients as x-api-key.
    const key = header(headers, 'x-api-key') ?? header(headers, 'authorization')?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    if (!key) return { status: 401, body: errorBody(protocol, 401, requestId, 'x-api-key header is required') };
    if (key !== keys.anthropic) return { status: 401, body: errorBody(protocol, 401, requestId, 'invalid x-api-key') };
    if (!header(headers, 'anthropic-version')) return { status: 400, body: errorBody(protocol, 400, requestId, 'anthropic-version: header is required') };
    return undefined;
  }
  const key = header(headers, 'x-goog-api-key') ?? query.key;
  if (!key) {
    const message =
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
    return { status: 403, body: errorBody(protocol, 403, requestId, message) };
  }
  if (key !== keys.gemini) {
    const message = 'API key not valid. Please pass a valid API key.';
    return {
      status: 400,
      body: {
        error: {
          code: 400,
          message,
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'API_KEY_INVALID',
              domain: 'googleapis.com',
              metadata: { service: 'generativelanguage.googleapis.com' },
            },
            { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
          ],
        },
      },
    };
  }
  return undefined;
}

/** Each provider's answer to a body that is not JSON. */
export function invalidJsonAnswer(protocol: Protocol, requestId: string, parseError: string): HttpAnswer {
  if (isOpenAi(protocol)) {
    const message =
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)";
    return { status: 400, body: errorBody(protocol, 400, requestId, message) };
  }
  if (protocol === 'anthropic') return { status: 400, body: errorBody(protocol, 400, requestId, `There was an error parsing the body of your request: ${parseError}`) };
  return { status: 400, body: errorBody(protocol, 400, requestId, `Invalid JSON payload received. ${parseError}`) };
}

/** Rough token estimate (4 characters a token) for count-tokens endpoints. */
export function estimateTokens(value: unknown): number {
  const text = value === undefined ? '' : JSON.stringify(value);
  return Math.max(1, Math.ceil(text.length / 4));
}

export function countTokensAnswer(protocol: Protocol, body: any): HttpAnswer {
  if (protocol === 'anthropic') return { status: 200, body: { input_tokens: estimateTokens([body?.system, body?.messages, body?.tools]) } };
  const source = body?.generateContentRequest ?? body;
  const totalTokens = estimateTokens([source?.systemInstruction, source?.contents, source?.tools]);
  return { status: 200, body: { totalTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: totalTokens }] } };
}

/** Model lists in each provider's shape, naming the models of the simpleRequest captures. */
export function listModelsAnswer(protocol: Protocol): HttpAnswer {
  if (isOpenAi(protocol)) {
    const data = ['gpt-5-nano', 'gpt-5-mini', 'gpt-5', 'gpt-4o-mini'].map((id) => ({ id, object: 'model', created: 1754425777, owned_by: 'system' }));
    return { status: 200, body: { object: 'list', data } };
  }
  if (protocol === 'anthropic') {
    const data = [
      { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
      { type: 'model', id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-22T00:00:00Z' },
    ];
    return { status: 200, body: { data, has_more: false, first_id: data[0].id, last_id: data[data.length - 1].id } };
  }
  const models = ['gemini-2.5-flash', 'gemini-2.5-pro'].map((id) => ({
    name: `models/${id}`,
    version: '001',
    displayName: id,
    inputTokenLimit: 1048576,
    outputTokenLimit: 65536,
    supportedGenerationMethods: ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
  }));
  return { status: 200, body: { models } };
}

/** OpenAI embeddings: one short vector per input, usage counted roughly. */
export function embeddingsAnswer(body: any): HttpAnswer {
  const inputs: unknown[] = Array.isArray(body?.input) ? body.input : [body?.input];
  const tokens = inputs.reduce<number>((sum, input) => sum + estimateTokens(input), 0);
  return {
    status: 200,
    body: {
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.0123, -0.0456, 0.0789] })),
      model: body?.model ?? 'text-embedding-3-small',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}

/** OpenAI legacy completions: a fixed text; streamed as chunks, a usage chunk (when asked) and [DONE]. */
export function completionsAnswer(body: any): { json: HttpAnswer; frames: string[] } {
  const id = `cmpl-${randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body?.model ?? 'gpt-3.5-turbo-instruct';
  const pieces = [' Paris', ' is the capital', ' of France.'];
  const usage = { prompt_tokens: estimateTokens(body?.prompt), completion_tokens: 7, total_tokens: estimateTokens(body?.prompt) + 7 };
  const json: HttpAnswer = {
    status: 200,
    body: { id, object: 'text_completion', created, model, choices: [{ text: pieces.join(''), index: 0, logprobs: null, finish_reason: 'stop' }], usage },
  };
  const chunk = (text: string, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'text_completion', created, model, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] })}\n\n`;
  const frames = [...pieces.map((piece) => chunk(piece, null)), chunk('', 'stop')];
  if (body?.stream_options?.include_usage) frames.push(`data: ${JSON.stringify({ id, object: 'text_completion', created, model, choices: [], usage })}\n\n`);
  frames.push('data: [DONE]\n\n');
  return { json, frames };
}
