import { GatewayError, GatewayErrorKind } from '../ir';
import { isRecord } from './gemini-json.util';
import { GeminiErrorBody, GeminiErrorDetail } from './gemini.types';
import { mapHttpStatusToErrorKind } from '../shared/map-http-status-to-error-kind';
import { scrubUpstreamMessage } from '../shared/scrub-upstream-message';
import { readRetryAfterMs } from '../shared/upstream-error-fields';

/**
 * Errors in Google's shape, google.rpc.Status as JSON
 * (https://ai.google.dev/gemini-api/docs/troubleshooting):
 * `{error: {code, message, status, details?}}`.
 */
const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';
const QUOTA_FAILURE = 'type.googleapis.com/google.rpc.QuotaFailure';

/** The google.rpc.Code name a client sees for each kind. */
function statusName(kind: GatewayErrorKind): string {
  switch (kind) {
    case 'invalid_request':
    case 'unsupported':
    case 'payload_too_large':
      return 'INVALID_ARGUMENT';
    case 'unprocessable':
      return 'FAILED_PRECONDITION';
    case 'authentication':
      return 'UNAUTHENTICATED';
    case 'permission':
      return 'PERMISSION_DENIED';
    case 'not_found':
      return 'NOT_FOUND';
    case 'rate_limit':
    case 'quota_exceeded':
      return 'RESOURCE_EXHAUSTED';
    case 'timeout':
      return 'DEADLINE_EXCEEDED';
    case 'overloaded':
    case 'upstream':
      return 'UNAVAILABLE';
    case 'internal':
      return 'INTERNAL';
  }
}

/**
 * GatewayError → a Gemini error answer. The faulty field goes in a
 * BadRequest fieldViolation, a known wait in a RetryInfo (the Google SDKs
 * read both).
 */
export function encodeGeminiError(error: GatewayError): { status: number; body: GeminiErrorBody } {
  const details: GeminiErrorDetail[] = [];
  if (error.param) details.push({ '@type': BAD_REQUEST, fieldViolations: [{ field: error.param, description: error.message }] });
  if (error.options.retryAfterMs !== undefined) details.push({ '@type': RETRY_INFO, retryDelay: formatDuration(error.options.retryAfterMs) });
  return {
    status: error.status,
    body: { error: { code: error.status, message: error.message, status: statusName(error.kind), ...(details.length > 0 ? { details } : {}) } },
  };
}

const KIND_BY_STATUS_NAME: Record<string, GatewayErrorKind> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  DEADLINE_EXCEEDED: 'timeout',
  UNAVAILABLE: 'overloaded',
  INTERNAL: 'upstream',
  UNKNOWN: 'upstream',
  ABORTED: 'upstream',
  CANCELLED: 'upstream',
};

/** ErrorInfo reasons Google sends with a 400 that are really about the key. */
const KEY_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'API_KEY_SERVICE_BLOCKED']);

const RETRYABLE_STATUSES = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/**
 * An upstream error answer → GatewayError. The body may be the Status
 * object, a one-element array of it (what `streamGenerateContent` without
 * alt=sse answers), a JSON string of either, or anything else (a proxy's HTML).
 * The kind follows Google's status name, then the HTTP status; an invalid
 * key arrives as 400 INVALID_ARGUMENT + ErrorInfo API_KEY_INVALID and is an
 * authentication error. The wait comes from retry-after-ms, Retry-After, or
 * RetryInfo.retryDelay. The message is scrubbed of keys and hosts.
 */
export function decodeGeminiError(status: number, body: unknown, headers: Record<string, string | string[] | undefined> = {}): GatewayError {
  const error = errorObject(body);
  const details = Array.isArray(error?.details) ? error.details.filter(isRecord) : [];
  const reason = details.find((detail) => detail['@type'] === ERROR_INFO && typeof detail.reason === 'string')?.reason as string | undefined;
  const name = typeof error?.status === 'string' ? error.status : undefined;

  let kind: GatewayErrorKind;
  if (reason && KEY_REASONS.has(reason)) kind = 'authentication';
  else if (name && KIND_BY_STATUS_NAME[name]) kind = KIND_BY_STATUS_NAME[name];
  else kind = mapHttpStatusToErrorKind(status);
  if (kind === 'rate_limit' && isDailyQuota(details)) kind = 'quota_exceeded';
  if (status === 413) kind = 'payload_too_large';

  const rawMessage = typeof error?.message === 'string' && error.message !== '' ? error.message : `the Gemini upstream answered HTTP ${status}`;
  const retryAfterMs = readRetryAfterMs(headers) ?? retryAfterFromDetails(details);
  const retryable = RETRYABLE_STATUSES.has(status) || kind === 'overloaded' || kind === 'rate_limit' || kind === 'quota_exceeded' || kind === 'timeout';
  return new GatewayError(kind, scrubUpstreamMessage(rawMessage), {
    retryable: kind === 'authentication' || kind === 'invalid_request' || kind === 'permission' || kind === 'not_found' ? false : retryable,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    upstreamStatus: status,
  });
}


function errorObject(body: unknown): { code?: unknown; message?: unknown; status?: unknown; details?: unknown } | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(value)) value = value[0];
  return isRecord(value) && isRecord(value.error) ? value.error : undefined;
}

/** A per-day quota will not clear in seconds: quota_exceeded (still retryable on another channel). */
function isDailyQuota(details: Array<Record<string, unknown>>): boolean {
  return details.some(
    (detail) =>
      detail['@type'] === QUOTA_FAILURE &&
      Array.isArray(detail.violations) &&
      detail.violations.some((violation) => isRecord(violation) && typeof violation.quotaId === 'string' && /PerDay/i.test(violation.quotaId)),
  );
}

/** google.rpc.RetryInfo.retryDelay is a proto Duration in JSON: "12s", "0.500s". */
function retryAfterFromDetails(details: Array<Record<string, unknown>>): number | undefined {
  const delay = details.find((detail) => detail['@type'] === RETRY_INFO)?.retryDelay;
  if (typeof delay !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function formatDuration(milliseconds: number): string {
  return `${Number((Math.max(0, milliseconds) / 1000).toFixed(3))}s`;
}
