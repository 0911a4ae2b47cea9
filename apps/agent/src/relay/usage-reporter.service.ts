import { UsageRecord } from '@aigw/contracts';
import { estimateInputTokens, estimateTextTokens } from '@aigw/metering';
import { BillableUsage, computeCostMicros } from '@aigw/quota';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Exchange } from './exchange';
import { PolicyStore } from './policy-store';
import { isoTimestamp, sanitizeUsage } from './relay-usage.util';
import { RELAY_METERING } from './relay-options';
import { SpendLedger } from './spend-ledger';
import { UsageSink } from './usage-sink';

/** Prices an exchange and hands its one usage record to the sink; never throws. */
@Injectable()
export class UsageReporter {
  private readonly logger = new Logger(UsageReporter.name);

  constructor(
    private readonly policy: PolicyStore,
    private readonly usage: UsageSink,
    private readonly spend: SpendLedger,
    @Inject(RELAY_METERING) private readonly metering: boolean,
  ) {}

  report(exchange: Exchange): void {
    if (!this.metering || !exchange.caller || !exchange.request) return;
    const policy = this.policy.current;
    const model = policy.model(exchange.request.model);
    exchange.usage = sanitizeUsage(exchange.usage);
    const units = exchange.units;
    const estimated = estimateMissingUsage(exchange) || units?.estimated === true;
    // A client that went away mid-stream pays for the prompt and what it was sent.
    const billable = exchange.status < 400 || (exchange.status === 499 && exchange.stream && exchange.firstByteAt !== null);
    const billed: BillableUsage = units ? { ...exchange.usage, ...units } : exchange.usage;
    const cost = model && billable ? computeCostMicros(billed, model, exchange.caller.groupRatioPpm) : 0;
    let channelCost = 0;
    if (model && billable && exchange.candidate) {
      const channelRatioPpm = Math.round((exchange.candidate.channel.settings.cost_ratio ?? 1) * 1_000_000);
      // With the customer's multiplier (no group price and no channel discount, the usual case) it is the same cost: not computed twice.
      channelCost = channelRatioPpm === exchange.caller.groupRatioPpm ? cost : computeCostMicros(billed, model, channelRatioPpm);
    }
    if (exchange.reservation) this.spend.complete(exchange.reservation, cost);
    exchange.admission?.release(exchange.usage.inputTokens + exchange.usage.outputTokens);
    // One object literal of a fixed shape (no spreads): built and serialized once per request.
    const record: UsageRecord = {
      request_id: exchange.requestId,
      client_request_id: exchange.clientRequestId ?? undefined,
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
      images: units?.images,
      audio_ms: units?.audioMs,
      characters: units?.characters,
      search_units: units?.searchUnits,
      estimated: estimated || undefined,
      cost_micros: cost,
      channel_cost_micros: channelCost,
      latency_ms: Math.round(performance.now() - exchange.started),
      first_token_ms: exchange.firstByteAt === null ? null : Math.round(exchange.firstByteAt - exchange.started),
      status: exchange.status,
      stream: exchange.stream,
      error_class: exchange.errorClass,
      attempts: exchange.attempts,
      created_at: isoTimestamp(),
    };
    try {
      this.usage.record(record);
    } catch (error) {
      this.logger.error({ msg: 'usage sink failed', requestId: exchange.requestId, error: (error as Error).message });
    }
  }
}

/**
 * A stream that delivered something but whose upstream never reported usage
 * (the client aborted before the final usage event, or an upstream that sends
 * none) is metered with the tokenizer: the prompt from the request, the output
 * from what was delivered. Returns whether anything was estimated.
 */
function estimateMissingUsage(exchange: Exchange): boolean {
  if (!exchange.stream || exchange.firstByteAt === null || !exchange.request) return false;
  if (exchange.status >= 400 && exchange.status !== 499) return false;
  let estimated = false;
  if (exchange.usage.inputTokens === 0) {
    const input = estimateInputTokens(exchange.request);
    if (input > 0) {
      exchange.usage = { ...exchange.usage, inputTokens: input };
      estimated = true;
    }
  }
  if (exchange.usage.outputTokens === 0 && exchange.delivered.length > 0) {
    exchange.usage = { ...exchange.usage, outputTokens: estimateTextTokens(exchange.delivered) };
    estimated = true;
  }
  return estimated;
}
