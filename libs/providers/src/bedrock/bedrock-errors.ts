import { GatewayError, GatewayErrorKind } from '../ir';
import { mapHttpStatusToErrorKind } from '../shared/map-http-status-to-error-kind';
import { scrubUpstreamMessage } from '../shared/scrub-upstream-message';
import { headerValue, parseErrorBody } from '../shared/upstream-error-fields';

/**
 * Bedrock runtime errors: a JSON body `{"message": "…"}` and the exception
 * name in the `x-amzn-errortype` header
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html);
 * in event streams, an `exception` frame whose `:exception-type` header
 * names it in lower camel case (throttlingException). Keys are lower-cased
 * exception names.
 */
const KIND_BY_EXCEPTION: Record<string, GatewayErrorKind> = {
  throttlingexception: 'rate_limit',
  servicequotaexceededexception: 'rate_limit',
  validationexception: 'invalid_request',
  accessdeniedexception: 'permission',
  unrecognizedclientexception: 'authentication',
  invalidsignatureexception: 'authentication',
  incompletesignatureexception: 'authentication',
  missingauthenticationtokenexception: 'authentication',
  expiredtokenexception: 'authentication',
  resourcenotfoundexception: 'not_found',
  modelnotreadyexception: 'overloaded',
  serviceunavailableexception: 'overloaded',
  internalserverexception: 'upstream',
  modelerrorexception: 'upstream',
  modelstreamerrorexception: 'upstream',
  conflictexception: 'upstream',
  modeltimeoutexception: 'timeout',
};

/** Kinds another attempt (later, or on another channel) may get past. */
const RETRYABLE_KINDS: ReadonlySet<GatewayErrorKind> = new Set(['rate_limit', 'overloaded', 'timeout', 'upstream']);
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504]);

/** `ValidationException:http://internal.amazon.com/…` or `com.amazon.coral.validate#ValidationException` → the bare name. */
export function bedrockExceptionName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const name = value.split(':')[0].split('#').pop()!.trim();
  return name === '' ? undefined : name;
}

/** The kind an exception name means; undefined when unknown (the status decides). */
export function bedrockExceptionKind(name: string | undefined): GatewayErrorKind | undefined {
  return name ? KIND_BY_EXCEPTION[name.toLowerCase()] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `message` (Bedrock), `Message` (some AWS front ends); else the text body when short and not HTML. */
function messageOf(parsed: unknown): string | undefined {
  if (isRecord(parsed)) {
    const message = parsed.message ?? parsed.Message;
    return typeof message === 'string' && message.trim() !== '' ? message : undefined;
  }
  if (typeof parsed === 'string' && parsed.trim() !== '' && parsed.length <= 500 && !parsed.trimStart().startsWith('<')) return parsed.trim();
  return undefined;
}

/**
 * A Bedrock error answer (status, parsed JSON or text body, headers) →
 * GatewayError. The exception name (header, else the body's `__type`)
 * decides the kind, the status otherwise: a 403 UnrecognizedClientException
 * is a bad key (authentication), a 403 AccessDeniedException a missing
 * model grant (permission). Throttling, unavailability, timeouts and
 * internal errors are retryable; the message is scrubbed of keys and hosts.
 */
export function decodeBedrockError(status: number, body: unknown, headers?: Record<string, string | string[] | undefined>): GatewayError {
  const parsed = parseErrorBody(body);
  const name = bedrockExceptionName(headerValue(headers, 'x-amzn-errortype') ?? (isRecord(parsed) && typeof parsed.__type === 'string' ? parsed.__type : undefined));
  let kind = bedrockExceptionKind(name) ?? mapHttpStatusToErrorKind(status);
  if (kind === 'invalid_request' && status === 413) kind = 'payload_too_large';
  const message = messageOf(parsed) ?? `The Bedrock upstream answered HTTP ${status}${name ? ` (${name})` : ''}`;
  const retryable = RETRYABLE_KINDS.has(kind) || RETRYABLE_STATUSES.has(status);
  return new GatewayError(kind, scrubUpstreamMessage(message), { retryable, upstreamStatus: status });
}

/** An `exception` frame of a Bedrock event stream (no HTTP status of its own): the exception name decides. */
export function decodeBedrockStreamException(exceptionType: string | undefined, payload: unknown): GatewayError {
  const kind = bedrockExceptionKind(exceptionType) ?? 'upstream';
  const message = messageOf(parseErrorBody(payload)) ?? `The Bedrock upstream reported ${exceptionType ?? 'an error'} mid-stream`;
  return new GatewayError(kind, scrubUpstreamMessage(message), { retryable: RETRYABLE_KINDS.has(kind) });
}
