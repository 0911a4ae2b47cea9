import { GatewayError, GatewayErrorKind } from '../ir';
import { AnthropicErrorBody, AnthropicErrorType } from './anthropic.types';
import { mapHttpStatusToErrorKind } from '../shared/map-http-status-to-error-kind';
import { scrubUpstreamMessage } from '../shared/scrub-upstream-message';
import { parseErrorBody, readRetryAfterMs } from '../shared/upstream-error-fields';

/** Anthropic's own status for overloaded_error (its SDKs retry on it). */
export const ANTHROPIC_OVERLOADED_STATUS = 529;

function errorType(kind: GatewayErrorKind): AnthropicErrorType {
  switch (kind) {
    case 'invalid_request':
    case 'unsupported':
    case 'unprocessable':
      return 'invalid_request_error';
    case 'authentication':
      return 'authentication_error';
    case 'permission':
      return 'permission_error';
    case 'not_found':
      return 'not_found_error';
    case 'payload_too_large':
      return 'request_too_large';
    case 'rate_limit':
      return 'rate_limit_error';
    case 'quota_exceeded':
      return 'billing_error';
    case 'timeout':
      return 'timeout_error';
    case 'overloaded':
      return 'overloaded_error';
    case 'upstream':
    case 'internal':
      return 'api_error';
  }
}

/**
 * GatewayError → the Anthropic error answer: `{ type: "error", error: { type,
 * message }, request_id }`. The request id is not known here (the HTTP layer
 * sends it as a header): null, as the schema allows. Overloaded answers 529
 * unless the error chose a status. The offending param, which Anthropic has
 * no field for, leads the message the way the API writes it
 * ("messages.0.content: …").
 */
export function encodeAnthropicError(error: GatewayError): { status: number; body: AnthropicErrorBody } {
  const status = error.kind === 'overloaded' ? (error.options.status ?? ANTHROPIC_OVERLOADED_STATUS) : error.status;
  const param = error.param;
  const message = param && !error.message.startsWith(`${param}:`) ? `${param}: ${error.message}` : error.message;
  return { status, body: { type: 'error', error: { type: errorType(error.kind), message }, request_id: null } };
}

const KIND_BY_TYPE: Record<string, GatewayErrorKind> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'payload_too_large',
  rate_limit_error: 'rate_limit',
  billing_error: 'quota_exceeded',
  timeout_error: 'timeout',
  api_error: 'upstream',
  overloaded_error: 'overloaded',
};


/** Statuses where another attempt (later, or on another channel) may succeed. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
/** Error types that are transient whatever the status (in-stream errors have none). */
const RETRYABLE_KINDS: ReadonlySet<GatewayErrorKind> = new Set(['rate_limit', 'overloaded', 'timeout', 'upstream']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An upstream error answer (status, parsed JSON or text body, headers) →
 * GatewayError. The error type decides the kind when present, the status
 * otherwise; retryability follows the status (408, 409, 429, 5xx, 529) or a
 * transient type; the message is scrubbed of keys and hosts.
 */
export function decodeAnthropicError(
  status: number,
  body: unknown,
  headers?: Record<string, string | string[] | undefined>,
): GatewayError {
  const parsed = parseErrorBody(body);
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  const type = typeof error?.type === 'string' ? error.type : undefined;
  let kind: GatewayErrorKind = (type && KIND_BY_TYPE[type]) || mapHttpStatusToErrorKind(status);
  if (kind === 'invalid_request' && status === 413) kind = 'payload_too_large';
  if (kind === 'invalid_request' && status === 422) kind = 'unprocessable';

  const rawMessage =
    typeof error?.message === 'string' && error.message.trim() !== ''
      ? error.message
      : typeof parsed === 'string' && parsed.trim() !== '' && parsed.length <= 500 && !parsed.trimStart().startsWith('<')
        ? parsed.trim()
        : `The Anthropic upstream answered HTTP ${status}`;
  const retryable = RETRYABLE_STATUSES.has(status) || (status >= 500 && status <= 599 && status !== 501);
  const options: GatewayError['options'] = { retryable, upstreamStatus: status };
  const retryAfterMs = readRetryAfterMs(headers);
  if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
  return new GatewayError(kind, scrubUpstreamMessage(rawMessage), options);
}

/**
 * The error body of an in-stream `event: error` (or an error body in a 200
 * answer): no HTTP status of its own, so the type decides and transient
 * types are retryable. `fallbackStatus` is used when the type is unknown.
 */
export function decodeAnthropicErrorBody(body: unknown, fallbackStatus: number): GatewayError {
  const parsed = parseErrorBody(body);
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  const type = typeof error?.type === 'string' ? error.type : undefined;
  const kind: GatewayErrorKind = (type && KIND_BY_TYPE[type]) || mapHttpStatusToErrorKind(fallbackStatus);
  const message = typeof error?.message === 'string' && error.message.trim() !== '' ? error.message : 'The Anthropic upstream reported an error';
  return new GatewayError(kind, scrubUpstreamMessage(message), { retryable: RETRYABLE_KINDS.has(kind) });
}
