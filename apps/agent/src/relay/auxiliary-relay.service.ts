import { GatewayError, SseReader, UpstreamAnswer, codecFor, formatSse } from '@aigw/providers';
import { estimateInputTokens } from '@aigw/metering';
import { Injectable, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { assertModelAllowed, authenticate, extractApiKey } from './client-auth.util';
import { Exchange, clientRequestIdOf, newExchange } from './exchange';
import { ExchangeRunner } from './exchange-runner.service';
import { ModelListShape, modelListShape, renderModel, renderModelList, visibleModels } from './model-list.util';
import { PolicyStore } from './policy-store';
import { auxiliaryWorstCaseMicros } from './relay-quota.util';
import { RouteContext, assertShallow } from './relay-request.util';
import { waitForDrain } from './relay-stream.util';
import { usageFromOpenAiBody } from './relay-usage.util';
import { wantsRouteDebug } from './route-debug.util';
import { RoutePlanner } from './route-plan';
import { UpstreamDispatcher } from './upstream-dispatcher.service';

/**
 * The endpoints beside chat: model lists, token counting, OpenAI embeddings
 * and legacy completions. Same auth, policy and upstream path as the chat relay.
 */
@Injectable()
export class AuxiliaryRelayService {
  private readonly logger = new Logger(AuxiliaryRelayService.name);

  constructor(
    private readonly policy: PolicyStore,
    private readonly upstream: UpstreamDispatcher,
    private readonly planner: RoutePlanner,
    private readonly runner: ExchangeRunner,
  ) {}

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
      const first = this.planner.plan(policy, caller, chat.model, request.headers, body).candidates[0];
      const exact = await this.upstream.countUpstream(protocol, first, fields, request);
      if (exact !== null) {
        void reply.header('content-type', 'application/json').send(exact);
        return;
      }
      const tokens = estimateInputTokens(chat);
      void reply.send(protocol === 'anthropic' ? { input_tokens: tokens } : { totalTokens: tokens });
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError('internal', 'internal error');
      const { status, body } = client.encodeError(failure);
      void reply.status(status).send(body);
    }
  }

  /**
   * OpenAI's embeddings and legacy completions: forwarded to OpenAI-protocol
   * channels only (no other family has a faithful equivalent yet), metered
   * from the upstream's usage.
   */
  async openAiOnly(kind: 'embeddings' | 'completions', request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const client = codecFor('openai-chat');
    const exchange = newExchange(String(request.id), 'openai-chat', kind, clientRequestIdOf(request.headers));
    await this.runner.run(exchange, client, reply, this.logger, async (signal) => {
      const policy = this.policy.current;
      exchange.caller = authenticate(policy, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
      const body = request.body as Record<string, unknown> | null;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new GatewayError('invalid_request', 'the request body must be a JSON object');
      assertShallow(body);
      if (typeof body.model !== 'string' || !body.model) throw new GatewayError('invalid_request', 'model is required', { param: 'model' });
      const model = body.model;
      const input = kind === 'embeddings' ? 'input' : 'prompt';
      if (body[input] === undefined || body[input] === null) throw new GatewayError('invalid_request', `${input} is required`, { param: input });
      const stream = kind === 'completions' && body.stream === true;
      exchange.stream = stream;
      exchange.request = { model, system: [], messages: [], stream };
      assertModelAllowed(exchange.caller, model);
      exchange.debug = wantsRouteDebug(exchange.caller, request.headers);
      const route = this.planner.plan(policy, exchange.caller, model, request.headers, body);
      await this.runner.admit(exchange, reply, () => auxiliaryWorstCaseMicros(kind, body, policy.model(model), exchange.caller!.groupRatioPpm));
      const answer = await this.upstream.dispatch(
        exchange,
        request,
        route.candidates,
        signal,
        (candidate, upstreamProtocol) =>
          upstreamProtocol === 'openai-chat'
            ? {
                path: `/${kind}`,
                body: {
                  ...body,
                  model: candidate.upstreamModel,
                  ...(stream ? { stream_options: { ...(body.stream_options as object | undefined), include_usage: true } } : {}),
                },
              }
            : null,
        () => new GatewayError('unsupported', `/v1/${kind} is served only by OpenAI-compatible channels, and none serves ${model}`, { param: 'model' }),
        route,
      );
      this.runner.routeHeader(exchange, reply);
      if (stream) await this.pipeOpenAiStream(exchange, answer, reply);
      else {
        const text = await answer.body.text();
        exchange.firstByteAt = performance.now();
        exchange.usage = usageFromOpenAiBody(text);
        await reply.status(200).header('content-type', 'application/json').send(text);
      }
    });
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
}
