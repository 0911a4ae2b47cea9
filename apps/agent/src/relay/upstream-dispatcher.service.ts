import { GatewayError, HostResolver, Protocol, UpstreamAnswer, UpstreamClient, UpstreamProtocol, UpstreamTimeouts, guardedFetch, upstreamCodecFor } from '@aigw/providers';
import { AppConfig } from '@aigw/config';
import { ChannelSettings, PolicyChannel } from '@aigw/contracts';
import { Candidate, CircuitBreaker } from '@aigw/routing';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { FormData } from 'undici';
import { ChannelHealth, ChannelHealthRegistry } from './channel-health';
import { Exchange } from './exchange';
import { RouteSettings } from './route-plan';
import { channelFailure, readErrorBody } from './relay-upstream.util';
import { adaptorFor } from './adaptors';
import { googleAccessTokens } from './adaptors/google-access-tokens';

/** The outcome of a channel probe, as the admin API answers it. */
export interface ChannelProbeResult {
  ok: boolean;
  /** The upstream's HTTP status; null when it could not be reached. */
  status: number | null;
  latency_ms: number;
  /** The error class (authentication, rate_limit, timeout, …) when not ok. */
  error?: string;
  /** Ours, never the upstream's body. */
  message?: string;
}

/** A request for one candidate: path below its base URL (the provider's own API) and the JSON body. */
export interface UpstreamPlan {
  path: string;
  body: Record<string, unknown>;
  /**
   * A multipart upload (audio transcriptions, image edits): sent instead of
   * the JSON body, its files streamed from disk on each attempt; the adaptor
   * still places the URL and auth.
   */
  form?: FormData;
}

/** Shared by the attempts of one dispatch. */
interface DispatchState {
  channelsTried: Set<string>;
  lastError: GatewayError | null;
  /** The retry budget refused a retry: no more attempts, not even fail-open ones. */
  budgetSpent: boolean;
}

/** What the dispatcher needs to know about the route besides the ordered candidates. */
export interface DispatchRoute {
  settings: RouteSettings;
  policyVersion: number;
  /** Affinity key (already namespaced), or null. */
  affinityKey: string | null;
}

/**
 * How an upstream failure counts. `request`: the request itself is at fault
 * (400/404/413/422): answered as is, never retried, no verdict on the
 * channel. `credentials`: the channel's key is refused or out of quota
 * (401/403/402/insufficient_quota): retried elsewhere, counted towards
 * auto-disabling the channel. `transient`: timeouts, connection errors,
 * 408/409/429/5xx/529/overloaded: retried elsewhere, counted by the breaker.
 */
export type FailureClass = 'request' | 'credentials' | 'transient';

export function classifyFailure(failure: GatewayError): FailureClass {
  switch (failure.kind) {
    case 'authentication':
    case 'permission':
    case 'quota_exceeded':
      return 'credentials';
    case 'rate_limit':
    case 'overloaded':
    case 'timeout':
    case 'upstream':
    case 'internal':
      return 'transient';
    default:
      return 'request';
  }
}

/**
 * Sends a request to the upstream: tries candidates in order with the
 * channel's credentials and headers (never the client's), skipping channels
 * whose circuit is open or whose concurrency/RPM cap is reached, within the
 * route's attempt and channel caps and the agent's retry budget; records each
 * attempt on the exchange, and owns the keep-alive pools.
 */
@Injectable()
export class UpstreamDispatcher implements OnApplicationShutdown {
  private readonly client: UpstreamClient;

  constructor(
    private readonly health: ChannelHealthRegistry,
    config: AppConfig,
    resolver: HostResolver,
  ) {
    this.client = new UpstreamClient({ network: config.upstreamNetwork, resolver });
    // Side requests with operator-supplied URLs (a service account's token_uri) pass the same address policy.
    googleAccessTokens.useFetch(guardedFetch(config.upstreamNetwork, resolver));
  }

