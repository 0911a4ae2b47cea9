import { describe, expect, it } from 'vitest';
import { GATEWAY_ERROR_STATUS, GatewayError, GatewayErrorKind } from '../ir';
import { readRetryAfterMs } from '../shared/upstream-error-fields';
import { decodeOpenAiResponsesError, decodeOpenAiResponsesErrorCode, encodeOpenAiResponsesError } from './openai-responses-errors';

describe('encodeOpenAiResponsesError', () => {
  const expected: Record<GatewayErrorKind, [status: number, type: string, code: string | null]> = {
    invalid_request: [400, 'invalid_request_error', null],
    unsupported: [400, 'invalid_request_error', 'unsupported_parameter'],
    authentication: [401, 'invalid_request_error', 'invalid_api_key'],
    permission: [403, 'invalid_request_error', 'permission_denied'],
    not_found: [404, 'invalid_request_error', 'not_found'],
    payload_too_large: [413, 'invalid_request_error', 'payload_too_large'],
    unprocessable: [422, 'invalid_request_error', 'unprocessable_entity'],
    rate_limit: [429, 'rate_limit_error', 'rate_limit_exceeded'],
    quota_exceeded: [429, 'insufficient_quota', 'insufficient_quota'],
    timeout: [504, 'server_error', 'timeout'],
    overloaded: [503, 'server_error', 'server_overloaded'],
    upstream: [502, 'server_error', 'upstream_error'],
    internal: [500, 'server_error', 'server_error'],
  };

  it('covers every kind', () => {
    expect(Object.keys(expected).sort()).toEqual(Object.keys(GATEWAY_ERROR_STATUS).sort());
  });

  it.each(Object.entries(expected))('%s → OpenAI error shape', (kind, [status, type, code]) => {
    const error = new GatewayError(kind as GatewayErrorKind, 'Something went wrong.', { param: 'input[1].content' });
    expect(encodeOpenAiResponsesError(error)).toEqual({
      status,
      body: { error: { message: 'Something went wrong.', type, param: 'input[1].content', code } },
    });
  });

  it('answers param null when there is none, and keeps an explicit status', () => {
    const error = new GatewayError('upstream', 'bad gateway', { status: 503 });
    expect(encodeOpenAiResponsesError(error)).toEqual({
      status: 503,
      body: { error: { message: 'bad gateway', type: 'server_error', param: null, code: 'upstream_error' } },
    });
  });
});

describe('decodeOpenAiResponsesError', () => {
  const body = (message: string, type: string, code: string | null, param: string | null = null) => ({ error: { message, type, param, code } });

  it.each([
    [400, body("Invalid 'max_output_tokens': integer below minimum value.", 'invalid_request_error', 'integer_below_min_value', 'max_output_tokens'), 'invalid_request', false],
    [401, body('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'), 'authentication', false],
    [403, body('Project does not have access to model.', 'invalid_request_error', 'model_not_found'), 'permission', false],
    [404, body('The model `gpt-9` does not exist.', 'invalid_request_error', 'model_not_found', 'model'), 'not_found', false],
    [408, 'request timeout', 'timeout', true],
    [409, body('Conflict', 'invalid_request_error', null), 'upstream', true],
    [413, 'payload too large', 'payload_too_large', false],
    [422, body('Unprocessable', 'invalid_request_error', null), 'unprocessable', false],
    [429, body('Rate limit reached for gpt-5 in organization org-x on tokens per min.', 'tokens', 'rate_limit_exceeded'), 'rate_limit', true],
    [429, body('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'), 'quota_exceeded', true],
    [500, body('The server had an error while processing your request.', 'server_error', null), 'upstream', true],
    [502, '<html>Bad gateway</html>', 'upstream', true],
    [503, body('The engine is currently overloaded.', 'server_error', null), 'overloaded', true],
    [504, '', 'timeout', true],
    [529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'overloaded', true],
  ] as const)('HTTP %i → kind and retryability', (status, answer, kind, retryable) => {
    const error = decodeOpenAiResponsesError(status, answer);
    expect({ kind: error.kind, retryable: error.retryable, upstreamStatus: error.options.upstreamStatus }).toEqual({ kind, retryable, upstreamStatus: status });
  });

  it('keeps the message and param of an OpenAI error body', () => {
    const error = decodeOpenAiResponsesError(400, body("Invalid value: 'input_text'.", 'invalid_request_error', 'invalid_value', 'input[1].content[0].type'));
    expect(error.message).toBe("Invalid value: 'input_text'.");
    expect(error.param).toBe('input[1].content[0].type');
  });

  it('parses a JSON body that arrives as text', () => {
    const error = decodeOpenAiResponsesError(429, JSON.stringify(body('Slow down.', 'requests', 'rate_limit_exceeded')));
    expect(error.message).toBe('Slow down.');
  });

  it('never lets an echoed key, token or host through', () => {
    const error = decodeOpenAiResponsesError(
      401,
      body(
        'Incorrect API key provided: sk-proj-abcDEF1234567890abcdefXYZ. Request to https://internal-llm.corp.example.com/v1/responses via 10.2.3.4:8443 with token 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 failed; see platform.openai.com.',
        'invalid_request_error',
        'invalid_api_key',
      ),
    );
    expect(error.message).not.toMatch(/sk-proj-abc|internal-llm|10\.2\.3\.4|9f86d081|openai\.com/);
    expect(error.message).toContain('sk-***');
  });

  it('keeps OpenAI item ids, which the client needs to fix its input', () => {
    const error = decodeOpenAiResponsesError(404, body("Item with id 'rs_68d0ea66b7dc81979ee818ad50c9a236067a31a5ec6e55c5' not found.", 'invalid_request_error', null, 'input'));
    expect(error.message).toContain('rs_68d0ea66b7dc81979ee818ad50c9a236067a31a5ec6e55c5');
  });

  it('takes the delay from retry-after-ms, then retry-after', () => {
    expect(decodeOpenAiResponsesError(429, {}, { 'retry-after-ms': '1500', 'retry-after': '9' }).options.retryAfterMs).toBe(1500);
    expect(decodeOpenAiResponsesError(429, {}, { 'Retry-After': '2' }).options.retryAfterMs).toBe(2000);
    expect(decodeOpenAiResponsesError(429, {}, {}).options.retryAfterMs).toBeUndefined();
  });

  it('reads retry-after as an HTTP date', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(readRetryAfterMs({ 'retry-after': inTenSeconds })).toBeGreaterThan(8_000);
    expect(readRetryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(readRetryAfterMs({ 'retry-after': ['3', '4'] })).toBe(3000);
  });
});

describe('decodeOpenAiResponsesErrorCode (errors inside a 200 answer)', () => {
  it.each([
    ['rate_limit_exceeded', 'rate_limit', true],
    ['insufficient_quota', 'quota_exceeded', true],
    ['server_error', 'upstream', true],
    [null, 'upstream', true],
    ['invalid_prompt', 'invalid_request', false],
    ['context_length_exceeded', 'invalid_request', false],
  ] as const)('%s → %s', (code, kind, retryable) => {
    const error = decodeOpenAiResponsesErrorCode(code, 'failed');
    expect({ kind: error.kind, retryable: error.retryable }).toEqual({ kind, retryable });
  });
});
