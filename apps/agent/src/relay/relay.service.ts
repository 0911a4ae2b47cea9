import { UsageAttempt, UsageRecord } from '@aigw/contracts';
import {
  ChatRequest,
  EMPTY_USAGE,
  GatewayError,
  Protocol,
  ProtocolCodec,
  SseReader,
  StreamEvent,
  UpstreamAnswer,
  UpstreamClient,
  Usage,
  codecFor,
} from '@aigw/providers';
import { computeCostMicros } from '@aigw/quota';
import { Candidate, orderCandidates } from '@aigw/routing';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Caller, assertModelAllowed, authenticate, extractApiKey } from './client-auth.util';
import { ModelListShape, modelListShape, renderModel, renderModelList, visibleModels } from './model-list.util';
import { PolicyStore } from './policy-store';
import { joinUrl, upstreamAuthHeaders, upstreamPath, upstreamProtocolFor } from './upstream-target.util';
import { UsageSink } from './usage-sink';

/** What the route adds to the body (Gemini puts model and streaming in the URL). */
export interface RouteContext {
  model?: string;
  stream?: boolean;
}

/** Attempts per request; the routing issue makes this a policy. */
const MAX_ATTEMPTS = 3;
/** Upstream error bodies are read up to this size, never more. */
const MAX_ERROR_BODY = 64 * 1024;

interface Exchange {
  requestId: string;
  protocol: Protocol;
  started: number;
  firstByteAt: number | null;
  caller: Caller | null;
  request: ChatRequest | null;
  candidate: Candidate | null;
  upstreamProtocol: Protocol | null;
  attempts: UsageAttempt[];
  usage: Usage;
  status: number;
  errorClass: string | null;
  stream: boolean;
}

/**
 * The relay: authenticate from the in-memory policy, decode the client's
 * protocol into the canonical request, try candidates in priority/weight
 * order (retrying only before any byte reached the client), and answer in the
 * client's protocol — forwarding bytes untouched when client and upstream
 * speak the same protocol, translating event by event otherwise. No database
 * or network call besides the upstream one.
 */
@Injectable()
export class RelayService implements OnApplicationShutdown {
  private readonly logger = new Logger(RelayService.name);
  private readonly upstream = new UpstreamClient();

  constructor(
    private readonly policy: PolicyStore,
    private readonly usage: UsageSink,
  ) {}

  async handle(protocol: Protocol, request: FastifyRequest, reply: FastifyReply, route: RouteContext = {}): Promise<void> {
    const client = codecFor(protocol);
    const exchange: Exchange = {
      requestId: String(request.id),
      protocol,
      started: performance.now(),
      firstByteAt: null,
      caller: null,
      request: null,
      candidate: null,
      upstreamProtocol: null,
      attempts: [],
      usage: { ...EMPTY_USAGE },
      status: 200,
      errorClass: null,
      stream: false,
    };
    // The client going away aborts the upstream exchange at once.
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);
    try {
      const policy = this.policy.current;
      exchange.caller = authenticate(policy, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
      const { chat, untranslatable } = decodeForRelay(client, request.body, route);
      exchange.request = chat;
      exchange.stream = chat.stream;
      assertModelAllowed(exchange.caller, chat.model);
      const tiers = policy.tiers(chat.model);
      if (tiers.length === 0) {
        throw new GatewayError('not_found', `The model ${chat.model} does not exist or you do not have access to it.`, { param: 'model' });
      }
      const answer = await this.callUpstream(exchange, chat, request, orderCandidates(tiers), abort.signal, untranslatable);
      if (chat.stream) await this.relayStream(exchange, client, answer, reply);
      else await this.relayJson(exchange, client, answer, reply);
    } catch (error) {
      const failure = error instanceof GatewayError ? error : this.internal(error, exchange);
      exchange.status = failure.status;
      exchange.errorClass = failure.kind;
      if (abort.signal.aborted) exchange.status = 499;
      else if (!reply.raw.headersSent && !reply.sent) {
        const { status, body } = client.encodeError(failure);
        void reply.status(status).header('content-type', 'application/json').send(body);
      }
    } finally {
      reply.raw.off('close', onClose);
      this.report(exchange);
    }
  }

