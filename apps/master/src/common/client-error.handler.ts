import { GatewayError, codecFor } from '@aigw/providers';
import { Socket } from 'node:net';
import { protocolForUrl } from '../../../agent/src/relay/relay-error.util';

/**
 * Errors the HTTP parser raises before any route runs (a URL or header block
 * over the size limit, a malformed request line). When the request line made
 * it into the buffer, a /v1 client still gets its protocol's error shape;
 * otherwise the /api shape.
 */
export function handleClientError(failure: Error, socket: Socket): void {
  const error = failure as Error & { code?: string; rawPacket?: Buffer };
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const message = tooLarge ? 'the request line or headers are too large' : 'malformed HTTP request';
  const path = /^[A-Z]+ (\/\S*)/.exec(error.rawPacket?.subarray(0, 4096).toString('latin1') ?? '')?.[1];
  const protocol = path ? protocolForUrl(path) : null;
  const body = JSON.stringify(
    protocol
      ? codecFor(protocol).encodeError(new GatewayError('invalid_request', message, { status })).body
      : { error: { code: 'validation_failed', message }, request_id: null },
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
