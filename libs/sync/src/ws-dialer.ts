import { SYNC_CLOSE, SYNC_PATH } from '@aigw/contracts';
import WebSocket, { RawData } from 'ws';
import { SyncDialer } from './sync-options';

/** Largest frame an agent accepts from the master (a snapshot of a large deployment). */
export const AGENT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

/**
 * The key that masks the agent's frames: zero, which `ws` sends without
 * touching the payload. Masking with a random key (RFC 6455 §5.3) keeps a
 * script in a browser from steering what a transparent proxy sees; the agent
 * is no browser, its frames are JSON (no raw CR or LF: nothing a proxy could
 * read as an HTTP request) and travel over TLS in production. A random key
 * made the agent copy and XOR every usage frame, about 1.5 µs per record.
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

/** The sync endpoint's URL for a master base URL (http → ws, https → wss). */
export function syncUrl(masterUrl: string): string {
  const url = new URL(SYNC_PATH, masterUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Dials the master's sync endpoint over a WebSocket, presenting the agent
 * credential at the upgrade. An upgrade refused with 403 means the agent was
 * revoked (reported as close code 4003: the client stops); anything else is
 * a closed connection to retry.
 */
export function webSocketDialer(masterUrl: string, credential: string, maxFrameBytes = AGENT_MAX_FRAME_BYTES): SyncDialer {
  const url = syncUrl(masterUrl);
  return (events) => {
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${credential}` },
      maxPayload: maxFrameBytes,
      handshakeTimeout: 10_000,
      perMessageDeflate: false,
      generateMask: zeroMask,
    });
    let closed = false;
    const close = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      events.close(code, reason);
    };
    socket.on('open', () => events.open());
    socket.on('message', (data: RawData) => events.message(data.toString()));
    socket.on('unexpected-response', (_request, response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      socket.terminate();
      close(status === 403 ? SYNC_CLOSE.revoked : 1006, `the master refused the connection (HTTP ${status})`);
    });
    socket.on('close', (code: number, reason: Buffer) => close(code, reason.toString()));
    socket.on('error', (error: Error) => close(1006, error.message));
    return {
      send: (text, written) => socket.send(text, { binary: false }, written && (() => written())),
      close: (code, reason) => {
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(code, reason);
      },
    };
  };
}