  /** GET /v1/models and /v1/models/{id}: only what the token may use, in the caller's SDK's shape. */
  listModels(request: FastifyRequest, reply: FastifyReply, id?: string): void {
    const query = request.query as Record<string, unknown>;
    const shape: ModelListShape = modelListShape(request.headers, query, request.url);
    const errorCodec = codecFor(shape === 'openai' ? 'openai-chat' : shape);
    try {
      const policy = this.policy.current;
      const caller = authenticate(policy, extractApiKey(request.headers, query), request.ip);
      const created = (name: string) => policy.model(name)?.createdAt ?? 0;
      const models = visibleModels(policy, caller);
      if (id === undefined) {
        void reply.send(renderModelList(shape, models.map((name) => ({ id: name, created: created(name) }))));
        return;
      }
      const name = id.replace(/^models\//, '');
      if (!models.includes(name)) throw new GatewayError('not_found', `The model ${name} does not exist or you do not have access to it.`, { param: 'model' });
      void reply.send(renderModel(shape, name, created(name)));
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError('internal', 'internal error');
      const { status, body } = errorCodec.encodeError(failure);
      void reply.status(status).send(body);
    }
  }

  onApplicationShutdown(): Promise<void> {
    return this.upstream.close();
  }

  private async callUpstream(
    exchange: Exchange,
    chat: ChatRequest,
    request: FastifyRequest,
    candidates: Candidate[],
    signal: AbortSignal,
    untranslatable: GatewayError | null,
  ): Promise<UpstreamAnswer> {
    let lastError: GatewayError | null = untranslatable;
    for (const candidate of candidates) {
      if (exchange.attempts.length >= MAX_ATTEMPTS) break;
      const upstreamProtocol = upstreamProtocolFor(candidate.channel, exchange.protocol);
      if (!upstreamProtocol) continue;
      // A request only the client's own protocol can express goes only to channels that speak it.
      if (untranslatable && upstreamProtocol !== exchange.protocol) continue;
      const upstream = codecFor(upstreamProtocol);
      // A request the upstream's protocol cannot express is the caller's 400, not an attempt.
      const body = this.upstreamBody(exchange.protocol, upstreamProtocol, upstream, chat, request.body, candidate.upstreamModel);
      const started = performance.now();
      const attempt = (status: number, errorClass?: string) =>
        exchange.attempts.push({
          channel_id: candidate.channel.id,
          status,
          ...(errorClass ? { error_class: errorClass } : {}),
          latency_ms: Math.round(performance.now() - started),
        });
      exchange.candidate = candidate;
      exchange.upstreamProtocol = upstreamProtocol;
      let answer: UpstreamAnswer;
      try {
        answer = await this.upstream.send({
          poolKey: candidate.channel.id,
          url: joinUrl(candidate.channel.baseUrl, body.path),
          headers: {
            'content-type': 'application/json',
            ...candidate.channel.headers,
            ...this.forwardedHeaders(exchange.protocol, upstreamProtocol, request),
            ...upstreamAuthHeaders(upstreamProtocol, candidate.channel.key),
          },
          body: body.text,
          signal,
        });
      } catch (error) {
        const failure = error instanceof GatewayError ? error : new GatewayError('upstream', 'could not reach the upstream provider', { retryable: true });
        attempt(failure.status, failure.kind);
        if (!failure.retryable || signal.aborted) throw failure;
        lastError = failure;
        continue;
      }
      if (answer.status < 400) {
        attempt(answer.status);
        return answer;
      }
      const failure = upstream.decodeError(answer.status, await readErrorBody(answer), answer.headers);
      attempt(answer.status, failure.kind);
      if (!failure.retryable) throw failure;
      lastError = failure;
    }
    throw lastError ?? new GatewayError('not_found', `No provider can serve the model ${chat.model} for this protocol.`, { param: 'model' });
  }

  /**
   * Same protocol: the client's body with the model swapped (and OpenAI
   * stream usage requested) — nothing the IR might not carry is lost.
   * Otherwise: the canonical request encoded for the upstream.
   */
  private upstreamBody(
    client: Protocol,
    upstreamProtocol: Protocol,
    upstream: ProtocolCodec,
    chat: ChatRequest,
    original: unknown,
    upstreamModel: string,
  ): { path: string; text: string } {
    if (client !== upstreamProtocol) {
      const encoded = upstream.encodeRequest(chat, upstreamModel);
      return { path: encoded.path, text: JSON.stringify(encoded.body) };
    }
    const body = { ...(original as Record<string, unknown>) };
    if (upstreamProtocol !== 'gemini') body.model = upstreamModel;
    if (upstreamProtocol === 'openai-chat' && chat.stream) {
      body.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
    }
    return { path: upstreamPath(upstreamProtocol, upstreamModel, chat.stream), text: JSON.stringify(body) };
  }

  /** Client headers that carry protocol features, forwarded only to the same protocol. */
  private forwardedHeaders(client: Protocol, upstreamProtocol: Protocol, request: FastifyRequest): Record<string, string> {
    if (client === 'anthropic' && upstreamProtocol === 'anthropic') {
      const beta = request.headers['anthropic-beta'];
      if (typeof beta === 'string' && /^[A-Za-z0-9,._-]{1,512}$/.test(beta)) return { 'anthropic-beta': beta };
    }
    return {};
  }

  private async relayJson(exchange: Exchange, client: ProtocolCodec, answer: UpstreamAnswer, reply: FastifyReply): Promise<void> {
    const upstream = codecFor(exchange.upstreamProtocol!);
    const text = await answer.body.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new GatewayError('upstream', 'the upstream provider answered with malformed JSON', { retryable: false });
    }
    const response = upstream.decodeResponse(parsed);
    exchange.usage = response.usage;
    exchange.firstByteAt = performance.now();
    const same = exchange.protocol === exchange.upstreamProtocol;
    const out = same ? text : JSON.stringify(client.encodeResponse(response, { model: exchange.request!.model }));
    await reply.status(200).header('content-type', 'application/json').send(out);
  }