  /**
   * Tries candidates in order until one answers below 400. `plan` says what
   * to send to a candidate (null: this candidate cannot serve the request).
   * Retries only retryable failures, and only before any byte reached the
   * client. Channels whose circuit is open are skipped while another
   * candidate can serve; when every candidate's circuit is open, they are
   * tried anyway (fail open, like Envoy's panic mode): refusing every request
   * of a single-channel model for a whole cooldown would turn a blip into an
   * outage.
   */
  async dispatch(
    exchange: Exchange,
    request: FastifyRequest,
    candidates: Candidate[],
    signal: AbortSignal,
    plan: (candidate: Candidate, upstreamProtocol: UpstreamProtocol) => UpstreamPlan | null,
    /** Built only when nothing could serve: an Error captures a stack trace, too dear for every request. */
    noCandidate: () => GatewayError,
    route: DispatchRoute,
  ): Promise<UpstreamAnswer> {
    const registry = this.health;
    registry.budget.recordRequest();
    const state: DispatchState = { channelsTried: new Set(), lastError: null, budgetSpent: false };
    const circuitOpen: Candidate[] = [];
    for (const candidate of candidates) {
      const outcome = await this.attempt(exchange, request, candidate, signal, plan, route, state, false);
      if (outcome === 'circuit_open') circuitOpen.push(candidate);
      else if (outcome === 'stop') break;
      else if (outcome !== 'next') return outcome;
    }
    if (exchange.attempts.length === 0 && !state.budgetSpent) {
      for (const candidate of circuitOpen) {
        const outcome = await this.attempt(exchange, request, candidate, signal, plan, route, state, true);
        if (outcome === 'stop') break;
        if (outcome !== 'next' && outcome !== 'circuit_open') return outcome;
      }
    }
    if (!state.lastError && exchange.skipped.some((skip) => skip.reason === 'saturated')) {
      // Nothing failed: every channel that could serve is at its concurrency or RPM cap. Come back shortly.
      throw new GatewayError('overloaded', 'every channel serving this model is at its concurrency or rate limit; retry shortly', { retryAfterMs: 1_000 });
    }
    throw state.lastError ?? noCandidate();
  }

