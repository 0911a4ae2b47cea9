import { describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_STATUS, GatewayError, GatewayErrorKind } from '../ir';
import { decodeOpenAiChatError, encodeOpenAiChatError } from './openai-chat-errors';

describe('encodeOpenAiChatError', () => {
  it.each<[GatewayErrorKind, number, string, string | null]>([
    ['invalid_request', 400, 'invalid_request_error', null],
    ['unsupported', 400, 'invalid_request_error', 'unsupported_parameter'],
    ['authentication', 401, 'authentication_error', 'invalid_api_key'],
    ['permission', 403, 'permission_error', null],
    ['not_found', 404, 'invalid_request_error', 'not_found'],
    ['payload_too_large', 413, 'invalid_request_error', 'request_too_large'],
    ['unprocessable', 422, 'invalid_request_error', null],
    ['rate_limit', 429, 'requests', 'rate_limit_exceeded'],
    ['quota_exceeded', 429, 'insufficient_quota', 'insufficient_quota'],
    ['timeout', 504, 'server_error', 'timeout'],
    ['overloaded', 503, 'server_error', 'server_overloaded'],
    ['upstream', 502, 'server_error', 'upstream_error'],
    ['internal', 500, 'server_error', null],
  ])('%s → %i %s / %s', (kind, status, type, code) => {
    const { status: encodedStatus, body } = encodeOpenAiChatError(new GatewayError(kind, 'Something happened.', { param: 'messages[0]' }));
    expect(encodedStatus).toBe(status);
    expect(status).toBe(GATEWAY_ERROR_STATUS[kind]);
    expect(body).toEqual({ error: { message: 'Something happened.', type, param: 'messages[0]', code } });
  });

  it('an unknown model is model_not_found, as OpenAI says it', () => {
    const { status, body } = encodeOpenAiChatError(new GatewayError('not_found', 'The model `x` does not exist.', { param: 'model' }));
    expect(status).toBe(404);
    expect(body.error).toEqual({ message: 'The model `x` does not exist.', type: 'invalid_request_error', param: 'model', code: 'model_not_found' });
  });

  it('keeps an explicit status and writes param null when there is none', () => {
    const { status, body } = encodeOpenAiChatError(new GatewayError('upstream', 'client went away', { status: 499 }));
    expect(status).toBe(499);
    expect(body.error.param).toBeNull();
  });
});

describe('decodeOpenAiChatError', () => {
  it.each<[string, number, unknown, GatewayErrorKind, boolean]>([
    [
      'a context overflow',
      400,
      {
        error: {
          message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      },
      'invalid_request',
      false,
    ],
    [
      'an unsupported parameter',
      400,
      { error: { message: "Unsupported parameter: 'top_p' is not supported with this model.", type: 'invalid_request_error', param: 'top_p', code: 'unsupported_parameter' } },
      'invalid_request',
      false,
    ],
    [
      'a bad key',
      401,
      { error: { message: 'Incorrect API key provided: sk-proj-abc1********************wxyz.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
      'authentication',
      false,
    ],
    [
      'an unsupported region',
      403,
      { error: { message: 'Country, region, or territory not supported', type: 'request_forbidden', param: null, code: 'unsupported_country_region_territory' } },
      'permission',
      false,
    ],
    [
      'an unknown model',
      404,
      { error: { message: 'The model `gpt-9` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } },
      'not_found',
      false,
    ],
    ['a request timeout', 408, { error: { message: 'Request timed out.', type: 'server_error' } }, 'timeout', true],
    ['a conflict', 409, { error: { message: 'Conflict', type: 'invalid_request_error' } }, 'upstream', true],
    ['a body too large', 413, 'Request Entity Too Large', 'payload_too_large', false],
    ['an unprocessable entity (vLLM validation)', 422, { object: 'error', message: 'Input validation error', type: 'BadRequestError', code: 422 }, 'unprocessable', false],
    [
      'a rate limit',
      429,
      {
        error: {
          message: 'Rate limit reached for gpt-4o-mini in organization org-AbCdEf123456 on requests per min (RPM): Limit 3, Used 3, Requested 1.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
      'rate_limit',
      true,
    ],
    [
      'an exhausted quota',
      429,
      { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
      'quota_exceeded',
      true,
    ],
    ['payment required (OpenRouter)', 402, { error: { message: 'Insufficient credits', code: 402 } }, 'quota_exceeded', true],
    ['a server error', 500, { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } }, 'upstream', true],
    ['a bad gateway page', 502, '<html><body>502 Bad Gateway</body></html>', 'upstream', true],
    ['an overloaded engine', 503, { error: { message: 'The engine is currently overloaded, please try again later', type: 'server_error', param: null, code: null } }, 'overloaded', true],
    ['an overloaded 500', 500, { error: { message: 'Model is overloaded', type: 'server_error' } }, 'overloaded', true],
    ['a gateway timeout', 504, null, 'timeout', true],
    ['an Anthropic-style 529', 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded', true],
    ['a compatible server with a string error', 400, { error: 'Invalid model name' }, 'invalid_request', false],
  ])('%s (%i)', (_name, status, body, kind, retryable) => {
    const error = decodeOpenAiChatError(status, body);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.options.upstreamStatus).toBe(status);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('keeps the upstream param and message', () => {
    const error = decodeOpenAiChatError(400, {
      error: { message: "Invalid schema for response_format 'out': Missing 'reasoning'.", type: 'invalid_request_error', param: 'response_format', code: null },
    });
    expect(error.param).toBe('response_format');
    expect(error.message).toBe("Invalid schema for response_format 'out': Missing 'reasoning'.");
    expect(error.status).toBe(400);
  });

  it('never repeats a key, an organization id or the upstream host', () => {
    const error = decodeOpenAiChatError(401, {
      error: {
        message:
          'Incorrect API key provided: sk-proj-abc1********************wxyz. You can find your API key at https://platform.openai.com/account/api-keys. (org-AbCdEf123456, via llm-proxy.corp.internal:8443)',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    });
    expect(error.message).not.toMatch(/sk-proj|abc1|wxyz|org-AbCd|platform\.openai\.com|llm-proxy|8443/);
    expect(error.message).toContain('Incorrect API key provided: sk-***');
  });

  it('an empty body still says what happened', () => {
    expect(decodeOpenAiChatError(500, undefined).message).toBe('the upstream answered HTTP 500');
  });

  it.each<[string, Record<string, string | string[] | undefined>, number | undefined]>([
    ['retry-after-ms wins', { 'retry-after-ms': '1500', 'retry-after': '2' }, 1500],
    ['retry-after in seconds', { 'Retry-After': '20' }, 20_000],
    ['retry-after as an array', { 'retry-after': ['3', '4'] }, 3000],
    ['retry-after as a date in the past', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, 0],
    ['garbage', { 'retry-after': 'soon' }, undefined],
    ['none', {}, undefined],
  ])('Retry-After: %s', (_name, headers, expected) => {
    expect(decodeOpenAiChatError(429, { error: { message: 'slow down', code: 'rate_limit_exceeded' } }, headers).options.retryAfterMs).toBe(expected);
  });

  it('Retry-After as a future date', () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    const retryAfterMs = decodeOpenAiChatError(503, null, { 'retry-after': date }).options.retryAfterMs!;
    expect(retryAfterMs).toBeGreaterThan(25_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
  });
});
