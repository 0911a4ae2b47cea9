import { ROUTE_DEBUG_REQUEST_HEADER } from '@aigw/contracts';
import { Caller } from './client-auth.util';
import { Exchange } from './exchange';

/**
 * The route debug header is off by default: on for a token with `debug`, and
 * for an admin's token that asks with `x-aigw-debug: 1`.
 */
export function wantsRouteDebug(caller: Caller, headers: Record<string, string | string[] | undefined>): boolean {
  if (caller.token.debug) return true;
  if (!caller.admin) return false;
  const asked = headers[ROUTE_DEBUG_REQUEST_HEADER];
  return asked === '1' || asked === 'true';
}

/**
 * `route=<model>; channel=<name>; attempts=<name>:<status>[:<error class>]:<ms>ms,…[; skipped=<name>:<reason>,…]`
 * — channel names only (never URLs or keys); ASCII, one line.
 */
export function describeRoute(exchange: Exchange): string {
  const attempts = exchange.attempts
    .map((attempt, index) => {
      const parts = [exchange.attemptChannels[index] ?? attempt.channel_id, String(attempt.status)];
      if (attempt.error_class) parts.push(attempt.error_class);
      parts.push(`${attempt.latency_ms}ms`);
      return parts.join(':');
    })
    .join(',');
  const served = exchange.attempts.at(-1)?.status ?? 0;
  const parts = [
    `route=${exchange.request?.model ?? ''}`,
    `channel=${served > 0 && served < 400 ? (exchange.candidate?.channel.name ?? '') : ''}`,
    `attempts=${attempts}`,
  ];
  if (exchange.skipped.length > 0) parts.push(`skipped=${exchange.skipped.map((skip) => `${skip.channel}:${skip.reason}`).join(',')}`);
  return parts.join('; ').replace(/[^\x20-\x7e]/g, '?');
}
