import { SYNC_CLOSE, SYNC_PATH } from '@aigw/contracts';
import WebSocket, { RawData } from 'ws';
import { SyncDialer } from './sync-options';

/** Largest frame an agent accepts from the master (a snapshot of a large deployment). */
export const AGENT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

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
      send: (text) => socket.send(text, { binary: false }),
      close: (code, reason) => {
        if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
        else socket.close(code, reason);
      },
    };
  };
}
