import { describe, expect, it } from 'vitest';
import { scrubUpstreamMessage } from './scrub-upstream-message';

describe('scrubUpstreamMessage', () => {
  it.each<[string, string]>([
    ['Incorrect API key provided: sk-proj-AbC123xyz. Try again.', 'Incorrect API key provided: sk-***. Try again.'],
    ['bad key sk-ant-api03-abcDEF_123-xyz', 'bad key sk-***'],
    ['API key not valid: AIzaSyA1234567890abcdefghijklmnop', 'API key not valid: [redacted]'],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ', 'Authorization: Bearer [redacted]'],
    ['see https://internal.example.com:8443/v1/chat?key=abc for details', 'see [url] for details'],
    ['connect ECONNREFUSED 10.0.3.17:8000', 'connect ECONNREFUSED [host]'],
    ['upstream vllm.svc.cluster.local:8000 failed', 'upstream [host] failed'],
    ['proxy at localhost:11434 is down', 'proxy at [host] is down'],
    ['token 3f9a1c2b4d5e6f708192a3b4c5d6e7f8a9b0c1d2 rejected', 'token [redacted] rejected'],
    ['organization org-Xy12Ab34Cd56 over limit', 'organization org-*** over limit'],
    ['The access key AKIAIOSFODNN7EXAMPLE is not valid', 'The access key [redacted] is not valid'],
  ])('%s', (input, expected) => {
    expect(scrubUpstreamMessage(input)).toBe(expected);
  });

  it.each([
    "Invalid file data: 'messages[0].content[1].file.file_data'. Expected a base64-encoded data URL with an application/pdf MIME type.",
    'Function tools with reasoning_effort are not supported for gpt-5.4-mini in /v1/chat/completions. Please use /v1/responses instead.',
    "Invalid schema for response_format 'structured_response': In context=(), 'required' is required to be supplied.",
    'textFormatJsonSchemaMissingRequiredPropertyParam is a long identifier without digits',
  ])('leaves ordinary messages alone: %s', (message) => {
    expect(scrubUpstreamMessage(message)).toBe(message);
  });
});
