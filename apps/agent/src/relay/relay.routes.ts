import { GatewayError } from '@aigw/providers';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { AuxiliaryRelayService } from './auxiliary-relay.service';
import { MediaRelayService } from './media/media-relay.service';
import { PolicyStore } from './policy-store';
import { relayErrorResponse } from './relay-error.util';
import { RelayService } from './relay.service';
import { TokenSelfService } from './token-self.service';
import { UsageSink } from './usage-sink';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
const GEMINI_TARGET = /^(.+):(generateContent|streamGenerateContent|countTokens)$/;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void> | void;

/**
 * The client surfaces: OpenAI Chat and Responses, Anthropic Messages, Gemini
 * generateContent, the model lists, and OpenAI's images, audio and
 * moderations and rerank (media/). Registered as plain Fastify routes,
 * outside Nest's guard/interceptor/pipe chain: the relay authenticates gateway
 * API tokens itself (in the client protocol's error shape) and that chain
 * cost about a tenth of the relay's CPU per request (see docs/benchmarks.md).
 * The admin API's AccessGuard never sees these routes; test/e2e/access-table.ts
 * lists them as `api-token`. Query strings (Claude Code's `?beta=true`,
 * Gemini's `?alt=sse&key=`) never affect routing.
 */
@Injectable()
export class RelayRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly relay: RelayService,
    private readonly auxiliary: AuxiliaryRelayService,
    private readonly media: MediaRelayService,
    private readonly self: TokenSelfService,
    private readonly policy: PolicyStore,
    private readonly usage: UsageSink,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const post = (url: string, handler: Handler) => fastify.route({ method: 'POST', url, handler: this.gated(handler), errorHandler: answerParserError });
    const get = (url: string, handler: Handler) => fastify.route({ method: 'GET', url, handler: this.gated(handler), errorHandler: answerParserError });
    const param = (request: FastifyRequest, name: string) => {
      const value = (request.params as Record<string, string>)[name];
      if (CONTROL_CHARACTER.test(value)) throw new GatewayError('invalid_request', `the ${name === 'id' ? 'model id' : 'model'} in the path contains a control character`);
      return value;
    };

    post('/v1/chat/completions', (request, reply) => this.relay.handle('openai-chat', request, reply));
    post('/v1/responses', (request, reply) => this.relay.handle('openai-responses', request, reply));
    post('/v1/messages', (request, reply) => this.relay.handle('anthropic', request, reply));
    post('/v1/messages/count_tokens', (request, reply) => this.auxiliary.countTokens('anthropic', request, reply));
    post('/v1/embeddings', (request, reply) => this.auxiliary.openAiOnly('embeddings', request, reply));
    post('/v1/completions', (request, reply) => this.auxiliary.openAiOnly('completions', request, reply));
    post('/v1/images/generations', (request, reply) => this.media.images('images/generations', request, reply));
    post('/v1/audio/speech', (request, reply) => this.media.speech(request, reply));
    post('/v1/moderations', (request, reply) => this.media.moderations(request, reply));
    post('/v1/rerank', (request, reply) => this.media.rerank(request, reply));
    // Multipart uploads: the parser is registered in this scope only, so every other route still refuses multipart bodies.
    void fastify.register(async (uploads) => {
      await uploads.register(multipart);
      const upload = (url: string, handler: Handler) => uploads.route({ method: 'POST', url, handler: this.gated(handler), errorHandler: answerParserError });
      upload('/v1/images/edits', (request, reply) => this.media.images('images/edits', request, reply));
      upload('/v1/audio/transcriptions', (request, reply) => this.media.transcription('audio/transcriptions', request, reply));
      upload('/v1/audio/translations', (request, reply) => this.media.transcription('audio/translations', request, reply));
    });
    // `@google/genai` uses /v1beta/models/{model}:generateContent; some clients /v1/models/…
    post('/v1beta/models/:target', (request, reply) => this.gemini(param(request, 'target'), request, reply));
    post('/v1/models/:target', (request, reply) => this.gemini(param(request, 'target'), request, reply));
    get('/v1/models', (request, reply) => this.auxiliary.listModels(request, reply));
    get('/v1/models/:id', (request, reply) => this.auxiliary.listModels(request, reply, param(request, 'id')));
    get('/v1beta/models', (request, reply) => this.auxiliary.listModels(request, reply));
    get('/v1beta/models/:id', (request, reply) => this.auxiliary.listModels(request, reply, param(request, 'id')));
    // Self-service for the calling key (chat front-ends' billing panels).
    get('/v1/dashboard/billing/subscription', (request, reply) => this.self.billing('subscription', request, reply));
    get('/v1/dashboard/billing/usage', (request, reply) => this.self.billing('usage', request, reply));
    get('/api/tokens/self', (request, reply) => this.self.self(request, reply));
  }

  /** Nothing is served without a policy, by a revoked agent, or when usage could not be metered (a full spool). */
  private gated(handler: Handler): Handler {
    return (request, reply) => {
      const reason = this.policy.unavailable ?? this.usage.refusal();
      if (reason === null) return handler(request, reply);
      const answer = relayErrorResponse(request.url, new GatewayError('overloaded', reason, { status: 503 }))!;
      void reply.status(answer.status).header('retry-after', '5').header('content-type', 'application/json').send(JSON.stringify(answer.body));
    };
  }

  private gemini(target: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const match = GEMINI_TARGET.exec(target);
    if (match?.[2] === 'countTokens') return this.auxiliary.countTokens('gemini', request, reply, { model: match[1] });
    return this.relay.handle('gemini', request, reply, {
      model: match?.[1] ?? target,
      stream: match?.[2] === 'streamGenerateContent',
    });
  }
}

/** Errors before the handler runs (malformed JSON, a body over the limit, a wrong content type), in the client protocol's shape. */
function answerParserError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const answer = relayErrorResponse(request.url, error) ?? { status: 500, body: { error: { message: 'internal error' } } };
  if (answer.status >= 500) request.log.error({ err: error, requestId: request.id }, 'relay route failed');
  void reply.status(answer.status).header('content-type', 'application/json').send(JSON.stringify(answer.body));
}
