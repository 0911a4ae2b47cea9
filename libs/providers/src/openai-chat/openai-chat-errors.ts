import { GatewayError, GatewayErrorKind } from '../ir';
import { OpenAiChatErrorBody, OpenAiChatErrorObject } from './openai-chat.types';
import { isJsonObject } from './read-json.util';
import { mapHttpStatusToErrorKind } from '../shared/map-http-status-to-error-kind';
import { scrubUpstreamMessage } from '../shared/scrub-upstream-message';
import { readRetryAfterMs } from '../shared/upstream-error-fields';

/** `type` and `code` of OpenAI's error object per kind, as the API itself answers. */
function errorShape(error: GatewayError): { type: string; code: string | null } {
  const kind: GatewayErrorKind = error.kind;
  switch (kind) {
    case 'invalid_request':
      return { type: 'invalid_request_error', code: null };
    case 'unsupported':
      return { type: 'invalid_request_error', code: 'unsupported_parameter' };
    case 'authentication':
      return { type: 'authentication_error', code: 'invalid_api_key' };
    case 'permission':
      return { type: 'permission_error', code: null };
    case 'not_found':
      // OpenAI answers an unknown model with invalid_request_error / model_not_found.
      return { type: 'invalid_request_error', code: error.param === 'model' ? 'model_not_found' : 'not_found' };
    case 'payload_too_large':
      return { type: 'invalid_request_error', code: 'request_too_large' };
    case 'unprocessable':
      return { type: 'invalid_request_error', code: null };
    case 'rate_limit':
      return { type: 'requests', code: 'rate_limit_exceeded' };
    case 'quota_exceeded':
      return { type: 'insufficient_quota', code: 'insufficient_quota' };
    case 'timeout':
      return { type: 'server_error', code: 'timeout' };
    case 'overloaded':
      return { type: 'server_error', code: 'server_overloaded' };
    case 'upstream':
      return { type: 'server_error', code: 'upstream_error' };
    case 'internal':
      return { type: 'server_error', code: null };
  }
}

/** The error object alone (also the payload of an in-stream error). */
export function encodeOpenAiChatErrorBody(error: GatewayError): OpenAiChatErrorBody {
  const { type, code } = errorShape(error);
  return { error: { message: error.message, type, param: error.param ?? null, code } };
}

export function encodeOpenAiChatError(error: GatewayError): { status: number; body: OpenAiChatErrorBody } {
  return { status: error.status, body: encodeOpenAiChatErrorBody(error) };
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * An upstream error answer → GatewayError. Retryable: 408, 409, 429 (rate
 * limit and quota: another channel may have budget), 5xx and 529, and any
 * "overloaded" answer; 400/401/403/404/413/422 are not. The message is
 * scrubbed of keys and hosts (OpenAI echoes a masked key on 401).
 */
export function decodeOpenAiChatError(status: number, body: unknown, headers?: Headers): GatewayError {
  const error = readErrorObject(body);
  const rawMessage = typeof error.message === 'string' && error.message.trim() !== '' ? error.message : `the upstream answered HTTP ${status}`;
  const message = scrubUpstreamMessage(rawMessage.length > 2000 ? `${rawMessage.slice(0, 2000)}…` : rawMessage);
  const kind = errorKind(status, error, rawMessage);
  const options: GatewayError['options'] = { retryable: isRetryable(kind, status), upstreamStatus: status };
  if (typeof error.param === 'string' && error.param !== '') options.param = error.param;
  const retryAfterMs = readRetryAfterMs(headers);
  if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
  return new GatewayError(kind, message, options);
}

/** `{error:{…}}`, `{error:"…"}`, `{message:"…"}`, `[{error:{…}}]` or plain text. */
function readErrorObject(body: unknown): OpenAiChatErrorObject {
  if (Array.isArray(body)) return readErrorObject(body[0]);
  if (typeof body === 'string') return { message: body };
  if (!isJsonObject(body)) return {};
  if (isJsonObject(body.error)) return body.error as OpenAiChatErrorObject;
  if (typeof body.error === 'string') return { message: body.error };
  if (typeof body.message === 'string') return { message: body.message, type: typeof body.type === 'string' ? body.type : null };
  return {};
}

function errorKind(status: number, error: OpenAiChatErrorObject, message: string): GatewayErrorKind {
  const type = String(error.type ?? '');
  const code = String(error.code ?? '');
  if (type === 'insufficient_quota' || code === 'insufficient_quota' || status === 402) return 'quota_exceeded';
  if (/overloaded/i.test(type) || /overloaded/i.test(code) || (status >= 500 && /overloaded/i.test(message)) || status === 529) {
    return 'overloaded';
  }
  // An error answer below 400 (an in-body error) is the upstream's fault.
  return status >= 400 ? mapHttpStatusToErrorKind(status) : 'upstream';
}

function isRetryable(kind: GatewayErrorKind, status: number): boolean {
  switch (kind) {
    case 'rate_limit':
    case 'quota_exceeded':
    case 'timeout':
    case 'overloaded':
    case 'upstream':
      return true;
    default:
      return status === 408 || status === 409;
  }
}

/** HTTP status an error object implies, for errors that arrive inside a 200 answer or stream. */
function impliedStatus(error: OpenAiChatErrorObject): number {
  const type = String(error.type ?? '');
  const code = String(error.code ?? '');
  if (type === 'insufficient_quota' || code === 'insufficient_quota') return 429;
  if (code === 'rate_limit_exceeded' || type === 'rate_limit_error' || type === 'requests' || type === 'tokens') return 429;
  if (type === 'invalid_request_error') return code === 'model_not_found' ? 404 : 400;
  if (type === 'authentication_error' || code === 'invalid_api_key') return 401;
  if (type === 'permission_error') return 403;
  if (/overloaded/i.test(type) || /overloaded/i.test(code)) return 503;
  return 500;
}

/**
 * An error object inside a 200 answer: a `data: {"error":{…}}` stream
 * message, or a compatible server's 200 error body. Retryable only while
 * nothing was sent to the client (an error before the first output byte may
 * go to another channel; after it, the client has a partial answer).
 */
export function decodeOpenAiChatInBandError(error: OpenAiChatErrorObject, outputStarted: boolean): GatewayError {
  const decoded = decodeOpenAiChatError(impliedStatus(error), { error });
  return new GatewayError(decoded.kind, decoded.message, {
    ...decoded.options,
    retryable: decoded.retryable && !outputStarted,
    upstreamStatus: 200,
  });
}

