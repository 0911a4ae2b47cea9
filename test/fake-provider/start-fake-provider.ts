import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerFromCapture, captureCaseExists } from './capture-answers';
import {
  checkAuth,
  countTokensAnswer,
  errorBody,
  type HttpAnswer,
  invalidJsonAnswer,
  jsonContentType,
  listModelsAnswer,
  matchRoute,
  newRequestId,
  protocolHeaders,
  serializeJson,
  streamContentType,
  completionsAnswer,
  embeddingsAnswer,
} from './protocols';
import { requestSchemaName, validateRequestBody } from './request-schemas';
import { frameEvent } from './stream-frames';
import type { FakeProvider, FakeProviderKeys, FakeProviderOptions, FakeResponse, ReceivedRequest, RespondWithOptions, StreamTiming } from './types';
import { readBody } from './read-body';

const DEFAULT_KEYS: FakeProviderKeys = { openai: 'sk-fake-openai-key', anthropic: 'sk-ant-fake-anthropic-key', gemini: 'AIzaFakeGeminiKey' };

interface ScriptedAnswer {
  response: FakeResponse | ((request: ReceivedRequest) => FakeResponse);
  options: RespondWithOptions;
  remaining: number;
}

/** What the fake writes, once a FakeResponse has been resolved against the request. */
type Plan =
  | { kind: 'json'; answer: HttpAnswer; delayMs?: number }
  | { kind: 'stream'; status: number; frames: string[]; timing: StreamTiming; headers?: Record<string, string>; contentType: string }
  | { kind: 'hang' };

/** One request/response pair while it is open. */
interface Exchange {
  request: ReceivedRequest;
  requestId: string;
  response: ServerResponse;
  /** Aborted when the response closes, for whatever reason; stops timers and writes. */
  closed: AbortController;
  /** The fake cut the connection itself (disconnectAfter, close()), so the client did not abort. */
  cutByServer: boolean;
}