  private async relayStream(exchange: Exchange, client: ProtocolCodec, answer: UpstreamAnswer, reply: FastifyReply): Promise<void> {
    const upstream = codecFor(exchange.upstreamProtocol!);
    const same = exchange.protocol === exchange.upstreamProtocol;
    const reader = new SseReader();
    const decoder = upstream.createStreamDecoder();
    const encoder = client.createStreamEncoder({ model: exchange.request!.model, streamUsage: exchange.request!.streamUsage });
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': exchange.requestId,
    });
    const write = async (text: string) => {
      if (!text || raw.destroyed) return;
      if (exchange.firstByteAt === null) exchange.firstByteAt = performance.now();
      if (!raw.write(text)) await once(raw, 'drain');
    };
    let finished = false;
    const observe = async (events: StreamEvent[]) => {
      for (const event of events) {
        if (event.type === 'start' && event.usage) exchange.usage = { ...exchange.usage, ...event.usage };
        if (event.type === 'finish') {
          finished = true;
          exchange.usage = event.usage;
        }
        if (event.type === 'error') {
          exchange.status = event.error.status;
          exchange.errorClass = event.error.kind;
          // Same protocol: the upstream's own bytes were forwarded, but a cut stream still needs the error event.
          if (same) await write(encoder.encode(event));
        }
        if (!same) await write(encoder.encode(event));
      }
    };
    try {
      for await (const chunk of answer.body) {
        if (same) await write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        for (const message of reader.push(chunk)) await observe(decoder.decode(message));
      }
      for (const message of reader.end()) await observe(decoder.decode(message));
      await observe(decoder.end());
    } catch (error) {
      if (raw.destroyed) throw new GatewayError('upstream', 'the client closed the stream', { status: 499 });
      const failure = error instanceof GatewayError ? error : new GatewayError('upstream', 'the upstream stream failed', { retryable: false });
      if (!finished) await observe([{ type: 'error', error: failure }]);
    } finally {
      if (!raw.destroyed) raw.end();
    }
  }

  private internal(error: unknown, exchange: Exchange): GatewayError {
    this.logger.error({ msg: 'relay failed', requestId: exchange.requestId, error: (error as Error)?.message, stack: (error as Error)?.stack });
    return new GatewayError('internal', 'internal error');
  }

  private report(exchange: Exchange): void {
    if (!exchange.caller || !exchange.request) return;
    const policy = this.policy.current;
    const model = policy.model(exchange.request.model);
    const cost = model && exchange.status < 400 ? computeCostMicros(exchange.usage, model, exchange.caller.groupRatioPpm) : 0;
    const record: UsageRecord = {
      request_id: exchange.requestId,
      token_id: exchange.caller.token.id,
      user_id: exchange.caller.token.userId,
      group_id: exchange.caller.groupId,
      channel_id: exchange.candidate?.channel.id ?? null,
      model: exchange.request.model,
      upstream_model: exchange.candidate?.upstreamModel ?? null,
      endpoint: exchange.protocol,
      prompt_tokens: exchange.usage.inputTokens,
      completion_tokens: exchange.usage.outputTokens,
      cached_tokens: exchange.usage.cachedInputTokens,
      cache_write_tokens: exchange.usage.cacheWriteInputTokens,
      reasoning_tokens: exchange.usage.reasoningTokens,
      cost_micros: cost,
      latency_ms: Math.round(performance.now() - exchange.started),
      first_token_ms: exchange.firstByteAt === null ? null : Math.round(exchange.firstByteAt - exchange.started),
      status: exchange.status,
      stream: exchange.stream,
      error_class: exchange.errorClass,
      attempts: exchange.attempts,
      created_at: new Date().toISOString(),
    };
    try {
      this.usage.record(record);
    } catch (error) {
      this.logger.error({ msg: 'usage sink failed', requestId: exchange.requestId, error: (error as Error).message });
    }
  }
}

