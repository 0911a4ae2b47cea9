import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { webSocketDialer } from './ws-dialer';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A bare TCP server that accepts one WebSocket upgrade and hands back the request head and the bytes of the first frame. */
function rawSyncEndpoint(): Promise<{ url: string; upgrade: Promise<{ head: string; frame: Buffer }>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let resolveUpgrade!: (value: { head: string; frame: Buffer }) => void;
  const upgrade = new Promise<{ head: string; frame: Buffer }>((resolve) => (resolveUpgrade = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    let head: string | null = null;
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (head === null) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buffered.subarray(0, end).toString('latin1');
        buffered = buffered.subarray(end + 4);
        const key = /sec-websocket-key: *(\S+)/i.exec(head)![1];
        const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      }
      if (buffered.length >= 2) {
        const length = buffered[1] & 0x7f;
        if (length < 126 && buffered.length >= 6 + length) resolveUpgrade({ head, frame: buffered.subarray(0, 6 + length) });
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        upgrade,
        close: () => {
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

describe('webSocketDialer', () => {
  let endpoint: Awaited<ReturnType<typeof rawSyncEndpoint>> | null = null;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = null;
  });

  it('presents the credential, and sends text frames masked with a zero key: the payload goes out as written, and says when it is', async () => {
    endpoint = await rawSyncEndpoint();
    const closed: Array<[number, string]> = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const link = webSocketDialer(endpoint.url, 'agent-credential')({ open: () => opened(), message: () => undefined, close: (code, reason) => closed.push([code, reason]) });
    await open;
    const text = '{"type":"usage","records":[]}';
    const written = new Promise<void>((resolve) => link.send(Buffer.from(text), resolve));
    const { head, frame } = await endpoint.upgrade;
    await written; // the link says when it no longer reads the bytes it was given
    expect(head).toMatch(/^GET \/[^ ]* HTTP\/1\.1/);
    expect(head).toMatch(/authorization: Bearer agent-credential/i);
    expect(frame[0]).toBe(0x81); // FIN, text
    expect(frame[1] & 0x80).toBe(0x80); // masked, as a client must
    expect(frame[1] & 0x7f).toBe(Buffer.byteLength(text));
    expect([...frame.subarray(2, 6)]).toEqual([0, 0, 0, 0]);
    expect(frame.subarray(6).toString('utf8')).toBe(text);
    link.close(1000, 'done');
    expect(closed).toEqual([]);
  });
});
