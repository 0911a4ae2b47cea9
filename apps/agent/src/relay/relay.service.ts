import {
  ChatRequest,
  EMPTY_USAGE,
  GatewayError,
  HostResolver,
  Protocol,
  ProtocolCodec,
  SseMessage,
  SseReader,
  StreamEvent,
  UpstreamAnswer,
  UpstreamProtocol,
  codecFor,
  upstreamCodecFor,
} from '@aigw/providers';
import { AppConfig } from '@aigw/config';
import { Candidate } from '@aigw/routing';
import { Injectable, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { assertModelAllowed, authenticate, extractApiKey } from './client-auth.util';
import { Exchange, clientRequestIdOf, newExchange } from './exchange';
import { ExchangeRunner } from './exchange-runner.service';
import { PolicyStore } from './policy-store';
import { chatWorstCaseMicros } from './relay-quota.util';
import { RouteContext, assertShallow, decodeForRelay } from './relay-request.util';
import { forwardFrame, isUpstreamErrorFrame, isWellFormed, passthroughErrorFrame, waitForDrain } from './relay-stream.util';
import { sanitizeEventUsage, sanitizeUsage } from './relay-usage.util';
import { wantsRouteDebug } from './route-debug.util';
import { RoutePlanner } from './route-plan';
import { adaptorFor } from './adaptors';
import { hasRemoteImages, inlineRemoteImages } from './inline-media.util';
import { UpstreamDispatcher, UpstreamPlan } from './upstream-dispatcher.service';
import { upstreamPath } from './upstream-target.util';

export type { RouteContext };

/**
 * The relay: authenticate from the in-memory policy, decode the client's
 * protocol into the canonical request, try candidates in priority/weight
 * order (retrying only before any byte reached the client), and answer in the
 * client's protocol — forwarding bytes untouched when client and upstream
 * speak the same protocol, translating event by event otherwise. No database
 * or network call besides the upstream one.
 */
@Injectable()
export class RelayService {
  private readonly logger = new Logger(RelayService.name);

  constructor(
    private readonly policy: PolicyStore,
    private readonly upstream: UpstreamDispatcher,
    private readonly planner: RoutePlanner,
    private readonly runner: ExchangeRunner,
    private readonly config: AppConfig,
    private readonly resolver: HostResolver,
  ) {}

  async handle(protocol: Protocol, request: FastifyRequest, reply: FastifyReply, route: RouteContext = {}): Promise<void> {
    const client = codecFor(protocol);
    const exchange = newExchange(String(request.id), protocol, protocol, clientRequestIdOf(request.headers));
    await this.runner.run(exchange, client, reply, this.logger, async (signal) => {
      const policy = this.policy.current;
      exchange.caller = authenticate(policy, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
      assertShallow(request.body);
      const { chat, untranslatable } = decodeForRelay(client, request.body, route);
      exchange.request = chat;
      exchange.stream = chat.stream;
      assertModelAllowed(exchange.caller, chat.model);
      exchange.debug = wantsRouteDebug(exchange.caller, request.headers);
      const planned = this.planner.plan(policy, exchange.caller, chat.model, request.headers, request.body);
      // Nothing is forwarded unless its worst case fits the token's quota and the owner's balance.
      await this.runner.admit(exchange, reply, () =>
        chatWorstCaseMicros(chat, policy.model(chat.model), exchange.caller!.groupRatioPpm, untranslatable ? request.body : undefined),
      );
      const inline = await this.inlineForCandidates(chat, protocol, planned.candidates, signal);
      const answer = await this.upstream.dispatch(
        exchange,
        request,
        planned.candidates,
        signal,
        (candidate, upstreamProtocol) => {
          // A request only the client's own protocol can express goes only to channels that speak it.
          if (untranslatable && upstreamProtocol !== protocol) return null;
          if (!inline || !upstreamCodecFor(upstreamProtocol).imagesInlineOnly) return this.upstreamBody(protocol, upstreamProtocol, chat, request.body, candidate.upstreamModel);
          // A provider that takes images only inline: the fetched copy, or the next candidate when fetching failed.
          return inline.chat ? this.upstreamBody(protocol, upstreamProtocol, inline.chat, request.body, candidate.upstreamModel) : null;
        },
        () =>
          untranslatable ?? inline?.error ?? new GatewayError('not_found', `No provider can serve the model ${chat.model} for this protocol.`, { param: 'model' }),
        planned,
      );
      this.runner.routeHeader(exchange, reply);
      if (chat.stream) await this.relayStream(exchange, client, answer, reply);
      else await this.relayJson(exchange, client, answer, reply);
    });
  }

  /**
   * Images given by URL, for candidates whose provider takes images only
   * inline (Bedrock Converse): fetched once, before the first attempt, when
   * such a candidate is planned and the request has URL images (null
   * otherwise: nothing to do, the common case). A fetch that fails or is not
   * allowed (media.fetch_image_urls) is remembered: those candidates are
   * skipped and the error is the answer when no other candidate serves.
   */
  private async inlineForCandidates(
    chat: ChatRequest,
    client: Protocol,
    candidates: Candidate[],
    signal: AbortSignal,
  ): Promise<{ chat: ChatRequest | null; error: GatewayError | null } | null> {
    const needs = candidates.some((candidate) => {
      const channel = candidate.channel;
      const protocol = adaptorFor(channel.type)?.protocolFor(channel, client, candidate.upstreamModel);
      return !!protocol && upstreamCodecFor(protocol).imagesInlineOnly === true;
    });
    if (!needs || !hasRemoteImages(chat)) return null;
    try {
      return { chat: await inlineRemoteImages(chat, this.config.media, this.resolver, signal), error: null };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      return { chat: null, error };
    }
  }

  /**
   * Same protocol: the client's body with the model swapped (and OpenAI
   * stream usage requested) — nothing the IR might not carry is lost.
   * Otherwise: the canonical request encoded for the upstream.
   */
  private upstreamBody(
    client: Protocol,
    upstreamProtocol: UpstreamProtocol,
    chat: ChatRequest,
    original: unknown,
    upstreamModel: string,
  ): UpstreamPlan {
    if (client !== upstreamProtocol) {
      const encoded = upstreamCodecFor(upstreamProtocol).encodeRequest(chat, upstreamModel);
      return { path: encoded.path, body: encoded.body as Record<string, unknown> };
    }
    const body = { ...(original as Record<string, unknown>) };
    if (upstreamProtocol !== 'gemini') body.model = upstreamModel;
    if (upstreamProtocol === 'openai-chat' && chat.stream) {
      body.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
    }
    return { path: upstreamPath(client, upstreamModel, chat.stream), body };
  }

  private async relayJson(exchange: Exchange, client: ProtocolCodec, answer: UpstreamAnswer, reply: FastifyReply): Promise<void> {
    const upstream = upstreamCodecFor(exchange.upstreamProtocol!);
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
      // never the answer. (The usage reporter clamps the counts before pricing.)
      try {
        exchange.usage = upstream.decodeResponse(parsed).usage;
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
    const upstream = upstreamCodecFor(exchange.upstreamProtocol!);
    const same = exchange.protocol === exchange.upstreamProtocol;
    const channel = exchange.candidate!.channel;
    const reader = adaptorFor(channel.type)?.frames?.(channel, exchange.upstreamProtocol!) ?? new SseReader();
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
        noteDelivered(exchange, event);
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
}

/** Enough text to estimate what an aborted or usage-less stream delivered; beyond it the estimate is a lower bound. */
const MAX_DELIVERED_CHARS = 1_000_000;

function noteDelivered(exchange: Exchange, event: StreamEvent): void {
  if (exchange.delivered.length >= MAX_DELIVERED_CHARS) return;
  if (event.type === 'text-delta') exchange.delivered += event.text;
  else if (event.type === 'reasoning-delta' && event.text) exchange.delivered += event.text;
  else if (event.type === 'tool-call-delta') exchange.delivered += event.argumentsDelta;
  else if (event.type === 'tool-call-start') exchange.delivered += event.name;
}
