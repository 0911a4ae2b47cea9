import { describe, expect, it } from 'vitest';
import { fixtureCase } from '../../../../test/support/fixtures';
import { GATEWAY_ERROR_STATUS, GatewayError, GatewayErrorKind } from '../ir';
import { decodeGeminiError, encodeGeminiError } from './gemini-errors';

describe('encodeGeminiError', () => {
  it.each([
    ['invalid_request', 400, 'INVALID_ARGUMENT'],
    ['unsupported', 400, 'INVALID_ARGUMENT'],
    ['authentication', 401, 'UNAUTHENTICATED'],
    ['permission', 403, 'PERMISSION_DENIED'],
    ['not_found', 404, 'NOT_FOUND'],
    ['payload_too_large', 413, 'INVALID_ARGUMENT'],
    ['unprocessable', 422, 'FAILED_PRECONDITION'],
    ['rate_limit', 429, 'RESOURCE_EXHAUSTED'],
    ['quota_exceeded', 429, 'RESOURCE_EXHAUSTED'],
    ['timeout', 504, 'DEADLINE_EXCEEDED'],
    ['overloaded', 503, 'UNAVAILABLE'],
    ['upstream', 502, 'UNAVAILABLE'],
    ['internal', 500, 'INTERNAL'],
  ] as const)('%s → HTTP %i %s', (kind, status, name) => {
    expect(encodeGeminiError(new GatewayError(kind, 'something failed'))).toEqual({ status, body: { error: { code: status, message: 'something failed', status: name } } });
  });

  it('covers every kind', () => {
    for (const kind of Object.keys(GATEWAY_ERROR_STATUS) as GatewayErrorKind[]) {
      expect(encodeGeminiError(new GatewayError(kind, 'x')).body.error.status).toMatch(/^[A-Z_]+$/);
    }
  });

  it('names the faulty field in a BadRequest detail and the wait in a RetryInfo detail', () => {
    expect(encodeGeminiError(new GatewayError('invalid_request', 'bad temperature', { param: 'generationConfig.temperature' })).body.error.details).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'generationConfig.temperature', description: 'bad temperature' }] },
    ]);
    expect(encodeGeminiError(new GatewayError('rate_limit', 'slow down', { retryAfterMs: 12_500 })).body.error.details).toEqual([
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12.5s' },
    ]);
  });

  it('keeps an explicit status', () => {
    expect(encodeGeminiError(new GatewayError('upstream', 'client went away', { status: 499 })).status).toBe(499);
  });
});

/** The capture harness wrapped the API's answer as `Error: ApiError: <json>`; this is the JSON. */
function capturedError(name: string): unknown {
  const text = fixtureCase(name, 'google').read<{ error: string }>('error.json')!.error;
  return JSON.parse(text.slice(text.indexOf('{')));
}

const RATE_LIMITED = {
  error: {
    code: 429,
    message: 'You exceeded your current quota, please check your plan and billing details.',
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' },
    ],
  },
};

describe('decodeGeminiError', () => {
  it.each([
    ['the captured schema rejection', 400, capturedError('exclusiveMinimumToolParam'), {}, 'invalid_request', false, undefined],
    ['the captured unreachable URL', 400, capturedError('imageUrlMimeTypeFallbackParam'), {}, 'invalid_request', false, undefined],
    [
      'an invalid API key (400 + ErrorInfo)',
      400,
      {
        error: {
          code: 400,
          message: 'API key not valid. Please pass a valid API key.',
          status: 'INVALID_ARGUMENT',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
        },
      },
      {},
      'authentication',
      false,
      undefined,
    ],
    ['a denied project', 403, { error: { code: 403, message: 'Permission denied', status: 'PERMISSION_DENIED' } }, {}, 'permission', false, undefined],
    ['an unknown model', 404, { error: { code: 404, message: 'models/gemini-9 is not found for API version v1beta', status: 'NOT_FOUND' } }, {}, 'not_found', false, undefined],
    ['a rate limit with RetryInfo', 429, RATE_LIMITED, {}, 'rate_limit', true, 12_000],
    ['a rate limit with Retry-After', 429, RATE_LIMITED, { 'Retry-After': '3' }, 'rate_limit', true, 3_000],
    ['a rate limit with retry-after-ms', 429, RATE_LIMITED, { 'retry-after-ms': '250' }, 'rate_limit', true, 250],
    [
      'a daily quota',
      429,
      {
        error: {
          code: 429,
          message: 'Quota exceeded',
          status: 'RESOURCE_EXHAUSTED',
          details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }] }],
        },
      },
      {},
      'quota_exceeded',
      true,
      undefined,
    ],
    ['an internal error', 500, { error: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' } }, {}, 'upstream', true, undefined],
    ['an overloaded model', 503, { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }, {}, 'overloaded', true, undefined],
    ['a deadline', 504, { error: { code: 504, message: 'Deadline expired before operation could complete.', status: 'DEADLINE_EXCEEDED' } }, {}, 'timeout', true, undefined],
    ['a streamGenerateContent array body', 503, [{ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } }], {}, 'overloaded', true, undefined],
    ['a JSON string body', 401, JSON.stringify({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }), {}, 'authentication', false, undefined],
    ['an HTML page from a proxy', 502, '<html><body>Bad Gateway</body></html>', {}, 'upstream', true, undefined],
    ['a 413', 413, { error: { code: 413, message: 'Request payload size exceeds the limit', status: 'INVALID_ARGUMENT' } }, {}, 'payload_too_large', false, undefined],
    ['a 529 without body', 529, undefined, {}, 'overloaded', true, undefined],
    ['a 408 without body', 408, undefined, {}, 'timeout', true, undefined],
  ] as const)('%s → %s (retryable %s, wait %s)', (_label, status, body, headers, kind, retryable, retryAfterMs) => {
    const error = decodeGeminiError(status, body, headers);
    expect({ kind: error.kind, retryable: error.retryable, retryAfterMs: error.options.retryAfterMs, upstreamStatus: error.options.upstreamStatus }).toEqual({
      kind,
      retryable,
      retryAfterMs,
      upstreamStatus: status,
    });
  });

  it('keeps the upstream message, scrubbed of keys, tokens and hosts', () => {
    const error = decodeGeminiError(400, {
      error: {
        code: 400,
        message:
          'API key not valid: AIzaSyD-1234567890abcdefghijklmnopqrstu at https://generativelanguage.googleapis.com/v1beta/models/x?key=AIzaSyD-1234567890 via gemini-proxy.internal:8443 token ya29.a0AfH6SMBx and 0123456789abcdef0123456789abcdef01',
        status: 'INVALID_ARGUMENT',
      },
    });
    expect(error.message).not.toMatch(/AIza|googleapis|internal|ya29|0123456789abcdef/);
    expect(error.message).toBe('API key not valid: [redacted] at [url] via [host] token [redacted] and [redacted]');
  });

  it('keeps field paths and model names readable', () => {
    const message = decodeGeminiError(400, capturedError('exclusiveMinimumToolParam')).message;
    expect(message).toBe(
      'Invalid JSON payload received. Unknown name "exclusiveMinimum" at \'tools[0].function_declarations[0].parameters.properties[0].value\': Cannot find field.',
    );
    expect(decodeGeminiError(404, { error: { code: 404, message: 'models/gemini-2.5-flash-preview-05-20 is not found', status: 'NOT_FOUND' } }).message).toBe(
      'models/gemini-2.5-flash-preview-05-20 is not found',
    );
  });

  it('falls back to a generic message', () => {
    expect(decodeGeminiError(502, 'Bad Gateway').message).toBe('the Gemini upstream answered HTTP 502');
  });
});