/**
 * Decodes the client body. A request valid in its protocol but beyond the
 * canonical model (a provider's built-in tools, say) can still be forwarded
 * untouched to a channel of the same protocol: then only model and stream are
 * read, and the untranslatable error is kept for the other channels.
 */
function decodeForRelay(
  client: ProtocolCodec,
  body: unknown,
  route: RouteContext,
): { chat: ChatRequest; untranslatable: GatewayError | null } {
  try {
    return { chat: client.decodeRequest(body, route), untranslatable: null };
  } catch (error) {
    if (!(error instanceof GatewayError) || error.kind !== 'unsupported') throw error;
    const fields = (body ?? {}) as Record<string, unknown>;
    const model = route.model ?? fields.model;
    if (typeof model !== 'string' || model.length === 0) throw error;
    const stream = route.stream ?? fields.stream === true;
    const streamOptions = fields.stream_options as { include_usage?: unknown } | undefined;
    return {
      chat: { model, system: [], messages: [], stream, streamUsage: streamOptions?.include_usage === true },
      untranslatable: error,
    };
  }
}

async function readErrorBody(answer: UpstreamAnswer): Promise<unknown> {
  let text = '';
  try {
    for await (const chunk of answer.body) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.length > MAX_ERROR_BODY) {
        answer.body.destroy();
        break;
      }
    }
  } catch {
    // a broken error body is still an error: classify by status
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
