import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { PolicyChannel } from '@aigw/contracts';
import { BedrockEventStreamReader, GatewayError, bedrockConversePath, bedrockInvokePath } from '@aigw/providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { IncomingHttpHeaders, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixtureCase } from '../../../../../test/support/fixtures';
import { bedrockAdaptor } from './bedrock.adaptor';
import { bedrockCredentials, bedrockRegion } from './bedrock-credentials';
import { UpstreamCall } from './channel-adaptor';
import { testChannel } from '../../../../../test/support/policy-channel';

type Json = any;

const KEY_PAIR = { access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

function channel(overrides: Partial<PolicyChannel> = {}): PolicyChannel {
  return testChannel('bedrock', { baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com', key: JSON.stringify(KEY_PAIR), ...overrides });
}

function call(overrides: Partial<UpstreamCall>): UpstreamCall {
  return { protocol: 'bedrock-converse', path: '/', body: {}, upstreamModel: 'amazon.nova-pro-v1:0', stream: false, headers: { 'content-type': 'application/json' }, ...overrides };
}

describe('bedrockAdaptor: wire format and placement', () => {
  it('speaks InvokeModel with Anthropic Messages for Anthropic models, Converse for the others', () => {
    expect(bedrockAdaptor.protocolFor(channel(), 'openai-chat', 'us.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe('anthropic');
    expect(bedrockAdaptor.protocolFor(channel(), 'gemini', 'anthropic.claude-3-5-sonnet-20240620-v1:0')).toBe('anthropic');
    expect(bedrockAdaptor.protocolFor(channel(), 'anthropic', 'amazon.nova-pro-v1:0')).toBe('bedrock-converse');
    expect(bedrockAdaptor.protocolFor(channel(), 'openai-responses', 'meta.llama3-3-70b-instruct-v1:0')).toBe('bedrock-converse');
  });

  it('turns an Anthropic Messages body into the captured InvokeModel body (toolCallRequest/bedrock-anthropic)', async () => {
    const captured = fixtureCase('toolCallRequest', 'bedrock-anthropic').read('request.json');
    const { anthropic_version: _version, ...messages } = captured;
    const model = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
    const target = await bedrockAdaptor.target(
      channel({ key: 'bedrock-api-key-123' }),
      call({ protocol: 'anthropic', path: '/v1/messages', upstreamModel: model, stream: true, body: { model, ...messages, stream: true } }),
    );
    expect(target.url).toBe(`https://bedrock-runtime.us-east-1.amazonaws.com${bedrockInvokePath(model, true)}`);
    expect(target.url).toMatch(/\/model\/us\.anthropic\.claude-haiku-4-5-20251001-v1%3A0\/invoke-with-response-stream$/);
    expect(target.body).toBe(JSON.stringify(captured));
    expect(target.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer bedrock-api-key-123' });
  });

  it('moves the anthropic-beta header into the body as anthropic_beta', async () => {
    const target = await bedrockAdaptor.target(
      channel({ key: 'api-key' }),
      call({
        protocol: 'anthropic',
        upstreamModel: 'anthropic.claude-sonnet-4-5',
        body: { model: 'x', max_tokens: 5, messages: [] },
        headers: { 'content-type': 'application/json', 'anthropic-beta': 'context-management-2025-06-27, token-efficient-tools-2025-02-19' },
      }),
    );
    expect(JSON.parse(target.body)).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 5,
      messages: [],
      anthropic_beta: ['context-management-2025-06-27', 'token-efficient-tools-2025-02-19'],
    });
    expect(target.headers).not.toHaveProperty('anthropic-beta');
  });

  it('sends a Converse body as the codec built it, signed with SigV4 for the bedrock service in the channel region', async () => {
    const target = await bedrockAdaptor.target(
      channel({ id: 'bedrock-eu', baseUrl: 'https://bedrock-runtime.eu-west-3.amazonaws.com/', settings: { provider: { region: 'eu-west-3' } } }),
      call({ path: bedrockConversePath('amazon.nova-pro-v1:0', false), body: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] } }),
    );
    expect(target.url).toBe('https://bedrock-runtime.eu-west-3.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse');
    expect(target.headers.host).toBe('bedrock-runtime.eu-west-3.amazonaws.com');
    expect(target.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.stringify(target)).not.toContain(KEY_PAIR.secret_access_key);
  });

  it('takes the region from the settings, else from a standard endpoint, else us-east-1', () => {
    expect(bedrockRegion(channel({ settings: { provider: { region: 'ap-south-1' } } }))).toBe('ap-south-1');
    expect(bedrockRegion(channel({ baseUrl: 'https://bedrock-runtime.eu-central-1.amazonaws.com' }))).toBe('eu-central-1');
    expect(bedrockRegion(channel({ baseUrl: 'http://127.0.0.1:9000' }))).toBe('us-east-1');
  });

  it('parses a channel key once per key (a changed key is parsed again)', () => {
    const first = channel({ id: 'bedrock-cache' });
    const auth = bedrockCredentials.of(first);
    expect(bedrockCredentials.of({ ...first })).toBe(auth);
    expect(bedrockCredentials.of({ ...first, key: 'now-an-api-key' })).toEqual({ kind: 'api-key', authorization: 'Bearer now-an-api-key' });
  });

  it.each([
    ['{"access_key_id":"AKIA"', 'not valid JSON'],
    ['{"access_key_id":"AKIA"}', 'needs access_key_id and secret_access_key'],
    ['  ', 'has no key'],
  ])('refuses the key %j without echoing it', (key, message) => {
    let error: unknown;
    try {
      bedrockAdaptor.target(channel({ id: `bad-${key}`, key }), call({}));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).message).toContain(message);
    expect((error as GatewayError).message).not.toContain('AKIA');
    expect((error as GatewayError).retryable).toBe(true);
  });

  it('reads streams as event-stream frames and errors in AWS shape', () => {
    expect(bedrockAdaptor.frames!(channel(), 'bedrock-converse')).toBeInstanceOf(BedrockEventStreamReader);
    const error = bedrockAdaptor.decodeError!(channel(), 'anthropic', 403, { message: 'The security token included in the request is invalid.' }, { 'x-amzn-errortype': 'UnrecognizedClientException' });
    expect(error.kind).toBe('authentication');
  });
});

/**
 * The signature must be what AWS computes. The AWS SDK signs a Converse and
 * an InvokeModel request at a pinned time against a local capture server;
 * the adaptor signs the same method, URL and body at the same time, and the
 * Authorization, x-amz-date, x-amz-content-sha256 and x-amz-security-token
 * headers must be identical, byte for byte. The SDK's own telemetry headers
 * (invocation id, retry attempt, x-amz-user-agent) and content-length are
 * left out before it signs: the gateway does not send them.
 */
describe('bedrockAdaptor: SigV4 signatures equal the AWS SDK signer', () => {
  const captured: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      captured.push({ url: request.url!, headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          request.url!.endsWith('/converse')
            ? { output: { message: { role: 'assistant', content: [{ text: 'ok' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } }
            : { type: 'message', content: [] },
        ),
      );
    });
  });
  let baseUrl = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-06-01T12:34:56.789Z'));
  });
  afterEach(() => {
    captured.length = 0;
  });
  afterAll(async () => {
    vi.useRealTimers();
    await new Promise((resolve) => server.close(resolve));
  });

  function sdkClient(region: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): BedrockRuntimeClient {
    const client = new BedrockRuntimeClient({ region, endpoint: baseUrl, credentials, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    client.middlewareStack.addRelativeTo(
      (next: (args: Json) => Promise<Json>) => async (args: Json) => {
        for (const name of ['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent', 'content-length']) delete args.request.headers[name];
        return next(args);
      },
      { name: 'dropSdkTelemetryHeaders', relation: 'before', toMiddleware: 'httpSigningMiddleware' },
    );
    return client;
  }

  const SIGNED = ['authorization', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'];

  for (const sessionToken of [undefined, 'FwoGZXIvYXdzEXAMPLE//session+token=']) {
    const label = sessionToken ? 'temporary credentials (session token)' : 'a long-term key pair';

    it(`Converse on an inference-profile ARN, ${label}`, async () => {
      const region = 'eu-west-1';
      const modelId = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0';
      const credentials = { accessKeyId: KEY_PAIR.access_key_id, secretAccessKey: KEY_PAIR.secret_access_key, ...(sessionToken ? { sessionToken } : {}) };
      await sdkClient(region, credentials).send(
        new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'What is the capital of France?' }] }], inferenceConfig: { maxTokens: 64 } }),
      );
      const sdk = captured[0];
      expect(sdk.headers.authorization).toMatch(/SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date(;x-amz-security-token)?, /);

      const key = JSON.stringify({ ...KEY_PAIR, ...(sessionToken ? { session_token: sessionToken } : {}) });
      const ours = await bedrockAdaptor.target(
        channel({ id: `sdk-converse-${label}`, baseUrl, key, settings: { provider: { region } } }),
        call({ path: bedrockConversePath(modelId, false), upstreamModel: modelId, body: JSON.parse(sdk.body) }),
      );
      expect(ours.url).toBe(`${baseUrl}${sdk.url}`);
      expect(ours.body).toBe(sdk.body);
      for (const name of SIGNED) expect(ours.headers[name], name).toBe(sdk.headers[name]);
      expect(ours.headers['x-amz-date']).toBe('20250601T123456Z');
      expect(ours.headers.host).toBe(sdk.headers.host);
    });

    it(`InvokeModel on an Anthropic model, ${label}`, async () => {
      const region = 'us-east-1';
      const modelId = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
      const body = fixtureCase('simpleRequest', 'bedrock-anthropic').read('request.json');
      const credentials = { accessKeyId: KEY_PAIR.access_key_id, secretAccessKey: KEY_PAIR.secret_access_key, ...(sessionToken ? { sessionToken } : {}) };
      await sdkClient(region, credentials).send(new InvokeModelCommand({ modelId, contentType: 'application/json', body: JSON.stringify(body) }));
      const sdk = captured[0];

      const key = JSON.stringify({ ...KEY_PAIR, ...(sessionToken ? { session_token: sessionToken } : {}) });
      const { anthropic_version: _version, ...messages } = body;
      const ours = await bedrockAdaptor.target(
        channel({ id: `sdk-invoke-${label}`, baseUrl, key }),
        call({ protocol: 'anthropic', path: '/v1/messages', upstreamModel: modelId, body: { model: modelId, ...messages } }),
      );
      expect(ours.url).toBe(`${baseUrl}${sdk.url}`);
      expect(ours.body).toBe(sdk.body);
      expect(sdk.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20250601\/us-east-1\/bedrock\/aws4_request, /);
      expect(sdk.headers['x-amz-security-token']).toBe(sessionToken);
      for (const name of SIGNED) expect(ours.headers[name], name).toBe(sdk.headers[name]);
    });
  }
});