  /** One candidate: skipped ('next', 'circuit_open'), the end of the attempts ('stop'), or its answer. Throws what must not be retried. */
  private async attempt(
    exchange: Exchange,
    request: FastifyRequest,
    candidate: Candidate,
    signal: AbortSignal,
    plan: (candidate: Candidate, upstreamProtocol: UpstreamProtocol) => UpstreamPlan | null,
    route: DispatchRoute,
    state: DispatchState,
    failOpen: boolean,
  ): Promise<UpstreamAnswer | 'next' | 'circuit_open' | 'stop'> {
    const { settings, policyVersion } = route;
    const registry = this.health;
    if (exchange.attempts.length >= settings.maxAttempts) return 'stop';
    const channel = candidate.channel;
    if (!state.channelsTried.has(channel.id) && state.channelsTried.size >= settings.maxChannels) return 'next';
    const adaptor = adaptorFor(channel.type);
    const upstreamProtocol = adaptor?.protocolFor(channel, exchange.protocol, candidate.upstreamModel, exchange.endpoint);
    if (!adaptor || !upstreamProtocol) return 'next';
    const body = plan(candidate, upstreamProtocol);
    if (!body) return 'next';
    if (registry.locallyDisabled(channel, policyVersion)) {
      exchange.skipped.push({ channel: channel.name, reason: 'disabled' });
      return 'next';
    }
    const health = registry.of(channel);
    const breaker = health.breakerEnabled && !failOpen ? health.breaker : null;
    if (breaker && !breaker.tryAcquire()) {
      exchange.skipped.push({ channel: channel.name, reason: 'circuit_open' });
      return 'circuit_open';
    }
    if (!health.limiter.tryAcquire()) {
      breaker?.release();
      exchange.skipped.push({ channel: channel.name, reason: 'saturated' });
      return 'next';
    }
    if (exchange.attempts.length > 0 && !registry.budget.tryRetry()) {
      health.limiter.release();
      breaker?.release();
      exchange.skipped.push({ channel: channel.name, reason: 'retry_budget' });
      state.budgetSpent = true;
      return 'stop';
    }
    state.channelsTried.add(channel.id);
    const upstream = upstreamCodecFor(upstreamProtocol);
    const started = performance.now();
    const record = (status: number, errorClass?: string) => {
      exchange.attemptChannels.push(channel.name);
      exchange.attempts.push({
        channel_id: channel.id,
        status,
        ...(errorClass ? { error_class: errorClass } : {}),
        latency_ms: Math.round(performance.now() - started),
      });
    };
    exchange.candidate = candidate;
    exchange.upstreamProtocol = upstreamProtocol;
    const timeouts = channel.settings.timeouts;
    let answer: UpstreamAnswer;
    try {
      const overrides = channel.settings.provider?.param_overrides;
      const target = await adaptor.target(channel, {
        protocol: upstreamProtocol,
        path: body.path,
        body: overrides ? { ...body.body, ...overrides } : body.body,
        upstreamModel: candidate.upstreamModel,
        stream: exchange.stream,
        // A form's content type (with its boundary) is set by undici.
        headers: { ...(body.form ? {} : { 'content-type': 'application/json' }), ...channel.headers, ...forwardedHeaders(exchange.protocol, upstreamProtocol, request) },
      });
      answer = await this.client.send({
        poolKey: timeouts?.connect_ms ? `${channel.id}:${timeouts.connect_ms}` : channel.id,
        url: target.url,
        headers: target.headers,
        body: body.form ? withOverrides(body.form, overrides) : target.body,
        signal,
        timeouts: timeouts && upstreamTimeouts(timeouts),
      });
    } catch (error) {
      health.limiter.release();
      if (error instanceof GatewayError && classifyFailure(error) === 'request') {
        // The adaptor refused before sending (a parameter this provider does not take): no verdict on the channel, and another candidate may serve.
        breaker?.release();
        exchange.skipped.push({ channel: channel.name, reason: 'unsupported_parameter' });
        state.lastError = error;
        return 'next';
      }
      const failure = error instanceof GatewayError ? error : new GatewayError('upstream', 'could not reach the upstream provider', { retryable: true });
      record(failure.status, failure.kind);
      if (signal.aborted) {
        breaker?.release();
        throw failure;
      }
      this.verdict(health, breaker, false, performance.now() - started);
      // The adaptor's own auth failed (an OAuth token endpoint refused the channel's key): the channel's fault, never the client's 401.
      if (classifyFailure(failure) === 'credentials') registry.credentialFailure(channel, policyVersion, failure.options.upstreamStatus ?? failure.status, failure.kind);
      state.lastError = channelFailure(failure);
      return 'next';
    }
    if (answer.status < 400) {
      record(answer.status);
      // The channel's slot is held until the body is done (streams included).
      answer.body.once('close', () => health.limiter.release());
      health.credentialFailures = 0;
      this.verdict(health, breaker, true, performance.now() - started);
      if (route.affinityKey) registry.affinity.pin(route.affinityKey, channel.id);
      return answer;
    }
    health.limiter.release();
    const errorBody = await readErrorBody(answer);
    const decoded = adaptor.decodeError?.(channel, upstreamProtocol, answer.status, errorBody, answer.headers) ?? upstream.decodeError(answer.status, errorBody, answer.headers);
    const kind = classifyFailure(decoded);
    record(answer.status, decoded.kind);
    if (kind === 'request') {
      breaker?.release();
      throw decoded;
    }
    if (kind === 'credentials') registry.credentialFailure(channel, policyVersion, answer.status, decoded.kind);
    this.verdict(health, breaker, false, performance.now() - started);
    const retryAfter = decoded.options.retryAfterMs;
    if (health.breakerEnabled && retryAfter !== undefined && retryAfter > 0 && retryAfter <= registry.defaults.retryAfterMaxMs) {
      // The provider said when to come back: skip the channel until then while others can serve.
      health.breaker.forceOpen(Date.now() + retryAfter);
    }
    if (route.affinityKey) registry.affinity.forget(route.affinityKey, channel.id);
    state.lastError = channelFailure(decoded);
    return 'next';
  }

  /** Latency and error rate always; the breaker's verdict only when it admitted the attempt. */
  private verdict(health: ChannelHealth, breaker: CircuitBreaker | null, ok: boolean, latencyMs: number): void {
    health.latency.observe(latencyMs, ok);
    if (!breaker) return;
    if (ok) breaker.onSuccess();
    else breaker.onFailure();
  }

