import { EventEmitter } from 'node:events';
import { KeyObject, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { fixtureCase } from '../support/fixtures';
import { answerFromCapture } from './capture-answers';
import { CloudAnswer, CloudFakeServer, CloudRequest, CloudScript } from './cloud-fake-server';
import { countTokensAnswer, errorBody, newRequestId } from './protocols';
import { frameCapturedEvents } from './stream-frames';

/** What google-auth-library puts in the assertion's aud (Google's token endpoint checks the same). */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

const PUBLISHER_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/;

/** One Vertex API request (not a token request), as the fake understood it. */
export interface VertexApiRequest extends CloudRequest {
  project: string;
  location: string;
  publisher: 'google' | 'anthropic';
  model: string;
  method: string;
  /** The bearer token it carried. */
  token: string;
}

export interface FakeVertexOptions {
  /** The project and location the fake serves (others: 403 / 404 as Vertex answers). */
  project: string;
  location: string;
}

export interface FakeVertex {
  url: string;
  /** Where the service accounts' token_uri points: `${url}/token`. */
  tokenUri: string;
  /** Lifetime (expires_in) of the tokens issued from now on; default 3600. */
  tokenLifetimeSeconds: number;
  /** A new service account the token endpoint knows: the key file's JSON text, generated now (never stored). */
  serviceAccount(email: string, projectId?: string): string;
  /** Token requests granted, per service account email, in order. */
  tokensIssued: Array<{ email: string; token: string }>;
  /** Emits `token` ({ email, token }) for each token granted. */
  events: EventEmitter<{ token: [{ email: string; token: string }] }>;
  /** Refuse the next `times` token requests with this status and OAuth error body. */
  refuseTokens(status: number, error: { error: string; error_description: string }, times?: number): void;
  /** API requests, in arrival order. */
  apiRequests(): VertexApiRequest[];
  /** Queue an answer for the next API request(s) that pass the auth checks. */
  respondWith(script: CloudScript, times?: number): void;
  /** Answer API requests from this capture case (Gemini: the google capture, Claude: the vertex-anthropic one); default simpleRequest. */
  useCase(name: string): void;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A fake Google Vertex AI: an OAuth token endpoint (`POST /token`, the JWT
 * bearer grant, the assertion's RS256 signature checked with the service
 * account's public key, its iss, aud, scope and times), and the publisher
 * model methods — Gemini generateContent / streamGenerateContent (SSE with
 * alt=sse) / countTokens, Anthropic rawPredict / streamRawPredict /
 * count-tokens — which want a bearer token it issued and not yet expired.
 */
export async function startFakeVertex(options: FakeVertexOptions): Promise<FakeVertex> {
  /** Each account's public keys (an account may have several keys, as in Google). */
  const accounts = new Map<string, KeyObject[]>();
  const issued = new Map<string, { email: string; expiresAt: number }>();
  const tokensIssued: Array<{ email: string; token: string }> = [];
  const events = new EventEmitter<{ token: [{ email: string; token: string }] }>();
  const refusals: Array<{ status: number; body: unknown; remaining: number }> = [];
  let caseName = 'simpleRequest';
  let tokenLifetimeSeconds = 3600;

  const server: CloudFakeServer = new CloudFakeServer((request): CloudAnswer => {
    if (request.method === 'POST' && request.path === '/token') return grant(request);
    const match = request.method === 'POST' ? PUBLISHER_PATH.exec(request.path) : null;
    if (!match) return googleError(404, `The requested URL ${request.path} was not found on this server.`);
    const [, project, location, publisher, model, method] = match;
    const token = String(request.headers.authorization ?? '').match(/^Bearer (\S+)$/)?.[1] ?? '';
    Object.assign(request, { project, location, publisher, model: decodeURIComponent(model), method, token });
    const known = issued.get(token);
    if (!known || known.expiresAt <= Date.now()) {
      return googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', 'UNAUTHENTICATED');
    }
    if (project !== options.project) return googleError(403, `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/${project}/locations/${location}/publishers/${publisher}/models/${model}' (or it may not exist).`, 'PERMISSION_DENIED');
    if (location !== options.location) return googleError(404, `Publisher Model \`projects/${project}/locations/${location}/publishers/${publisher}/models/${model}\` was not found or your project does not have access to it.`, 'NOT_FOUND');
    const refusal = publisher === 'anthropic' ? checkAnthropicBody(request, method) : checkGeminiRequest(request, method);
    if (refusal) return refusal;
    return server.takeScripted(request) ?? answer(request as VertexApiRequest);
  });
  await server.start();

  function grant(request: CloudRequest): CloudAnswer {
    const refusal = refusals[0];
    if (refusal) {
      if (--refusal.remaining <= 0) refusals.shift();
      return { kind: 'json', status: refusal.status, body: refusal.body };
    }
    const invalid = (description: string): CloudAnswer => ({ kind: 'json', status: 400, body: { error: 'invalid_grant', error_description: description } });
    if (request.body?.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { kind: 'json', status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' } };
    const parts = String(request.body?.assertion ?? '').split('.');
    if (parts.length !== 3) return invalid('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
    let header: any;
    let claims: any;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return invalid('Invalid JWT Signature.');
    }
    const publicKeys = accounts.get(String(claims.iss));
    if (!publicKeys) return invalid('Invalid grant: account not found');
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2], 'base64url');
    if (header.alg !== 'RS256' || !publicKeys.some((publicKey) => verify('RSA-SHA256', signed, publicKey, signature))) return invalid('Invalid JWT Signature.');
    const now = Math.floor(Date.now() / 1000);
    if (claims.aud !== GOOGLE_TOKEN_AUDIENCE) return invalid('Invalid JWT: Failed audience check.');
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.iat > now + 60 || claims.exp <= now || claims.exp - claims.iat > 3600) {
      return invalid('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    if (!String(claims.scope ?? '').split(' ').includes(CLOUD_PLATFORM_SCOPE)) return { kind: 'json', status: 400, body: { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' } };
    const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    issued.set(token, { email: claims.iss, expiresAt: Date.now() + tokenLifetimeSeconds * 1000 });
    const entry = { email: String(claims.iss), token };
    tokensIssued.push(entry);
    events.emit('token', entry);
    return { kind: 'json', status: 200, body: { access_token: token, expires_in: tokenLifetimeSeconds, token_type: 'Bearer' } };
  }

  function answer(request: VertexApiRequest): CloudAnswer {
    const stream = request.method === 'streamGenerateContent' || request.method === 'streamRawPredict';
    if (request.publisher === 'google') {
      if (request.method === 'countTokens') return { kind: 'json', status: 200, body: countTokensAnswer('gemini', request.body).body };
      const captured = answerFromCapture(caseName, false, { protocol: 'gemini', stream, body: request.body, query: request.query }, newRequestId('gemini'));
      return captured.kind === 'json'
        ? { kind: 'json', status: captured.status, body: captured.body }
        : { kind: 'stream', frames: captured.frames, contentType: captured.contentType === 'json' ? 'application/json; charset=UTF-8' : 'text/event-stream' };
    }
    if (request.model === 'count-tokens') return { kind: 'json', status: 200, body: countTokensAnswer('anthropic', request.body).body };
    const capture = fixtureCase(caseName, 'vertex-anthropic');
    if (!stream) return { kind: 'json', status: 200, body: capture.read('response.json') };
    const recorded = capture.read<any[]>('response-streaming.json')!;
    // Some Vertex captures hold the final message instead of its events: stream it as Anthropic does.
    const events = recorded[0]?.type === 'message' ? messageStreamEvents(recorded[0]) : recorded;
    return { kind: 'stream', frames: frameCapturedEvents('anthropic', events), contentType: 'text/event-stream; charset=utf-8' };
  }

  return {
    url: server.url,
    tokenUri: `${server.url}/token`,
    get tokenLifetimeSeconds() {
      return tokenLifetimeSeconds;
    },
    set tokenLifetimeSeconds(seconds: number) {
      tokenLifetimeSeconds = seconds;
    },
    serviceAccount(email, projectId = options.project) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      accounts.set(email, [...(accounts.get(email) ?? []), publicKey]);
      return JSON.stringify({
        type: 'service_account',
        project_id: projectId,
        private_key_id: randomBytes(20).toString('hex'),
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: email,
        client_id: String(100_000_000_000_000_000_000n + BigInt(accounts.size)),
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: `${server.url}/token`,
        universe_domain: 'googleapis.com',
      });
    },
    tokensIssued,
    events,
    refuseTokens(status, error, times = 1) {
      refusals.push({ status, body: error, remaining: times });
    },
    apiRequests: () => server.received.filter((request): request is VertexApiRequest => 'publisher' in request),
    respondWith: (script, times) => server.respondWith(script, times),
    useCase(name) {
      caseName = name;
    },
    reset() {
      server.reset();
      tokensIssued.length = 0;
      refusals.length = 0;
      caseName = 'simpleRequest';
    },
    close: () => server.close(),
  };
}

/** Vertex's error shape (google.rpc.Status), for Gemini and Claude alike. */
export function googleError(status: number, message: string, code?: string): CloudAnswer {
  const body = errorBody('gemini', status, '', message, code) as { error: Record<string, unknown> };
  return { kind: 'json', status, body };
}

/** Claude on Vertex: the model is in the path, the API version in the body; the stream flag matches the method. */
function checkAnthropicBody(request: CloudRequest, method: string): CloudAnswer | undefined {
  const body = request.body;
  const counting = (request as VertexApiRequest).model === 'count-tokens';
  const invalid = (message: string): CloudAnswer => ({ kind: 'json', status: 400, body: errorBody('anthropic', 400, newRequestId('anthropic'), message) });
  if (!body || typeof body !== 'object') return invalid('There was an error parsing the body of your request');
  if (body.anthropic_version !== 'vertex-2023-10-16') return invalid('anthropic_version: vertex-2023-10-16 is required');
  if (counting ? method !== 'rawPredict' || typeof body.model !== 'string' : body.model !== undefined) return invalid(counting ? 'model: Field required' : 'model: Extra inputs are not permitted');
  if (method !== 'rawPredict' && method !== 'streamRawPredict') return googleError(400, `Unknown method ${method}`, 'INVALID_ARGUMENT');
  if (!counting && (body.stream === true) !== (method === 'streamRawPredict')) return invalid('stream must be true exactly for streamRawPredict');
  return undefined;
}

/** Gemini on Vertex: the Gemini API's body; streamed as SSE only with alt=sse. */
function checkGeminiRequest(request: CloudRequest, method: string): CloudAnswer | undefined {
  if (!['generateContent', 'streamGenerateContent', 'countTokens'].includes(method)) return googleError(400, `Unknown method ${method}`, 'INVALID_ARGUMENT');
  if (!request.body || !Array.isArray(request.body.contents)) return googleError(400, 'Invalid JSON payload received. contents is required.', 'INVALID_ARGUMENT');
  if (request.body.generateContentRequest !== undefined) return googleError(400, 'Invalid JSON payload received. Unknown name "generateContentRequest": Cannot find field.', 'INVALID_ARGUMENT');
  return undefined;
}

/** A final Messages answer as the events Anthropic streams it in (https://docs.anthropic.com/en/docs/build-with-claude/streaming). */
export function messageStreamEvents(message: Record<string, any>): unknown[] {
  const { content, stop_reason, stop_sequence, usage, ...envelope } = message;
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = usage;
  const events: unknown[] = [{ type: 'message_start', message: { ...envelope, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }];
  (content as Array<Record<string, any>>).forEach((block, index) => {
    if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
    } else if (block.type === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
    } else if (block.type === 'tool_use') {
      events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    } else {
      events.push({ type: 'content_block_start', index, content_block: block });
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push({ type: 'message_delta', delta: { stop_reason, stop_sequence }, usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } });
  events.push({ type: 'message_stop' });
  return events;
}
