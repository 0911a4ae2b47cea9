import { AddressPolicy, DEFAULT_UPSTREAM_NETWORK } from '@aigw/contracts';
import { Agent, Dispatcher, FormData, errors, request } from 'undici';
import { GatewayError } from '../ir/gateway-error';
import { AddressRefusedError, buildGuardedConnector } from '../net/guarded-connector';
import { HostResolver } from '../net/host-resolver';

export interface UpstreamTimeouts {
  /** TCP/TLS connect. */
  connectMs: number;
  /** From sending the request to the response headers (time to first byte). */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
  /** The whole exchange, streaming included. */
  totalMs: number;
}

export const DEFAULT_UPSTREAM_TIMEOUTS: UpstreamTimeouts = {
  connectMs: 10_000,
  firstByteMs: 120_000,
  idleMs: 120_000,
  totalMs: 600_000,
};

export interface UpstreamCall {
  /** Pool key: one keep-alive pool per channel. */
  poolKey: string;
  url: string;
  headers: Record<string, string>;
  /** JSON text, or a multipart form (undici's own FormData: it streams the form's file parts). */
  body: string | FormData;
  /** Aborts the exchange (client went away). */
  signal: AbortSignal;
  timeouts?: Partial<UpstreamTimeouts>;
}

export interface UpstreamClientOptions {
  /** Which addresses channels may reach (config `upstream_network:`); link-local and metadata never. */
  network?: AddressPolicy;
  resolver?: HostResolver;
}

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/**
 * HTTP to providers with undici's `request` (not WHATWG fetch: several times
 * cheaper per call), one keep-alive Agent per channel. Connection failures
 * and timeouts before the answer become retryable GatewayErrors. Every new
 * connection is checked against the address policy (docs/network-security.md).
 */
export class UpstreamClient {
  private readonly agents = new Map<string, Agent>();
  private readonly network: AddressPolicy;
  private readonly resolver: HostResolver;

  constructor(options: UpstreamClientOptions = {}) {
    this.network = options.network ?? DEFAULT_UPSTREAM_NETWORK;
    this.resolver = options.resolver ?? new HostResolver();
  }

  async send(call: UpstreamCall): Promise<UpstreamAnswer> {
    const timeouts = { ...DEFAULT_UPSTREAM_TIMEOUTS, ...call.timeouts };
    // One controller per exchange, released as soon as the body is done: AbortSignal.timeout() and
    // AbortSignal.any() would keep a timer and listeners alive for the whole total timeout (minutes)
    // after every request — at thousands of requests per second, hundreds of MB.
    const controller = new AbortController();
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      controller.abort();
    }, timeouts.totalMs);
    timer.unref();
    const forwardAbort = () => controller.abort();
    call.signal.addEventListener('abort', forwardAbort, { once: true });
    const release = () => {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', forwardAbort);
    };
    if (call.signal.aborted) controller.abort();
    try {
      const answer = await request(call.url, {
        method: 'POST',
        headers: call.headers,
        body: call.body,
        signal: controller.signal,
        dispatcher: this.agent(call.poolKey, timeouts),
        headersTimeout: timeouts.firstByteMs,
        bodyTimeout: timeouts.idleMs,
      });
      answer.body.once('close', release);
      return { status: answer.statusCode, headers: answer.headers, body: answer.body };
    } catch (error) {
      release();
      throw toGatewayError(error, call.signal.aborted, expired);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }

  private agent(key: string, timeouts: UpstreamTimeouts): Agent {
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: buildGuardedConnector(this.network, this.resolver, { timeout: timeouts.connectMs }),
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connections: 512,
      });
      this.agents.set(key, agent);
    }
    return agent;
  }
}

/** Classifies a failed exchange; never includes the URL (it may name an internal host). */
export function toGatewayError(error: unknown, clientAborted: boolean, totalExpired: boolean): GatewayError {
  if (clientAborted) return new GatewayError('upstream', 'the client closed the request', { status: 499, retryable: false });
  if (error instanceof AddressRefusedError) {
    // The channel's configuration, not a blip: another channel may serve, this one will not.
    return new GatewayError('upstream', `the gateway refused to connect to the upstream provider: its address is ${error.reason}`, { retryable: false });
  }
  if (totalExpired || error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return new GatewayError('timeout', 'the upstream provider did not answer in time', { retryable: true });
  }
  if (error instanceof errors.ConnectTimeoutError) {
    return new GatewayError('timeout', 'could not connect to the upstream provider in time', { retryable: true });
  }
  return new GatewayError('upstream', 'could not reach the upstream provider', { retryable: true });
}
