import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { fixtureCase } from '../support/fixtures';
import { converseFrames, exceptionFrame, invokeFrames } from './bedrock-frames';
import { readBody } from './read-body';

/**
 * A fake AWS Bedrock runtime for the relay's tests: a node:http server that
 * authenticates each request as Bedrock does (a SigV4 signature recomputed
 * for its known key pair, region and service `bedrock`, or a Bedrock API key
 * as a bearer token), answers Converse and InvokeModel from the real
 * captures in ../shared/fixtures (`bedrock`, `bedrock-anthropic`) — streams
 * as AWS event-stream frames — records what it received, and can answer
 * errors in Bedrock's shape.
 *
 * @example
 * const fake = await startFakeBedrock();
 * // a channel: { type: 'bedrock', base_url: fake.url, key: JSON.stringify(fake.keyPair), settings: { provider: { region: fake.region } } }
 * fake.respondWith({ kind: 'error', status: 429, type: 'ThrottlingException', message: 'Too many requests' });
 */

export type BedrockOperation = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

export interface BedrockReceivedRequest {
  operation: BedrockOperation;
  /** The model id, decoded from the path. */
  modelId: string;
  /** The path as sent (model id percent-encoded). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  rawBody: string;
  stream: boolean;
  auth: 'sigv4' | 'api-key';
  /** What is wrong with the body for its operation; [] when nothing. */
  problems: string[];
}

export type BedrockAnswer =
  /** A capture of this case (response.json, or response-streaming.json as frames when streaming; error.json as the error it records). */
  | { kind: 'fixture'; case: string; followup?: boolean }
  /** Bedrock's error shape: `{"message"}` with the exception name in x-amzn-errortype. */
  | { kind: 'error'; status: number; type: string; message: string }
  /** A streamed capture cut off: an exception frame after `afterFrames` frames, or the stream ending inside the frame after them. */
  | { kind: 'broken-stream'; case: string; afterFrames: number; exception?: { type: string; message: string } };

