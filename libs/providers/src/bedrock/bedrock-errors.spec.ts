import { describe, expect, it } from 'vitest';
import { GatewayErrorKind } from '../ir';
import { decodeBedrockError, decodeBedrockStreamException } from './bedrock-errors';

describe('decodeBedrockError', () => {
  it.each<[string, number, GatewayErrorKind, boolean]>([
    ['ThrottlingException', 429, 'rate_limit', true],
    ['ValidationException', 400, 'invalid_request', false],
    ['AccessDeniedException', 403, 'permission', false],
    ['UnrecognizedClientException', 403, 'authentication', false],
    ['ResourceNotFoundException', 404, 'not_found', false],
    ['ModelNotReadyException', 429, 'overloaded', true],
    ['ServiceUnavailableException', 503, 'overloaded', true],
    ['InternalServerException', 500, 'upstream', true],
    ['ModelTimeoutException', 408, 'timeout', true],
    ['ModelErrorException', 424, 'upstream', true],
    ['ServiceQuotaExceededException', 400, 'rate_limit', true],
  ])('%s (HTTP %i) → %s, retryable %s', (type, status, kind, retryable) => {
    const error = decodeBedrockError(status, { message: `something about ${type}` }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toBe(`something about ${type}`);
    expect(error.options.upstreamStatus).toBe(status);
  });

  it('reads the exception from the body when the header is missing, else goes by status', () => {
    expect(decodeBedrockError(403, { __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' }).kind).toBe('authentication');
    expect(decodeBedrockError(403, { Message: 'User is not authorized' }).kind).toBe('permission');
    expect(decodeBedrockError(503, '<html>Service Unavailable</html>').message).toBe('The Bedrock upstream answered HTTP 503');
  });

  it('scrubs keys and hosts from the message', () => {
    const error = decodeBedrockError(
      403,
      '{"message":"Credential should be scoped to a valid region. Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/bedrock/aws4_request at bedrock-runtime.us-east-1.amazonaws.com"}',
      { 'x-amzn-errortype': 'InvalidSignatureException' },
    );
    expect(error.kind).toBe('authentication');
    expect(error.message).not.toMatch(/AKIA|amazonaws/);
  });

  it('in-stream exceptions go by their lower-camel name', () => {
    expect(decodeBedrockStreamException('throttlingException', '{"message":"slow down"}')).toMatchObject({ kind: 'rate_limit', message: 'slow down' });
    expect(decodeBedrockStreamException('modelStreamErrorException', { message: 'boom', originalStatusCode: 500 }).retryable).toBe(true);
    expect(decodeBedrockStreamException('somethingNewException', 'not json').kind).toBe('upstream');
  });
});
