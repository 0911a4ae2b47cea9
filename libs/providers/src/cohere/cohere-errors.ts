import { GatewayError, GatewayErrorKind } from '../ir';
import { mapHttpStatusToErrorKind } from '../shared/map-http-status-to-error-kind';
import { readRetryAfterMs } from '../shared/upstream-error-fields';
import { scrubUpstreamMessage } from '../shared/scrub-upstream-message';

const MAX_MESSAGE_CHARS = 2000;

/**
 * Cohere's statuses beyond the common ones (https://docs.cohere.com/reference/errors,
 * and the error classes of cohere-ai/cohere-typescript's V2 client):
 * 402 the account's billing limit, 498 an invalid token, 499 a request
 * cancelled on Cohere's side.
 */
function errorKind(status: number): GatewayErrorKind {
  switch (status) {
    case 402:
      return 'quota_exceeded';
    case 498:
      return 'authentication';
    case 499:
      return 'upstream';
    default:
      return status >= 400 ? mapHttpStatusToErrorKind(status) : 'upstream';
  }
}

/** Another attempt (this channel later, or another one) may succeed; a 501 (the method is unknown to the server) never will. */
function isRetryable(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status === 499 || (status >= 500 && status !== 501);
}

/**
 * An upstream error answer → GatewayError. Cohere answers `{"id": "…",
 * "message": "…"}` (id optional); a proxy in front may answer text. The
 * message is scrubbed of keys and hosts and cut at 2,000 characters.
 */
export function decodeCohereError(status: number, body: unknown, headers?: Record<string, string | string[] | undefined>): GatewayError {
  const raw = readMessage(body) ?? `the Cohere upstream answered HTTP ${status}`;
  const message = scrubUpstreamMessage(raw.length > MAX_MESSAGE_CHARS ? `${raw.slice(0, MAX_MESSAGE_CHARS)}…` : raw);
  const options: GatewayError['options'] = { retryable: isRetryable(status), upstreamStatus: status };
  const retryAfterMs = readRetryAfterMs(headers);
  if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
  return new GatewayError(errorKind(status), message, options);
}

/**
 * A generation that failed mid-stream (`message-end` with `delta.error`, or
 * finish_reason ERROR): retryable only while the client has seen nothing.
 */
export function cohereStreamError(message: string | null | undefined, outputStarted: boolean): GatewayError {
  const text = typeof message === 'string' && message.trim() !== '' ? message : 'the Cohere generation failed';
  return new GatewayError('upstream', scrubUpstreamMessage(text.slice(0, MAX_MESSAGE_CHARS)), { retryable: !outputStarted, upstreamStatus: 200 });
}

function readMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      const text = body.trim();
      return text !== '' && !text.startsWith('<') && text.length <= 500 ? text : undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const message = (parsed as { message?: unknown }).message;
  return typeof message === 'string' && message.trim() !== '' ? message : undefined;
}