  /**
   * A minimal real request through the channel's adaptor ("ping", one output
   * token): the status and latency, or the error class — never the upstream's
   * body. Used by POST /api/channels/{id}/test and the health probes.
   */
  async probe(channel: PolicyChannel, upstreamModel: string, timeoutMs = 30_000): Promise<ChannelProbeResult> {
    const adaptor = adaptorFor(channel.type);
    const protocol = adaptor?.protocolFor(channel, 'openai-chat', upstreamModel);
    if (!adaptor || !protocol) return { ok: false, status: null, latency_ms: 0, error: 'unsupported', message: `channels of type ${channel.type} cannot be probed yet` };
    const encoded = upstreamCodecFor(protocol).encodeRequest(
      { model: upstreamModel, system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'ping' }] }], maxOutputTokens: 1, stream: false },
      upstreamModel,
    );
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const target = await adaptor.target(channel, {
        protocol,
        path: encoded.path,
        body: encoded.body as Record<string, unknown>,
        upstreamModel,
        stream: false,
        headers: { 'content-type': 'application/json', ...channel.headers },
      });
      const answer = await this.client.send({
        poolKey: `probe:${channel.id}`,
        url: target.url,
        headers: target.headers,
        body: target.body,
        signal: AbortSignal.timeout(timeoutMs),
        timeouts: { firstByteMs: timeoutMs, totalMs: timeoutMs },
      });
      if (answer.status < 400) {
        await answer.body.dump();
        return { ok: true, status: answer.status, latency_ms: elapsed() };
      }
      const errorBody = await readErrorBody(answer);
      const failure = adaptor.decodeError?.(channel, protocol, answer.status, errorBody, answer.headers) ?? upstreamCodecFor(protocol).decodeError(answer.status, errorBody, answer.headers);
      return { ok: false, status: answer.status, latency_ms: elapsed(), error: failure.kind, message: `the upstream answered ${answer.status}` };
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError('upstream', 'could not reach the upstream provider');
      return { ok: false, status: null, latency_ms: elapsed(), error: failure.kind, message: failure.message };
    }
  }

  /** The upstream's own count, or null when it cannot answer (then we estimate). */
  async countUpstream(protocol: 'anthropic' | 'gemini', candidate: Candidate, body: Record<string, unknown>, request: FastifyRequest): Promise<string | null> {
    const channel = candidate.channel;
    const adaptor = adaptorFor(channel.type);
    if (!adaptor || adaptor.protocolFor(channel, protocol, candidate.upstreamModel) !== protocol || !adaptor.countTokensPath) return null;
    const path = adaptor.countTokensPath(channel, protocol, candidate.upstreamModel);
    if (!path) return null;
    const payload = protocol === 'anthropic' ? { ...body, model: candidate.upstreamModel } : body;
    try {
      const target = await adaptor.target(channel, {
        protocol,
        path,
        body: payload,
        upstreamModel: candidate.upstreamModel,
        stream: false,
        headers: { 'content-type': 'application/json', ...channel.headers, ...forwardedHeaders(protocol, protocol, request) },
      });
      const answer = await this.client.send({
        poolKey: channel.id,
        url: target.url,
        headers: target.headers,
        body: target.body,
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

/** A multipart upload with the channel's parameter overrides set as text fields (objects as JSON), like a JSON body's top-level fields. */
function withOverrides(form: FormData, overrides: Record<string, unknown> | undefined): FormData {
  if (overrides) for (const [name, value] of Object.entries(overrides)) form.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  return form;
}

/** Client headers that carry protocol features, forwarded only to the same protocol. */
function forwardedHeaders(client: Protocol, upstreamProtocol: UpstreamProtocol, request: FastifyRequest): Record<string, string> {
  if (client === 'anthropic' && upstreamProtocol === 'anthropic') {
    const beta = request.headers['anthropic-beta'];
    if (typeof beta === 'string' && /^[A-Za-z0-9,._-]{1,512}$/.test(beta)) return { 'anthropic-beta': beta };
  }
  return {};
}

/** A channel's timeouts (snake_case settings) as the client takes them; unset ones keep the defaults. */
function upstreamTimeouts(timeouts: NonNullable<ChannelSettings['timeouts']>): Partial<UpstreamTimeouts> {
  const result: Partial<UpstreamTimeouts> = {};
  if (timeouts.connect_ms !== undefined) result.connectMs = timeouts.connect_ms;
  if (timeouts.first_byte_ms !== undefined) result.firstByteMs = timeouts.first_byte_ms;
  if (timeouts.idle_ms !== undefined) result.idleMs = timeouts.idle_ms;
  if (timeouts.total_ms !== undefined) result.totalMs = timeouts.total_ms;
  return result;
}
