import { GatewayError, codecFor } from '@aigw/providers';
import { Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { Caller, authenticate, extractApiKey } from './client-auth.util';
import { PolicyStore } from './policy-store';
import { SpendLedger } from './spend-ledger';

/** What a token may still spend, in micro-USD, as this agent sees it (settled + unconfirmed + in flight). */
export interface TokenStanding {
  id: string;
  status: 'active' | 'disabled';
  /** null: unlimited (bounded by the owner's balance). */
  quota_micros: number | null;
  used_micros: number;
  /** min(quota − used − in flight, owner's available balance); never negative. */
  remaining_micros: number;
  /** The owner's balance minus unconfirmed and in-flight spend. */
  balance_micros: number;
  models: string[] | null;
  expires_at: string | null;
}

/**
 * Self-service for the calling API key, as chat front-ends expect: the
 * OpenAI-legacy `GET /v1/dashboard/billing/subscription` and `/usage` shapes
 * that NextChat, LobeChat and new-api use, and a plain JSON
 * `GET /api/tokens/self`. Answered from the agent's policy and spend ledger:
 * no database call.
 */
@Injectable()
export class TokenSelfService {
  constructor(
    private readonly policy: PolicyStore,
    private readonly spend: SpendLedger,
  ) {}

  standing(caller: Caller): TokenStanding {
    const policy = this.policy.current;
    const token = caller.token;
    const held = this.spend.held(token.id, token.userId);
    const used = token.usedMicros + held.tokenUnconfirmed;
    const balance = (policy.user(token.userId)?.balanceMicros ?? 0) - held.userUnconfirmed - held.userReserved;
    const tokenLeft = token.quotaMicros === null ? Number.POSITIVE_INFINITY : token.quotaMicros - used - held.tokenReserved;
    return {
      id: token.id,
      status: token.status,
      quota_micros: token.quotaMicros,
      used_micros: used,
      remaining_micros: Math.max(0, Math.min(tokenLeft, balance)),
      balance_micros: balance,
      models: token.models,
      expires_at: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
    };
  }

  /** GET /api/tokens/self; errors in the admin API's shape. */
  self(request: FastifyRequest, reply: FastifyReply): void {
    try {
      void reply.send(this.standing(this.caller(request)));
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError('internal', 'internal error');
      const code = failure.status === 401 ? 'unauthenticated' : failure.status === 403 ? 'forbidden' : 'internal';
      void reply.status(failure.status).send({ error: { code, message: failure.message }, request_id: String(request.id) });
    }
  }

  /**
   * OpenAI's legacy billing shapes. `subscription`: the limit in USD (the
   * token's quota, or what the owner's balance allows plus what was used);
   * `usage`: `total_usage` in US cents, over the token's lifetime (the
   * `start_date`/`end_date` query the clients send is accepted and ignored).
   */
  billing(kind: 'subscription' | 'usage', request: FastifyRequest, reply: FastifyReply): void {
    try {
      const caller = this.caller(request);
      const standing = this.standing(caller);
      if (kind === 'usage') {
        void reply.send({ object: 'list', total_usage: standing.used_micros / 10_000 });
        return;
      }
      const limitUsd = (standing.used_micros + standing.remaining_micros) / 1_000_000;
      void reply.send({
        object: 'billing_subscription',
        has_payment_method: true,
        soft_limit_usd: limitUsd,
        hard_limit_usd: limitUsd,
        system_hard_limit_usd: limitUsd,
        access_until: caller.token.expiresAt === null ? 0 : Math.floor(caller.token.expiresAt / 1000),
      });
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError('internal', 'internal error');
      const { status, body } = codecFor('openai-chat').encodeError(failure);
      void reply.status(status).send(body);
    }
  }

  private caller(request: FastifyRequest): Caller {
    return authenticate(this.policy.current, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
  }
}
