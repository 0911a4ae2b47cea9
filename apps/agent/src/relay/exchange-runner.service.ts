import { ROUTE_DEBUG_HEADER } from '@aigw/contracts';
import { GatewayError, ProtocolCodec } from '@aigw/providers';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Exchange } from './exchange';
import { LeaseHold, QuotaLeases } from './quota-leases';
import { Admission, RateLimitService } from './rate-limits.service';
import { relayInternalError } from './relay-stream.util';
import { RELAY_METERING } from './relay-options';
import { describeRoute } from './route-debug.util';
import { SpendLedger } from './spend-ledger';
import { UsageReporter } from './usage-reporter.service';

/**
 * What every metered client exchange shares, whatever its endpoint: the
 * upstream is aborted the moment the client goes away; rate limits and the
 * quota reservation before anything is sent; a failure answered in the
 * client's protocol (with Retry-After and the route debug header); and
 * exactly one usage report at the end, on every path.
 */
@Injectable()
export class ExchangeRunner {
  constructor(
    private readonly reporter: UsageReporter,
    private readonly spend: SpendLedger,
    private readonly limits: RateLimitService,
    @Inject(RELAY_METERING) private readonly metering: boolean,
    @Optional() private readonly leases?: QuotaLeases,
  ) {}

  async run(exchange: Exchange, client: ProtocolCodec, reply: FastifyReply, logger: Logger, work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClose);
    if (exchange.clientRequestId) void reply.header('x-client-request-id', exchange.clientRequestId);
    try {
      await work(abort.signal);
    } catch (error) {
      const failure = error instanceof GatewayError ? error : relayInternalError(logger, error, exchange);
      exchange.status = abort.signal.aborted ? 499 : failure.status;
      exchange.errorClass = failure.kind;
      if (!abort.signal.aborted && !reply.raw.headersSent && !reply.sent) {
        const { status, body } = client.encodeError(failure);
        this.routeHeader(exchange, reply);
        if (failure.options.retryAfterMs !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(failure.options.retryAfterMs / 1000))));
        void reply.status(status).header('content-type', 'application/json').send(body);
      }
    } finally {
      reply.raw.off('close', onClose);
      this.reporter.report(exchange);
    }
  }

  /**
   * Rate limits (429), then the worst case held against quota and balance (402) — on a remote agent
   * also taken from the master's leases; nothing when metering is off. Synchronous (no promise to
   * await) when the limits are in-process and the leases cover the request, the common case.
   */
  admit(exchange: Exchange, reply: FastifyReply, worstCaseMicros: () => number): void | Promise<void> {
    if (!this.metering) return;
    const scopes = this.limits.scopes(exchange.caller!);
    if (scopes.length === 0) return this.reserve(exchange, worstCaseMicros);
    const admission = this.limits.admit(scopes);
    if (admission instanceof Promise) {
      return admission.then((taken) => {
        this.admitted(exchange, reply, taken);
        return this.reserve(exchange, worstCaseMicros);
      });
    }
    this.admitted(exchange, reply, admission);
    return this.reserve(exchange, worstCaseMicros);
  }

  private admitted(exchange: Exchange, reply: FastifyReply, admission: Admission): void {
    exchange.admission = admission;
    void reply.headers(admission.headers);
  }

  private reserve(exchange: Exchange, worstCaseMicros: () => number): void | Promise<void> {
    const amount = worstCaseMicros();
    const reservation = this.spend.reserve(exchange.caller!, amount);
    exchange.reservation = reservation;
    if (!this.leases || amount <= 0) return;
    let hold: LeaseHold | Promise<LeaseHold>;
    try {
      hold = this.leases.take(exchange.caller!, amount);
    } catch (error) {
      this.noLease(exchange);
      throw error;
    }
    if (!(hold instanceof Promise)) {
      reservation.lease = hold;
      return;
    }
    return hold.then(
      (taken) => {
        reservation.lease = taken;
      },
      (error: unknown) => {
        this.noLease(exchange);
        throw error;
      },
    );
  }

  /** No lease: nothing was spent; the local hold goes back (the usage report charges 0). */
  private noLease(exchange: Exchange): void {
    if (exchange.reservation) this.spend.complete(exchange.reservation, 0);
    exchange.reservation = null;
  }

  /** The route debug header, when the caller asked for it. */
  routeHeader(exchange: Exchange, reply: FastifyReply): void {
    if (exchange.debug) void reply.header(ROUTE_DEBUG_HEADER, describeRoute(exchange));
  }
}