/**
 * Starts the fake upstream: OpenAI Chat/Responses, Anthropic Messages and Gemini generateContent
 * on one node:http server, answering from real captures unless a test scripts otherwise.
 */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const keys: FakeProviderKeys = { ...DEFAULT_KEYS, ...options.keys };
  const received: ReceivedRequest[] = [];
  const scripted: ScriptedAnswer[] = [];
  const waiters: Array<(request: ReceivedRequest) => void> = [];
  const open = new Set<Exchange>();
  let cursor = 0;

  function record(request: ReceivedRequest): void {
    received.push(request);
    while (waiters.length > 0 && cursor < received.length) waiters.shift()!(received[cursor++]);
  }

  function takeScripted(request: ReceivedRequest): FakeResponse | undefined {
    const index = scripted.findIndex(
      (entry) => (entry.options.protocol ?? request.protocol) === request.protocol && (entry.options.endpoint ?? 'generate') === request.endpoint,
    );
    if (index < 0) return undefined;
    const entry = scripted[index];
    if (--entry.remaining <= 0) scripted.splice(index, 1);
    return typeof entry.response === 'function' ? entry.response(request) : entry.response;
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://fake-provider');
    const query = Object.fromEntries(url.searchParams);
    const method = incoming.method ?? 'GET';
    const rawBody = await readBody(incoming);
    const route = matchRoute(method, url.pathname, incoming.headers, query);
    if (!route) return writeUnknownRoute(response, method, url.pathname);

    let body: any;
    let parseError: string | undefined;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        parseError = (error as Error).message;
      }
    }
    const beta = query.beta === 'true' || incoming.headers['anthropic-beta'] !== undefined;
    const schemaErrors =
      route.endpoint === 'list-models'
        ? []
        : parseError !== undefined
          ? [`/ body is not valid JSON: ${parseError}`]
          : validateRequestBody(requestSchemaName(route.protocol, route.endpoint, beta), body);

    let resolveAborted!: (aborted: boolean) => void;
    const request: ReceivedRequest = {
      protocol: route.protocol,
      endpoint: route.endpoint,
      method,
      path: url.pathname,
      query,
      headers: { ...incoming.headers },
      body,
      rawBody,
      stream: route.protocol === 'gemini' ? route.pathStream === true : body?.stream === true,
      model: route.pathModel ?? (typeof body?.model === 'string' ? body.model : ''),
      schemaErrors,
      aborted: new Promise<boolean>((resolve) => (resolveAborted = resolve)),
    };
    const exchange: Exchange = { request, requestId: newRequestId(route.protocol), response, closed: new AbortController(), cutByServer: false };
    open.add(exchange);
    response.on('finish', () => resolveAborted(false));
    response.on('close', () => {
      resolveAborted(!response.writableFinished && !exchange.cutByServer);
      exchange.closed.abort();
      open.delete(exchange);
    });
    record(request);

    const refusal =
      checkAuth(route.protocol, incoming.headers, query, keys, exchange.requestId) ??
      (parseError !== undefined ? invalidJsonAnswer(route.protocol, exchange.requestId, parseError) : undefined) ??
      (options.rejectInvalidBodies && schemaErrors.length > 0
        ? { status: 400, body: errorBody(route.protocol, 400, exchange.requestId, `Invalid request body: ${schemaErrors.join('; ')}`) }
        : undefined);
    if (refusal) return writeJson(exchange, refusal);

    let plan: Plan;
    try {
      plan = planResponse(exchange, takeScripted(request));
    } catch (error) {
      return writeJson(exchange, { status: 500, body: errorBody(route.protocol, 500, exchange.requestId, (error as Error).message) });
    }
    if (plan.kind === 'json') {
      if (plan.delayMs) await delay(plan.delayMs, exchange.closed.signal);
      if (!exchange.closed.signal.aborted) writeJson(exchange, plan.answer);
      return;
    }
    if (plan.kind === 'stream') return writeStream(exchange, plan);
    // hang: keep the exchange open until the client gives up or close() cuts it.
  }

  const server: Server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`fake-provider: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrls: { openai: `${url}/v1`, anthropic: url, gemini: url },
    keys,
    received,
    respondWith(response, respondOptions = {}) {
      const times = respondOptions.times ?? 1;
      if (!(times > 0)) throw new Error(`fake-provider: times must be > 0, got ${times}`);
      if (typeof response !== 'function' && response.kind === 'fixture' && !captureCaseExists(response.case)) {
        throw new Error(`fake-provider: no capture case ${response.case}`);
      }
      scripted.push({ response, options: respondOptions, remaining: times });
    },
    nextRequest() {
      if (cursor < received.length) return Promise.resolve(received[cursor++]);
      return new Promise<ReceivedRequest>((resolve) => waiters.push(resolve));
    },
    reset() {
      received.length = 0;
      scripted.length = 0;
      cursor = 0;
    },
    async close() {
      for (const exchange of open) exchange.cutByServer = true;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function planResponse(exchange: Exchange, scripted: FakeResponse | undefined): Plan {
  const { request, requestId } = exchange;
  const protocol = request.protocol;
  if (!scripted) {
    if (request.endpoint === 'count-tokens') return { kind: 'json', answer: countTokensAnswer(protocol, request.body) };
    if (request.endpoint === 'list-models') return { kind: 'json', answer: listModelsAnswer(protocol) };
    if (request.endpoint === 'embeddings') return { kind: 'json', answer: embeddingsAnswer(request.body) };
    if (request.endpoint === 'completions') {
      const answer = completionsAnswer(request.body);
      return request.stream
        ? { kind: 'stream', status: 200, frames: answer.frames, timing: {}, contentType: streamContentType(protocol) }
        : { kind: 'json', answer: answer.json };
    }
    scripted = { kind: 'fixture', case: 'simpleRequest' };
  }
  switch (scripted.kind) {
    case 'fixture': {
      const answer = answerFromCapture(scripted.case, scripted.followup === true, request, requestId);
      // A JSON capture honours the wait before the first byte too (slow upstreams for routing tests).
      if (answer.kind === 'json') return { kind: 'json', answer, delayMs: scripted.delayFirstByteMs };
      const contentType = answer.contentType === 'json' ? jsonContentType(protocol) : streamContentType(protocol);
      return { kind: 'stream', status: 200, frames: answer.frames, timing: scripted, contentType };
    }
    case 'json':
      return { kind: 'json', answer: { status: scripted.status ?? 200, body: scripted.body, headers: scripted.headers }, delayMs: scripted.delayMs };
    case 'error': {
      const body = errorBody(protocol, scripted.status, requestId, scripted.message, scripted.type);
      return { kind: 'json', answer: { status: scripted.status, body, headers: scripted.headers }, delayMs: scripted.delayMs };
    }
    case 'sse': {
      const frames = scripted.raw !== undefined ? [scripted.raw] : scripted.events.map((event) => frameEvent(protocol, event.data, event.event));
      return { kind: 'stream', status: scripted.status ?? 200, frames, timing: scripted, headers: scripted.headers, contentType: streamContentType(protocol) };
    }
    case 'hang':
      return { kind: 'hang' };
  }
}

function writeJson(exchange: Exchange, answer: HttpAnswer): void {
  const { response, request, requestId } = exchange;
  const text = serializeJson(request.protocol, answer.body);
  response.writeHead(answer.status, {
    ...protocolHeaders(request.protocol, requestId),
    'content-type': jsonContentType(request.protocol),
    'content-length': String(Buffer.byteLength(text)),
    ...answer.headers,
  });
  response.end(text);
}

async function writeStream(exchange: Exchange, plan: Extract<Plan, { kind: 'stream' }>): Promise<void> {
  const { response, request, requestId, closed } = exchange;
  const { delayFirstByteMs = 0, delayBetweenMs = 0, disconnectAfter } = plan.timing;
  if (delayFirstByteMs > 0) await delay(delayFirstByteMs, closed.signal);
  if (closed.signal.aborted) return;
  response.writeHead(plan.status, {
    ...protocolHeaders(request.protocol, requestId),
    'content-type': plan.contentType,
    'cache-control': 'no-cache',
    ...plan.headers,
  });
  response.flushHeaders();
  if (disconnectAfter === 0) return cut(exchange);
  for (let index = 0; index < plan.frames.length; index++) {
    if (index > 0 && delayBetweenMs > 0) await delay(delayBetweenMs, closed.signal);
    if (closed.signal.aborted) return;
    await new Promise<void>((resolve) => response.write(plan.frames[index], () => resolve()));
    if (disconnectAfter !== undefined && index + 1 >= disconnectAfter) return cut(exchange);
  }
  response.end();
}

/** Mid-stream death: drop the connection without the terminating chunk. */
function cut(exchange: Exchange): void {
  exchange.cutByServer = true;
  exchange.response.socket?.destroy();
}

/** Resolves after ms, or as soon as the signal aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** OpenAI answers an unknown URL with `Invalid URL (METHOD /path)`; Google with 404 NOT_FOUND. */
function writeUnknownRoute(response: ServerResponse, method: string, path: string): void {
  const body = path.startsWith('/v1beta')
    ? { error: { code: 404, message: `Method not found: ${method} ${path}`, status: 'NOT_FOUND' } }
    : { error: { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', param: null, code: null } };
  const text = JSON.stringify(body, null, 2);
  response.writeHead(404, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  response.end(text);
}