export interface FakeBedrock {
  url: string;
  region: string;
  /** The channel key of a SigV4 channel (JSON). */
  keyPair: { access_key_id: string; secret_access_key: string };
  /** A Bedrock API key the fake accepts as `Authorization: Bearer`. */
  apiKey: string;
  /** Authenticated Bedrock requests, in arrival order. */
  received: BedrockReceivedRequest[];
  /** Requests refused before reaching the model (bad signature, unknown key). */
  refused: number;
  respondWith(answer: BedrockAnswer | ((request: BedrockReceivedRequest) => BedrockAnswer), times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const KEY_PAIR = { access_key_id: 'AKIAFAKEBEDROCK00001', secret_access_key: 'fake/bedrock/secret/access/key/0123456789' };
const API_KEY = 'ABSKZmFrZS1iZWRyb2NrLWFwaS1rZXk=';

/** The HTTP status each Bedrock exception answers with. */
const STATUS_OF: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
};

export async function startFakeBedrock(options: { region?: string } = {}): Promise<FakeBedrock> {
  const region = options.region ?? 'us-east-1';
  const signer = new SignatureV4({
    service: 'bedrock',
    region,
    credentials: { accessKeyId: KEY_PAIR.access_key_id, secretAccessKey: KEY_PAIR.secret_access_key },
    sha256: Hash.bind(null, 'sha256'),
    // Bedrock does not require x-amz-content-sha256: the payload hash is the header's when signed, else the body's.
    applyChecksum: false,
  });
  const scripted: Array<{ answer: BedrockAnswer | ((request: BedrockReceivedRequest) => BedrockAnswer); remaining: number }> = [];
  const fake: FakeBedrock = {
    url: '',
    region,
    keyPair: KEY_PAIR,
    apiKey: API_KEY,
    received: [],
    refused: 0,
    respondWith(answer, times = 1) {
      scripted.push({ answer, remaining: times });
    },
    reset() {
      fake.received.length = 0;
      fake.refused = 0;
      scripted.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const next = (request: BedrockReceivedRequest): BedrockAnswer => {
    const entry = scripted[0];
    if (!entry) return { kind: 'fixture', case: 'simpleRequest' };
    if (--entry.remaining <= 0) scripted.shift();
    return typeof entry.answer === 'function' ? entry.answer(request) : entry.answer;
  };

  const server: Server = createServer((incoming, response) => {
    serve(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`fake bedrock: ${(error as Error).message}`);
    });
  });

  async function serve(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(incoming);
    const path = (incoming.url ?? '/').split('?')[0];
    const match = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(path);
    if (incoming.method !== 'POST' || !match) return sendError(response, 404, 'UnknownOperationException', 'Unknown operation');
    const auth = await authenticate(incoming, path, rawBody);
    if (typeof auth !== 'string') {
      fake.refused++;
      return sendError(response, 403, auth.type, auth.message);
    }
    let body: any;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return sendError(response, 400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
    }
    const operation = match[2] as BedrockOperation;
    const request: BedrockReceivedRequest = {
      operation,
      modelId: decodeURIComponent(match[1]),
      path,
      headers: { ...incoming.headers },
      body,
      rawBody,
      stream: operation.endsWith('stream'),
      auth,
      problems: problemsOf(operation, body),
    };
    fake.received.push(request);
    await answer(response, request, next(request));
  }

  /** The signature Bedrock would compute for this request, or the bearer API key; else the refusal AWS answers. */
  async function authenticate(incoming: IncomingMessage, path: string, rawBody: string): Promise<'sigv4' | 'api-key' | { type: string; message: string }> {
    const authorization = String(incoming.headers.authorization ?? '');
    if (authorization.startsWith('Bearer ')) {
      return authorization.slice('Bearer '.length) === API_KEY ? 'api-key' : { type: 'UnrecognizedClientException', message: 'Invalid API Key format: Must start with pre-defined prefix' };
    }
    const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!parsed) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    const [, keyId, day, scopeRegion, service, signedHeaders] = parsed;
    if (keyId !== KEY_PAIR.access_key_id) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    const amzDate = String(incoming.headers['x-amz-date'] ?? '');
    if (scopeRegion !== region || service !== 'bedrock' || !amzDate.startsWith(day)) {
      return { type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and the bedrock service, not '${scopeRegion}/${service}'.` };
    }
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    if (incoming.headers['x-amz-content-sha256'] !== undefined && incoming.headers['x-amz-content-sha256'] !== bodyHash) {
      return { type: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) headers[name] = String(incoming.headers[name] ?? '');
    const host = new URL(`http://${headers.host}`);
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const expected = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname: host.hostname, port: Number(host.port) || undefined, path, query: {}, headers, body: rawBody },
      { signingDate },
    );
    if (expected.headers.authorization !== authorization) {
      return { type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
    }
    return 'sigv4';
  }

  async function answer(response: ServerResponse, request: BedrockReceivedRequest, script: BedrockAnswer): Promise<void> {
    const provider = request.operation.startsWith('converse') ? 'bedrock' : 'bedrock-anthropic';
    if (script.kind === 'error') return sendError(response, script.status, script.type, script.message);
    const capture = fixtureCase(script.case, provider);
    const error = capture.read<{ error: string }>('error.json');
    if (error) {
      // Captured as the SDK reported it: "ValidationException: <message>".
      const [type, ...message] = error.error.split(': ');
      return sendError(response, STATUS_OF[type] ?? 400, type, message.join(': '));
    }
    const prefix = script.kind === 'fixture' && script.followup ? 'followup-' : '';
    if (!request.stream) {
      const { $metadata: _metadata, ...body } = capture.read(`${prefix}response.json`);
      const text = JSON.stringify(body);
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'x-amzn-requestid': crypto.randomUUID() });
      response.end(text);
      return;
    }
    const events = capture.read<Array<Record<string, unknown>>>(`${prefix}response-streaming.json`)!;
    let frames = provider === 'bedrock' ? converseFrames(events) : invokeFrames(events);
    if (script.kind === 'broken-stream') {
      const cut = frames[script.afterFrames];
      frames = frames.slice(0, script.afterFrames);
      if (script.exception) frames.push(exceptionFrame(lowerCamel(script.exception.type), script.exception.message));
      else if (cut) frames.push(cut.subarray(0, Math.floor(cut.byteLength / 2)));
    }
    response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': crypto.randomUUID() });
    response.flushHeaders();
    for (const frame of frames) {
      if (response.destroyed) return;
      await new Promise<void>((resolve) => response.write(frame, () => resolve()));
    }
    response.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** What Bedrock would refuse, or what the gateway must never send, in a body of this operation. */
function problemsOf(operation: BedrockOperation, body: any): string[] {
  const problems: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['the body is not a JSON object'];
  if (!Array.isArray(body.messages) || body.messages.length === 0) problems.push('messages must be a non-empty array');
  if (body.stream !== undefined) problems.push('stream is not a body field (the operation says it)');
  if (operation.startsWith('converse')) {
    if (body.modelId !== undefined) problems.push('modelId belongs in the path');
    for (const [index, message] of (body.messages ?? []).entries()) {
      if (message.role !== 'user' && message.role !== 'assistant') problems.push(`messages[${index}].role must be user or assistant`);
      if (!Array.isArray(message.content)) problems.push(`messages[${index}].content must be an array of content blocks`);
    }
  } else {
    if (body.anthropic_version !== 'bedrock-2023-05-31') problems.push('anthropic_version must be bedrock-2023-05-31');
    if (body.model !== undefined) problems.push('model belongs in the path');
    if (typeof body.max_tokens !== 'number') problems.push('max_tokens is required');
  }
  return problems;
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ message });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-requestid': crypto.randomUUID(),
  });
  response.end(text);
}

/** ThrottlingException → throttlingException, as event-stream exception frames name them. */
function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
