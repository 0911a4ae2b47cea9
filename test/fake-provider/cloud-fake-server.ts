import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './read-body';
import type { HttpRequestRecord } from './types';

/** One request as a cloud fake (Vertex, Azure) received it. */
export type CloudRequest = HttpRequestRecord;

/** What a cloud fake writes. */
export type CloudAnswer =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'stream'; frames: string[]; contentType: string; headers?: Record<string, string> };

/** A scripted answer for the next matching API request (after the fake's own auth checks). */
export type CloudScript = CloudAnswer | ((request: CloudRequest) => CloudAnswer);

/**
 * The HTTP half of a cloud provider fake: a node:http server on 127.0.0.1
 * that parses requests, records them, and lets a test queue answers for the
 * API requests the dialect passes to takeScripted().
 */
export class CloudFakeServer {
  readonly received: CloudRequest[] = [];
  private readonly scripted: Array<{ script: CloudScript; remaining: number }> = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly handle: (request: CloudRequest) => CloudAnswer | Promise<CloudAnswer>) {}

  async start(): Promise<this> {
    const server = createServer((incoming, response) => {
      this.serve(incoming, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`cloud fake: ${(error as Error).message}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Queue an answer for the next `times` API requests. */
  respondWith(script: CloudScript, times = 1): void {
    this.scripted.push({ script, remaining: times });
  }

  /** The queued answer for this request, if any (consumed). */
  takeScripted(request: CloudRequest): CloudAnswer | undefined {
    const entry = this.scripted[0];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.scripted.shift();
    return typeof entry.script === 'function' ? entry.script(request) : entry.script;
  }

  /** Forget received requests and queued answers. */
  reset(): void {
    this.received.length = 0;
    this.scripted.length = 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  private async serve(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(incoming.url ?? '/', 'http://cloud-fake');
    const rawBody = await readBody(incoming);
    const form = String(incoming.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    let body: any;
    if (form) body = Object.fromEntries(new URLSearchParams(rawBody));
    else if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
    }
    const request: CloudRequest = { method: incoming.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...incoming.headers }, body, rawBody };
    this.received.push(request);
    const answer = await this.handle(request);
    if (answer.kind === 'json') {
      const text = JSON.stringify(answer.body, null, 2);
      response.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(Buffer.byteLength(text)), ...answer.headers });
      response.end(text);
      return;
    }
    response.writeHead(200, { 'content-type': answer.contentType, 'cache-control': 'no-cache', ...answer.headers });
    response.flushHeaders();
    for (const frame of answer.frames) {
      if (response.destroyed) return;
      await new Promise<void>((resolve) => response.write(frame, () => resolve()));
    }
    response.end();
  }
}
