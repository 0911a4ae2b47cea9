import { describe, expect, it } from 'vitest';
import { fixtureCase } from '../../../../test/support/fixtures';
import { GatewayError, GatewayErrorKind } from '../ir';
import { readRetryAfterMs } from '../shared/upstream-error-fields';
import { decodeAnthropicError, encodeAnthropicError } from './anthropic-errors';

/** Every kind, so a new GatewayErrorKind fails to compile here until it is mapped. */
const ENCODED: Record<GatewayErrorKind, [number, string]> = {
  invalid_request: [400, 'invalid_request_error'],
  unsupported: [400, 'invalid_request_error'],
  authentication: [401, 'authentication_error'],
  permission: [403, 'permission_error'],
  not_found: [404, 'not_found_error'],
  payload_too_large: [413, 'request_too_large'],
  unprocessable: [422, 'invalid_request_error'],
  rate_limit: [429, 'rate_limit_error'],
  quota_exceeded: [429, 'billing_error'],
  timeout: [504, 'timeout_error'],
  overloaded: [529, 'overloaded_error'],
  upstream: [502, 'api_error'],
  internal: [500, 'api_error'],
};

describe('encodeAnthropicError', () => {
  it.each(Object.entries(ENCODED) as Array<[GatewayErrorKind, [number, string]]>)('%s → %j', (kind, [status, type]) => {
    expect(encodeAnthropicError(new GatewayError(kind, 'Something went wrong'))).toEqual({
      status,
      body: { type: 'error', error: { type, message: 'Something went wrong' }, request_id: null },
    });
  });

  it('leads the message with the param, as the API writes it', () => {
    const { body } = encodeAnthropicError(new GatewayError('unsupported', 'seed cannot be translated for this model\'s provider', { param: 'seed' }));
    expect(body.error.message).toBe("seed: seed cannot be translated for this model's provider");
    expect(encodeAnthropicError(new GatewayError('invalid_request', 'messages: Field required', { param: 'messages' })).body.error.message).toBe(
      'messages: Field required',
    );
  });

  it('keeps a status the error chose', () => {
    expect(encodeAnthropicError(new GatewayError('overloaded', 'busy', { status: 503 })).status).toBe(503);
    expect(encodeAnthropicError(new GatewayError('upstream', 'client gone', { status: 499 })).status).toBe(499);
  });
});

describe('decodeAnthropicError', () => {
  const body = (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_011CbebotJaH5Foh5n1CE9Wy' });

  it.each<[string, number, unknown, Record<string, string>, GatewayErrorKind, boolean, number | undefined]>([
    ['a bad request', 400, body('invalid_request_error', 'messages: Field required'), {}, 'invalid_request', false, undefined],
    ['a bad key', 401, body('authentication_error', 'invalid x-api-key'), {}, 'authentication', false, undefined],
    ['no credit', 402, body('billing_error', 'Your credit balance is too low'), {}, 'quota_exceeded', false, undefined],
    ['a forbidden model', 403, body('permission_error', 'Your API key does not have permission'), {}, 'permission', false, undefined],
    ['an unknown model', 404, body('not_found_error', 'model: claude-9'), {}, 'not_found', false, undefined],
    ['a huge request', 413, body('request_too_large', 'Request exceeds the maximum size'), {}, 'payload_too_large', false, undefined],
    ['a rate limit', 429, body('rate_limit_error', 'Number of request tokens has exceeded your rate limit'), { 'retry-after': '7' }, 'rate_limit', true, 7000],
    ['a rate limit with retry-after-ms', 429, body('rate_limit_error', 'slow down'), { 'Retry-After': '2', 'retry-after-ms': '1500' }, 'rate_limit', true, 1500],
    ['an API error', 500, body('api_error', 'Internal server error'), {}, 'upstream', true, undefined],
    ['a gateway timeout', 504, body('timeout_error', 'Request timeout'), {}, 'timeout', true, undefined],
    ['overloaded', 529, body('overloaded_error', 'Overloaded'), {}, 'overloaded', true, undefined],
    ['a proxy 503 in text', 503, 'upstream connect error or disconnect/reset before headers', {}, 'overloaded', true, undefined],
    ['a proxy 502 in HTML', 502, '<html><body>Bad Gateway</body></html>', {}, 'upstream', true, undefined],
    ['a request timeout', 408, '', {}, 'timeout', true, undefined],
    ['a conflict', 409, body('invalid_request_error', 'conflict'), {}, 'invalid_request', true, undefined],
    ['an unprocessable body', 422, { detail: 'x' }, {}, 'unprocessable', false, undefined],
    ['an error body as JSON text', 400, JSON.stringify(body('invalid_request_error', 'max_tokens: Field required')), {}, 'invalid_request', false, undefined],
  ])('%s', (_name, status, errorBody, headers, kind, retryable, retryAfterMs) => {
    const error = decodeAnthropicError(status, errorBody, headers);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.options.retryAfterMs).toBe(retryAfterMs);
    expect(error.options.upstreamStatus).toBe(status);
    expect(error.message).not.toBe('');
  });

  it('reads the real refusal of a mid-conversation system message', () => {
    const captured = fixtureCase('anthropicMidConversationSystemMessage', 'anthropic').read<{ error: string }>('error.json')!;
    const json = captured.error.slice(captured.error.indexOf('{'));
    const error = decodeAnthropicError(400, json);
    expect(error.kind).toBe('invalid_request');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("role 'system' is not supported on this model");
  });

  it('falls back to a generic message without a readable one', () => {
    expect(decodeAnthropicError(502, '<html>Bad Gateway</html>').message).toBe('The Anthropic upstream answered HTTP 502');
    expect(decodeAnthropicError(500, undefined).message).toBe('The Anthropic upstream answered HTTP 500');
  });

  it('never lets an echoed key, an internal URL or a host through', () => {
    const error = decodeAnthropicError(
      401,
      body(
        'authentication_error',
        'invalid x-api-key sk-ant-api03-Zx8kP2qLmN4vR7tY1wE5uI9oA3sD6fG0hJ2kL4zX sent to https://claude-proxy.internal:8443/v1/messages via 10.2.3.4:443 (token 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08)',
      ),
    );
    expect(error.message).not.toMatch(/sk-ant-api03|Zx8kP2|claude-proxy|internal|10\.2\.3\.4|9f86d081/);
    expect(error.message).toContain('invalid x-api-key');
    // Field paths in Anthropic messages are not mistaken for hosts.
    expect(decodeAnthropicError(400, body('invalid_request_error', 'messages.1.content.0.text: Field required')).message).toBe(
      'messages.1.content.0.text: Field required',
    );
  });
});

describe('readRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it.each<[Record<string, string | string[] | undefined>, number | undefined]>([
    [{}, undefined],
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'Retry-After': ['4'] }, 4000],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
  ])('%j → %s', (headers, expected) => {
    expect(readRetryAfterMs(headers, now)).toBe(expected);
  });
});
