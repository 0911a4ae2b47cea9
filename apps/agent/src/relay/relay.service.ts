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
  SseMessage,
  formatSse,
} from '@aigw/providers';
import { estimateInputTokens } from '@aigw/metering';
import { computeCostMicros } from '@aigw/quota';
import { Candidate, orderCandidates } from '@aigw/routing';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Caller, assertModelAllowed, authenticate, extractApiKey } from './client-auth.util';
import { ModelListShape, modelListShape, renderModel, renderModelList, visibleModels } from './model-list.util';
import { PolicyStore } from './policy-store';
import { RouteContext, assertShallow, decodeForRelay } from './relay-request.util';
import { forwardFrame, isUpstreamErrorFrame, isWellFormed, passthroughErrorFrame } from './relay-stream.util';
import { channelFailure, readErrorBody } from './relay-upstream.util';
import { sanitizeEventUsage, sanitizeUsage, usageFromOpenAiBody } from './relay-usage.util';
import { joinUrl, upstreamAuthHeaders, upstreamPath, upstreamProtocolFor } from './upstream-target.util';
import { UsageSink } from './usage-sink';

/** Attempts per request; the routing issue makes this a policy. */
const MAX_ATTEMPTS = 3;

interface Exchange {
  requestId: string;
  protocol: Protocol;
  /** Usage record endpoint: the client protocol, or embeddings / completions. */
  endpoint: string;
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
    const exchange = newExchange(String(request.id), protocol, protocol);
    // The client going away aborts the upstream exchange at once.
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);
    try {
      const policy = this.policy.current;
      exchange.caller = authenticate(policy, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
      assertShallow(request.body);
      const { chat, untranslatable } = decodeForRelay(client, request.body, route);
      exchange.request = chat;
      exchange.stream = chat.stream;
      assertModelAllowed(exchange.caller, chat.model);
      const tiers = policy.tiers(chat.model);
      if (tiers.length === 0) {
        throw new GatewayError('not_found', `The model ${chat.model} does not exist or you do not have access to it.`, { param: 'model' });
      }
      const answer = await this.callUpstream(
        exchange,
        request,
        orderCandidates(tiers),
        abort.signal,
        (candidate, upstreamProtocol) =>
          // A request only the client's own protocol can express goes only to channels that speak it.
          untranslatable && upstreamProtocol !== protocol
            ? null
            : this.upstreamBody(protocol, upstreamProtocol, chat, request.body, candidate.upstreamModel),
        () => untranslatable ?? new GatewayError('not_found', `No provider can serve the model ${chat.model} for this protocol.`, { param: 'model' }),
      );
      if (chat.stream) await this.relayStream(exchange, client, answer, reply);
      else await this.relayJson(exchange, client, answer, reply);
    } catch (error) {
      const failure = error instanceof GatewayError ? error : this.internal(error, exchange);
      exchange.status = failure.status;
      exchange.errorClass = failure.kind;
      if (abort.signal.aborted) exchange.status = 499;
      else if (!reply.raw.headersSent && !reply.sent) {
        const { status, body } = client.encodeError(failure);
        if (failure.options.retryAfterMs !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(failure.options.retryAfterMs / 1000))));
        void reply.status(status).header('content-type', 'application/json').send(body);
      }
    } finally {
      reply.raw.off('close', onClose);
      this.report(exchange);
    }
  }

  /**
   * Anthropic `count_tokens` and Gemini `countTokens`: asked of the upstream
   * when the model's first candidate speaks the same protocol (exact), else
   * estimated with a tokenizer. Free: no usage record.
   */
  async countTokens(protocol: 'anthropic' | 'gemini', request: FastifyRequest, reply: FastifyReply, route: RouteContext = {}): Promise<void> {
    const client = codecFor(protocol);
    try {
      const policy = this.policy.current;
      const caller = authenticate(policy, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
      const raw = request.body;
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new GatewayError('invalid_request', 'the request body must be a JSON object');
      assertShallow(raw);
      const fields = raw as Record<string, unknown>;
      // count_tokens takes a Messages body without max_tokens; Gemini may wrap a generateContentRequest.
      const body = protocol === 'anthropic' ? { ...fields, max_tokens: fields.max_tokens ?? 1 } : (fields.generateContentRequest ?? fields);
      const chat = client.decodeRequest(body, { model: route.model, stream: false });
      assertModelAllowed(caller, chat.model);
      const tiers = policy.tiers(chat.model);
      if (tiers.length === 0) throw new GatewayError('not_found', `The model ${chat.model} does not exist or you do not have access to it.`, { param: 'model' });
      const first = orderCandidates(tiers)[0];
      if (upstreamProtocolFor(first.channel, protocol) === protocol) {
        const exact = await this.countUpstream(protocol, first, fields, request);
        if (exact !== null) {
          void reply.header('content-type', 'application/json').send(exact);
          return;
        }
      }
      const tokens = estimateInputTokens(chat);
      void reply.send(protocol === 'anthropic' ? { input_tokens: tokens } : { totalTokens: tokens });
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError('internal', 'internal error');
      const { status, body } = client.encodeError(failure);
      void reply.status(status).send(body);
    }
  }

  /** The upstream's own count, or null when it cannot answer (then we estimate). */
  private async countUpstream(protocol: 'anthropic' | 'gemini', candidate: Candidate, body: Record<string, unknown>, request: FastifyRequest): Promise<string | null> {
    const path =
      protocol === 'anthropic'
        ? '/v1/messages/count_tokens'
        : `/v1beta/models/${encodeURIComponent(candidate.upstreamModel)}:countTokens`;
    const payload = protocol === 'anthropic' ? { ...body, model: candidate.upstreamModel } : body;
    try {
      const answer = await this.upstream.send({
        poolKey: candidate.channel.id,
        url: joinUrl(candidate.channel.baseUrl, path),
        headers: {
          'content-type': 'application/json',
          ...candidate.channel.headers,
          ...this.forwardedHeaders(protocol, protocol, request),
          ...upstreamAuthHeaders(protocol, candidate.channel.key),
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await answer.body.text();
      return answer.status === 200 ? text : null;
    } catch {
      return null;
    }
  }

  /**
   * OpenAI's embeddings and legacy completions: forwarded to OpenAI-protocol
   * channels only (no other family has a faithful equivalent yet), metered
   * from the upstream's usage.
   */
  async openAiOnly(kind: 'embeddings' | 'completions', request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const client = codecFor('openai-chat');
    const exchange = newExchange(String(request.id), 'openai-chat', kind);
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);
    try {
      const policy = this.policy.current;
      exchange.caller = authenticate(policy, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
      const body = request.body as Record<string, unknown> | null;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('invalid_request', 'the request body must be a JSON object');
      assertShallow(body);
      if (typeof body.model !== 'string' || !body.model) throw new GatewayError('invalid_request', 'model is required', { param: 'model' });
      const input = kind === 'embeddings' ? 'input' : 'prompt';
      if (body[input] === undefined || body[input] === null) throw new GatewayError('invalid_request', `${input} is required`, { param: input });
      const stream = kind === 'completions' && body.stream === true;
      exchange.stream = stream;
      exchange.request = { model: body.model, system: [], messages: [], stream };
      assertModelAllowed(exchange.caller, body.model);
      const tiers = policy.tiers(body.model);
      if (tiers.length === 0) throw new GatewayError('not_found', `The model ${body.model} does not exist or you do not have access to it.`, { param: 'model' });
      const answer = await this.callUpstream(
        exchange,
        request,
        orderCandidates(tiers),
        abort.signal,
        (candidate, upstreamProtocol) =>
          upstreamProtocol === 'openai-chat'
            ? {
                path: `/${kind}`,
                text: JSON.stringify({
                  ...body,
                  model: candidate.upstreamModel,
                  ...(stream ? { stream_options: { ...(body.stream_options as object | undefined), include_usage: true } } : {}),
                }),
              }
            : null,
        () => new GatewayError('unsupported', `/v1/${kind} is served only by OpenAI-compatible channels, and none serves ${body.model}`, { param: 'model' }),
      );
      if (stream) await this.pipeOpenAiStream(exchange, answer, reply);
      else {
        const text = await answer.body.text();
        exchange.firstByteAt = performance.now();
        exchange.usage = usageFromOpenAiBody(text);
        await reply.status(200).header('content-type', 'application/json').send(text);
      }
    } catch (error) {
      const failure = error instanceof GatewayError ? error : this.internal(error, exchange);
      exchange.status = abort.signal.aborted ? 499 : failure.status;
      exchange.errorClass = failure.kind;
      if (!abort.signal.aborted && !reply.raw.headersSent && !reply.sent) {
        const { status, body } = client.encodeError(failure);
        void reply.status(status).header('content-type', 'application/json').send(body);
      }
    } finally {
      reply.raw.off('close', onClose);
      this.report(exchange);
    }
  }

  /** Legacy completions streams: bytes forwarded as they come; usage read from the final chunk. */
  private async pipeOpenAiStream(exchange: Exchange, answer: UpstreamAnswer, reply: FastifyReply): Promise<void> {
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': exchange.requestId });
    const reader = new SseReader();
    try {
      for await (const chunk of answer.body) {
        if (exchange.firstByteAt === null) exchange.firstByteAt = performance.now();
        if (!raw.write(chunk)) await waitForDrain(raw);
        for (const message of reader.push(chunk)) {
          if (message.data.includes('"usage"')) exchange.usage = usageFromOpenAiBody(message.data, exchange.usage);
        }
      }
    } catch {
      exchange.status = 502;
      exchange.errorClass = 'upstream';
      if (!raw.destroyed) raw.write(formatSse({ error: { message: 'the upstream stream failed', type: 'server_error', param: null, code: null } }));
    } finally {
      if (!raw.destroyed) raw.end();
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

  /**
   * Tries candidates in order until one answers below 400. `plan` says what
   * to send to a candidate (null: this candidate cannot serve the request).
   * Retries only retryable failures, and only before any byte reached the client.
   */
  private async callUpstream(
    exchange: Exchange,
    request: FastifyRequest,
    candidates: Candidate[],
    signal: AbortSignal,
    plan: (candidate: Candidate, upstreamProtocol: Protocol) => { path: string; text: string } | null,
    /** Built only when nothing could serve: an Error captures a stack trace, too dear for every request. */
    noCandidate: () => GatewayError,
  ): Promise<UpstreamAnswer> {
    let lastError: GatewayError | null = null;
    for (const candidate of candidates) {
      if (exchange.attempts.length >= MAX_ATTEMPTS) break;
      const upstreamProtocol = upstreamProtocolFor(candidate.channel, exchange.protocol);
      if (!upstreamProtocol) continue;
      const body = plan(candidate, upstreamProtocol);
      if (!body) continue;
      const upstream = codecFor(upstreamProtocol);
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
      const failure = channelFailure(upstream.decodeError(answer.status, await readErrorBody(answer), answer.headers));
      attempt(answer.status, failure.kind);
      if (!failure.retryable) throw failure;
      lastError = failure;
    }
    throw lastError ?? noCandidate();
  }

  /**
   * Same protocol: the client's body with the model swapped (and OpenAI
   * stream usage requested) — nothing the IR might not carry is lost.
   * Otherwise: the canonical request encoded for the upstream.
   */
  private upstreamBody(
    client: Protocol,
    upstreamProtocol: Protocol,
    chat: ChatRequest,
    original: unknown,
    upstreamModel: string,
  ): { path: string; text: string } {
    if (client !== upstreamProtocol) {
      const encoded = codecFor(upstreamProtocol).encodeRequest(chat, upstreamModel);
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
    exchange.firstByteAt = performance.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new GatewayError('upstream', 'the upstream provider answered with malformed JSON', { retryable: false });
    }
    if (exchange.protocol === exchange.upstreamProtocol) {
      // Passthrough: the upstream's bytes go out unchanged. Decoding is only for metering, so an
      // answer beyond the canonical model (a built-in tool's output, say) costs the usage reading,
      // never the answer.
      try {
        exchange.usage = sanitizeUsage(upstream.decodeResponse(parsed).usage);
      } catch {
        exchange.usage = { ...EMPTY_USAGE };
      }
      await reply.status(200).header('content-type', 'application/json').send(text);
      return;
    }
    const decoded = upstream.decodeResponse(parsed);
    const response = { ...decoded, usage: sanitizeUsage(decoded.usage) };
    exchange.usage = response.usage;
    await reply
      .status(200)
      .header('content-type', 'application/json')
      .send(JSON.stringify(client.encodeResponse(response, { model: exchange.request!.model })));
  }

  /**
   * Streams event by event, never buffering the answer. Same protocol: each
   * upstream SSE message is forwarded as it completes (re-framed, content
   * untouched) and decoded on the side for usage; the upstream's own error
   * events are replaced by a scrubbed one, and a malformed or cut stream ends
   * with the protocol's error event. Translated: each decoded event is
   * re-encoded at once.
   */
  private async relayStream(exchange: Exchange, client: ProtocolCodec, answer: UpstreamAnswer, reply: FastifyReply): Promise<void> {
    const upstream = codecFor(exchange.upstreamProtocol!);
    const same = exchange.protocol === exchange.upstreamProtocol;
    const reader = new SseReader();
    const decoder = upstream.createStreamDecoder();
    const encoder = same ? null : client.createStreamEncoder({ model: exchange.request!.model, streamUsage: exchange.request!.streamUsage });
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
      // A slow client: wait, rather than buffer without bound.
      if (!raw.write(text)) await waitForDrain(raw);
    };
    let finished = false;
    let failed = false;
    /** Passthrough only: the side decoder met content it cannot model; keep forwarding, stop metering. */
    let decoderGaveUp = false;
    // Output of one upstream chunk is collected synchronously and written once.
    let out = '';
    const fail = (error: GatewayError) => {
      failed = true;
      exchange.status = error.status;
      exchange.errorClass = error.kind;
      out += encoder ? encoder.encode({ type: 'error', error }) : passthroughErrorFrame(exchange.protocol, error);
    };
    const observe = (events: StreamEvent[]) => {
      for (const event of events) {
        if (failed) return;
        if (event.type === 'error') {
          fail(event.error);
          return;
        }
        const clean = sanitizeEventUsage(event);
        if (clean.type === 'start' && clean.usage) exchange.usage = { ...exchange.usage, ...clean.usage };
        if (clean.type === 'finish') {
          finished = true;
          exchange.usage = clean.usage;
        }
        if (encoder) out += encoder.encode(clean);
      }
    };
    const forward = (message: SseMessage) => {
      if (decoderGaveUp) {
        if (isUpstreamErrorFrame(message)) fail(upstream.decodeError(502, JSON.parse(message.data)));
        else if (!isWellFormed(message)) fail(new GatewayError('upstream', 'the upstream provider sent a malformed stream event'));
        else out += forwardFrame(exchange.protocol, message);
        return;
      }
      const events = decoder.decode(message);
      const error = events.find((event) => event.type === 'error');
      if (error && !isUpstreamErrorFrame(message) && isWellFormed(message)) {
        // Valid in the protocol, beyond the canonical model: the client still gets it unchanged.
        decoderGaveUp = true;
        out += forwardFrame(exchange.protocol, message);
        return;
      }
      if (!error) out += forwardFrame(exchange.protocol, message);
      observe(events);
    };
    const take = (message: SseMessage) => (encoder ? observe(decoder.decode(message)) : forward(message));
    const flush = async () => {
      const text = out;
      out = '';
      await write(text);
    };
    try {
      for await (const chunk of answer.body) {
        for (const message of reader.push(chunk)) {
          take(message);
          if (failed) break;
        }
        await flush();
        if (failed) break;
      }
      if (!failed) {
        for (const message of reader.end()) take(message);
        // The upstream closed cleanly; a stream without its terminal event is still an error.
        if (!failed && !decoderGaveUp) observe(decoder.end());
        await flush();
      }
    } catch (error) {
      if (raw.destroyed) throw new GatewayError('upstream', 'the client closed the stream', { status: 499 });
      const failure = error instanceof GatewayError ? error : new GatewayError('upstream', 'the upstream stream failed', { retryable: false });
      if (!finished && !failed) fail(failure);
      await flush();
    } finally {
      if (failed) answer.body.destroy();
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
    exchange.usage = sanitizeUsage(exchange.usage);
    const cost = model && exchange.status < 400 ? computeCostMicros(exchange.usage, model, exchange.caller.groupRatioPpm) : 0;
    const record: UsageRecord = {
      request_id: exchange.requestId,
      token_id: exchange.caller.token.id,
      user_id: exchange.caller.token.userId,
      group_id: exchange.caller.groupId,
      channel_id: exchange.candidate?.channel.id ?? null,
      model: exchange.request.model,
      upstream_model: exchange.candidate?.upstreamModel ?? null,
      endpoint: exchange.endpoint,
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

/** Resolves when the client can take more, or when it went away (then 'drain' never comes). */
function waitForDrain(raw: NodeJS.WritableStream & { destroyed: boolean }): Promise<unknown> {
  if (raw.destroyed) return Promise.resolve();
  return Promise.race([once(raw as never, 'drain'), once(raw as never, 'close')]);
}

function newExchange(requestId: string, protocol: Protocol, endpoint: string): Exchange {
  return {
    requestId,
    protocol,
    endpoint,
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
}

export type { RouteContext };
