import { describe, expect, it } from 'vitest';
import { decodeCohereError } from './cohere-errors';

describe('decodeCohereError', () => {
  it.each([
    [400, 'invalid_request', false],
    [401, 'authentication', false],
    [402, 'quota_exceeded', false],
    [403, 'permission', false],
    [404, 'not_found', false],
    [422, 'unprocessable', false],
    [429, 'rate_limit', true],
    [498, 'authentication', false],
    [499, 'upstream', true],
    [500, 'upstream', true],
    [501, 'upstream', false],
    [503, 'overloaded', true],
    [504, 'timeout', true],
  ])('HTTP %i → %s (retryable %s)', (status, kind, retryable) => {
    const error = decodeCohereError(status, { id: 'a1b2', message: 'something happened' });
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.options.upstreamStatus).toBe(status);
    expect(error.message).toBe('something happened');
  });

  it('reads the message from {message}, JSON text or plain text; an HTML page gives a generic message', () => {
    expect(decodeCohereError(429, { message: "You are using a Trial key, which is limited to 20 API calls / minute." }).message).toBe(
      'You are using a Trial key, which is limited to 20 API calls / minute.',
    );
    expect(decodeCohereError(400, '{"id":"x","message":"invalid request: message must not be empty"}').message).toBe(
      'invalid request: message must not be empty',
    );
    expect(decodeCohereError(502, 'bad gateway').message).toBe('bad gateway');
    expect(decodeCohereError(502, '<html><body>502</body></html>').message).toBe('the Cohere upstream answered HTTP 502');
  });

  it('scrubs keys and hosts; reads Retry-After', () => {
    const error = decodeCohereError(401, { message: 'invalid api token Bearer abcdef0123456789 at https://api.cohere.com/v2/chat' }, { 'Retry-After': '3' });
    expect(error.message).not.toContain('abcdef0123456789');
    expect(error.message).not.toContain('api.cohere.com');
    expect(error.options.retryAfterMs).toBe(3000);
  });
});
