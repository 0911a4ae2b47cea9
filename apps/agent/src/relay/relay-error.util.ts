import { GatewayError, Protocol, codecFor } from '@aigw/providers';
import { HttpException } from '@nestjs/common';

/** The client protocol a data-plane URL speaks, or null for anything else. */
export function protocolForUrl(url: string): Protocol | null {
  const path = url.split('?')[0];
  if (path.startsWith('/v1beta/') || /^\/v1\/models\/[^/]+:[A-Za-z]+$/.test(path)) return 'gemini';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  if (path === '/v1/responses' || path.startsWith('/v1/responses/')) return 'openai-responses';
  if (path.startsWith('/v1/')) return 'openai-chat';
  return null;
}

/**
 * Errors raised before a relay handler runs (malformed JSON, a body over the
 * limit, an unknown /v1 route) answered in the client protocol's own shape.
 */
export function relayErrorResponse(url: string, exception: unknown): { status: number; body: unknown } | null {
  const protocol = protocolForUrl(url);
  if (!protocol) return null;
  return codecFor(protocol).encodeError(toGatewayError(exception));
}

export function toGatewayError(exception: unknown): GatewayError {
  if (exception instanceof GatewayError) return exception;
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : Number((exception as { statusCode?: unknown; status?: unknown })?.statusCode ?? (exception as { status?: unknown })?.status);
  switch (status) {
    case 400:
    case 415:
      return new GatewayError('invalid_request', describe(exception, 'the request body is not valid JSON'));
    case 404:
      return new GatewayError('not_found', 'no such endpoint');
    case 413:
      return new GatewayError('payload_too_large', 'the request body is too large');
    default:
      return new GatewayError('internal', 'internal error');
  }
}

function describe(exception: unknown, fallback: string): string {
  const message = (exception as Error)?.message;
  // Fastify's parser messages are safe to show ("Unexpected token } in JSON at position 9"); keep them short.
  return message && message.length < 300 ? message : fallback;
}
