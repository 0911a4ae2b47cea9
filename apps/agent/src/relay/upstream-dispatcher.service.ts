import { GatewayError, Protocol, UpstreamAnswer, UpstreamClient, codecFor } from '@aigw/providers';
import { Candidate } from '@aigw/routing';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { Exchange } from './exchange';
import { channelFailure, readErrorBody } from './relay-upstream.util';
import { joinUrl, upstreamAuthHeaders, upstreamProtocolFor } from './upstream-target.util';

/** Attempts per request; the routing issue makes this a policy. */
const MAX_ATTEMPTS = 3;

/** A request body for one candidate: path below its base URL and the JSON text. */
export interface UpstreamPlan {
  path: string;
  text: string;
}

/**
 * Sends a request to the upstream: tries candidates in order with the
 * channel's credentials and headers (never the client's), records each
 * attempt on the exchange, and owns the keep-alive pools.
 */
@Injectable()
export class UpstreamDispatcher implements OnApplicationShutdown {
  private readonly client = new UpstreamClient();

  /**
   * Tries candidates in order until one answers below 400. `plan` says what
   * to send to a candidate (null: this candidate cannot serve the request).
   * Retries only retryable failures, and only before any byte reached the client.
   */
  async dispatch(
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
        answer = await this.client.send({
          poolKey: candidate.channel.id,
          url: joinUrl(candidate.channel.baseUrl, body.path),
          headers: {
            'content-type': 'application/json',
            ...candidate.channel.headers,
            ...forwardedHeaders(exchange.protocol, upstreamProtocol, request),
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

  /** The upstream's own count, or null when it cannot answer (then we estimate). */
  async countUpstream(protocol: 'anthropic' | 'gemini', candidate: Candidate, body: Record<string, unknown>, request: FastifyRequest): Promise<string | null> {
    const path =
      protocol === 'anthropic'
        ? '/v1/messages/count_tokens'
        : `/v1beta/models/${encodeURIComponent(candidate.upstreamModel)}:countTokens`;
    const payload = protocol === 'anthropic' ? { ...body, model: candidate.upstreamModel } : body;
    try {
      const answer = await this.client.send({
        poolKey: candidate.channel.id,
        url: joinUrl(candidate.channel.baseUrl, path),
        headers: {
          'content-type': 'application/json',
          ...candidate.channel.headers,
          ...forwardedHeaders(protocol, protocol, request),
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

  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }
}

/** Client headers that carry protocol features, forwarded only to the same protocol. */
function forwardedHeaders(client: Protocol, upstreamProtocol: Protocol, request: FastifyRequest): Record<string, string> {
  if (client === 'anthropic' && upstreamProtocol === 'anthropic') {
    const beta = request.headers['anthropic-beta'];
    if (typeof beta === 'string' && /^[A-Za-z0-9,._-]{1,512}$/.test(beta)) return { 'anthropic-beta': beta };
  }
  return {};
}
