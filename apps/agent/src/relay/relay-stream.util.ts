import { GatewayError, Protocol, SseMessage, codecFor, formatSse } from '@aigw/providers';
import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import { Exchange } from './exchange';

/** Re-frames a forwarded SSE message as its provider frames it (Gemini ends events with CRLF CRLF). */
export function forwardFrame(protocol: Protocol, message: SseMessage): string {
  if (protocol === 'gemini' && !message.data.includes('\n')) return `data: ${message.data}\r\n\r\n`;
  return formatSse(message.data, message.event);
}

/** An upstream's own in-stream error event (all four protocols). */
export function isUpstreamErrorFrame(message: SseMessage): boolean {
  if (message.event === 'error' || message.event === 'response.failed') return true;
  if (!message.data.startsWith('{')) return false;
  try {
    const data = JSON.parse(message.data) as Record<string, unknown>;
    return data.type === 'error' || data.type === 'response.failed' || (typeof data.error === 'object' && data.error !== null && !('choices' in data) && !('candidates' in data));
  } catch {
    return false;
  }
}

/** A JSON object, or OpenAI's `[DONE]`. */
export function isWellFormed(message: SseMessage): boolean {
  if (message.data === '[DONE]') return true;
  try {
    const data: unknown = JSON.parse(message.data);
    return typeof data === 'object' && data !== null && !Array.isArray(data);
  } catch {
    return false;
  }
}

/**
 * The in-stream error of a protocol, for a forwarded (not re-encoded) stream:
 * built from the protocol's own error body, so it needs no encoder state.
 */
export function passthroughErrorFrame(protocol: Protocol, error: GatewayError): string {
  const { body } = codecFor(protocol).encodeError(error);
  const fields = body as { error?: { message?: string; type?: string; code?: unknown; param?: unknown } };
  switch (protocol) {
    case 'anthropic':
      return formatSse(body, 'error');
    case 'openai-responses':
      return formatSse(
        { type: 'error', code: fields.error?.code ?? fields.error?.type ?? null, message: fields.error?.message ?? error.message, param: fields.error?.param ?? null },
        'error',
      );
    case 'openai-chat':
    case 'gemini':
      return formatSse(body);
  }
}


/** Resolves when the client can take more, or when it went away (then 'drain' never comes). */
export function waitForDrain(raw: NodeJS.WritableStream & { destroyed: boolean }): Promise<unknown> {
  if (raw.destroyed) return Promise.resolve();
  return Promise.race([once(raw as never, 'drain'), once(raw as never, 'close')]);
}

/** An unexpected failure: logged with its stack, answered as a plain internal error. */
export function relayInternalError(logger: Logger, error: unknown, exchange: Exchange): GatewayError {
  logger.error({ msg: 'relay failed', requestId: exchange.requestId, error: (error as Error)?.message, stack: (error as Error)?.stack });
  return new GatewayError('internal', 'internal error');
}
