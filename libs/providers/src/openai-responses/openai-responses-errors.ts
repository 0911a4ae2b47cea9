import { GatewayError, GatewayErrorKind } from '../ir';
import { ResponsesErrorBody } from './openai-responses.types';
import { mapHttpStatusToErrorKind } from '../shared/map-http-status-to-error-kind';
import { scrubUpstreamMessage as scrubUpstreamText } from '../shared/scrub-upstream-message';
import { readRetryAfterMs } from '../shared/upstream-error-fields';

/**
 * Errors in the OpenAI shape, `{ error: { message, type, param, code } }`,
 * which the Responses API shares with Chat Completions; in a stream the same
 * fields travel flat in an `error` event.
 */
export function encodeOpenAiResponsesError(error: GatewayError): { status: number; body: ResponsesErrorBody } {
  const { type, code } =
    // OpenAI answers an unknown model with invalid_request_error / model_not_found (like the Chat codec).
    error.kind === 'not_found' && error.param === 'model'
      ? { type: 'invalid_request_error', code: 'model_not_found' }
      : errorTypeAndCode(error.kind);
  return {
    status: error.status,
    body: { error: { message: error.message, type, param: error.param ?? null, code } },
  };
}

/** `type` and `code` as OpenAI would send them for each kind. */
export function errorTypeAndCode(kind: GatewayErrorKind): { type: string; code: string | null } {
  switch (kind) {
    case 'invalid_request':
      return { type: 'invalid_request_error', code: null };
    case 'unsupported':
      return { type: 'invalid_request_error', code: 'unsupported_parameter' };
    case 'authentication':
      return { type: 'invalid_request_error', code: 'invalid_api_key' };
    case 'permission':
      return { type: 'invalid_request_error', code: 'permission_denied' };
    case 'not_found':
      return { type: 'invalid_request_error', code: 'not_found' };
    case 'payload_too_large':
      return { type: 'invalid_request_error', code: 'payload_too_large' };
    case 'unprocessable':
      return { type: 'invalid_request_error', code: 'unprocessable_entity' };
    case 'rate_limit':
      return { type: 'rate_limit_error', code: 'rate_limit_exceeded' };
    case 'quota_exceeded':
      return { type: 'insufficient_quota', code: 'insufficient_quota' };
    case 'timeout':
      return { type: 'server_error', code: 'timeout' };
    case 'overloaded':
      return { type: 'server_error', code: 'server_overloaded' };
    case 'upstream':
      return { type: 'server_error', code: 'upstream_error' };
    case 'internal':
      return { type: 'server_error', code: 'server_error' };
  }
}

type Headers = Record<string, string | string[] | undefined>;

/** Status codes where another attempt (another channel, or later) may succeed. */
const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/**
 * An upstream error answer → GatewayError. The message is the provider's,
 * scrubbed of keys, tokens and hosts; the kind follows the status, refined
 * by OpenAI's error code (insufficient_quota is a 429 too).
 */
export function decodeOpenAiResponsesError(status: number, body: unknown, headers: Headers = {}): GatewayError {
  const fields = readErrorFields(body);
  const kind = kindForStatus(status, fields.code ?? fields.type);
  const message = scrubUpstreamText(fields.message ?? `upstream answered HTTP ${status}`);
  return new GatewayError(kind, message, {
    param: fields.param ?? undefined,
    retryable: RETRYABLE_STATUS.has(status) || status >= 500 || kind === 'overloaded',
    retryAfterMs: readRetryAfterMs(headers),
    upstreamStatus: status,
  });
}

/**
 * An error reported inside a 200 answer: a stream `error` event, a
 * `response.failed` event, or a response object with status `failed`.
 */
export function decodeOpenAiResponsesErrorCode(code: string | null | undefined, message: string | null | undefined, param?: string | null): GatewayError {
  const [kind, retryable] = kindForCode(code);
  return new GatewayError(kind, scrubUpstreamText(message || `upstream failed${code ? ` (${code})` : ''}`), {
    param: param ?? undefined,
    retryable,
  });
}

function kindForStatus(status: number, code: string | null | undefined): GatewayErrorKind {
  return code === 'insufficient_quota' ? 'quota_exceeded' : mapHttpStatusToErrorKind(status);
}

function kindForCode(code: string | null | undefined): [GatewayErrorKind, boolean] {
  switch (code) {
    case 'rate_limit_exceeded':
      return ['rate_limit', true];
    case 'insufficient_quota':
      return ['quota_exceeded', true];
    case 'server_overloaded':
    case 'overloaded':
    case 'slow_down':
      return ['overloaded', true];
    case 'server_error':
    case 'internal_error':
    case 'vector_store_timeout':
    case null:
    case undefined:
      return ['upstream', true];
    default:
      // invalid_prompt, context_length_exceeded, invalid_image…: the input is at fault.
      return ['invalid_request', false];
  }
}

interface ErrorFields {
  message?: string;
  type?: string;
  code?: string;
  param?: string;
}

function readErrorFields(body: unknown): ErrorFields {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? { message: body.trim().slice(0, 500) } : {};
    }
  }
  if (!value || typeof value !== 'object') return {};
  const outer = value as Record<string, unknown>;
  const inner = outer.error && typeof outer.error === 'object' ? (outer.error as Record<string, unknown>) : outer;
  const text = (field: unknown) => (typeof field === 'string' && field ? field : undefined);
  return {
    message: text(inner.message) ?? (typeof outer.error === 'string' ? outer.error : undefined),
    type: text(inner.type),
    code: text(inner.code),
    param: text(inner.param),
  };
}

