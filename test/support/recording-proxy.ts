import { AddressInfo, Server, Socket, createServer, connect } from 'node:net';

/** A TCP proxy that records every byte both ways (to inspect what crosses the wire). */
export interface RecordingProxy {
  url: string;
  port: number;
  /** Everything the target sent to clients, concatenated. */
  downstream(): Buffer;
  /** Everything clients sent to the target. */
  upstream(): Buffer;
  close(): Promise<void>;
}

export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const down: Buffer[] = [];
  const up: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const target = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(target);
    client.on('data', (chunk) => up.push(Buffer.from(chunk)));
    target.on('data', (chunk) => down.push(Buffer.from(chunk)));
    client.pipe(target);
    target.pipe(client);
    const end = () => {
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on('error', end).on('close', end);
    target.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    downstream: () => Buffer.concat(down),
    upstream: () => Buffer.concat(up),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
