import { DEFAULT_MEDIA_FETCH, MediaFetchPolicy } from '@aigw/contracts';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../ir/gateway-error';
import { fetchImageBytes } from './fetch-image';
import { HostResolver, ResolvedAddress } from './host-resolver';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** Answers from a table; unknown names do not resolve. */
class TableResolver extends HostResolver {
  constructor(private readonly table: Record<string, string[]>) {
    super();
  }

  override async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const addresses = this.table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

const resolver = new TableResolver({
  'images.example.test': ['127.0.0.1'],
  'cdn.images.example.test': ['127.0.0.1'],
  'imds.example.test': ['169.254.169.254'],
  'lan.example.test': ['192.168.7.7'],
});

/** Fetching enabled; private addresses allowed so the test server on 127.0.0.1 can answer. */
const ENABLED: MediaFetchPolicy = { ...DEFAULT_MEDIA_FETCH, fetchImageUrls: true, allowPrivate: true, timeoutMs: 2_000 };

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('fetchImageBytes', () => {
  let server: Server;
  let base: string;
  let port: number;
  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
    '/cat.png': (_request, response) => response.writeHead(200, { 'content-type': 'image/png; charset=binary' }).end(PNG),
    '/redirect': (_request, response) => response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }).end(),
    '/page.html': (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'),
    '/untyped': (_request, response) => response.writeHead(200).end(PNG),
    '/missing.png': (_request, response) => response.writeHead(404, { 'content-type': 'text/plain' }).end('no'),
    '/declared-huge.png': (_request, response) => response.writeHead(200, { 'content-type': 'image/png', 'content-length': String(64 * 1024 * 1024) }).end(),
    '/endless.png': (_request, response) => {
      // Chunked, no length: only the running count can stop it.
      response.writeHead(200, { 'content-type': 'image/png' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
    },
    '/silent.png': () => undefined,
    '/stalls.png': (_request, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.write(PNG.subarray(0, 4));
    },
  };

  beforeAll(async () => {
    server = createServer((request, response) => (routes[request.url ?? ''] ?? routes['/missing.png'])(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches an image: bytes and bare media type', async () => {
    expect(await fetchImageBytes(`${base}/cat.png`, ENABLED, { resolver })).toEqual({ mediaType: 'image/png', bytes: PNG });
    expect(await fetchImageBytes(`http://images.example.test:${port}/cat.png`, ENABLED, { resolver })).toEqual({ mediaType: 'image/png', bytes: PNG });
  });

  it('fetches nothing unless media.fetch_image_urls is on', async () => {
    const error = await failure(fetchImageBytes(`${base}/cat.png`, { ...ENABLED, fetchImageUrls: false }, { resolver, param: 'messages[0].content[1].image_url' }));
    expect(error.kind).toBe('unsupported');
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].content[1].image_url');
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://0xa9fea9fe/',
    'http://2852039166/',
    'http://0251.0376.0251.0376/',
    'http://169.254.43518/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[fd00:ec2::254]/',
    'http://100.100.100.200/',
    'http://public.example.com@169.254.169.254/',
    'http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/',
    'http://imds.example.test/cat.png',
    'http://169.254.1.1/cat.png',
    'http://[fe80::1]/cat.png',
  ])('refuses %s (metadata, link-local) even with private addresses allowed', async (url) => {
    const error = await failure(fetchImageBytes(url, ENABLED, { resolver }));
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toMatch(/^the image URL is refused: its host is a (cloud metadata service|link-local address), which the gateway never connects to$/);
  });

  it.each([
    `http://127.0.0.1/cat.png`,
    'http://2130706433/cat.png',
    'http://0x7f.1/cat.png',
    'http://127.1/cat.png',
    'http://0177.0.0.1/cat.png',
    'http://[::1]/cat.png',
    'http://[::ffff:7f00:1]/cat.png',
    'http://localhost/cat.png',
    'http://images.example.test/cat.png',
    'http://10.0.0.1/cat.png',
    'http://192.168.0.1/cat.png',
    'http://[fd12::1]/cat.png',
    'http://lan.example.test/cat.png',
  ])('refuses %s (loopback, private) by default', async (url) => {
    const error = await failure(fetchImageBytes(url, { ...ENABLED, allowPrivate: false }, { resolver }));
    expect(error.message).toMatch(/^the image URL is refused: its host is a (loopback|private-network) address/);
  });

  it('refuses a redirect, even one the test server (allowed) sends towards the metadata service', async () => {
    const error = await failure(fetchImageBytes(`${base}/redirect`, ENABLED, { resolver }));
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toBe('the image URL answered with a redirect (HTTP 302), which the gateway does not follow');
  });

  it('refuses what is not an image, and error statuses', async () => {
    expect((await failure(fetchImageBytes(`${base}/page.html`, ENABLED, { resolver }))).message).toBe('the image URL did not answer with an image (content type image/*)');
    expect((await failure(fetchImageBytes(`${base}/untyped`, ENABLED, { resolver }))).message).toBe('the image URL did not answer with an image (content type image/*)');
    expect((await failure(fetchImageBytes(`${base}/missing.png`, ENABLED, { resolver }))).message).toBe('the image URL answered HTTP 404');
  });

  it('cuts the download beyond max_bytes: a declared length at once, a chunked body while it streams', async () => {
    const policy = { ...ENABLED, maxBytes: 1024 * 1024 };
    const declared = await failure(fetchImageBytes(`${base}/declared-huge.png`, policy, { resolver }));
    expect(declared.kind).toBe('payload_too_large');
    expect(declared.status).toBe(413);
    const streamed = await failure(fetchImageBytes(`${base}/endless.png`, policy, { resolver }));
    expect(streamed.kind).toBe('payload_too_large');
    expect(streamed.message).toBe('the image at the URL is larger than 1048576 bytes, the most this gateway fetches');
    // An image within the cap still passes.
    expect((await fetchImageBytes(`${base}/cat.png`, { ...policy, maxBytes: PNG.length }, { resolver })).bytes).toEqual(PNG);
  });

  it('gives up after timeout_ms, before the headers and mid-body', async () => {
    const policy = { ...ENABLED, timeoutMs: 200 };
    for (const path of ['/silent.png', '/stalls.png']) {
      const started = performance.now();
      const error = await failure(fetchImageBytes(`${base}${path}`, policy, { resolver }));
      expect(error.message).toBe('the image URL did not answer within 200 ms');
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it('fetches only http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/cat.png', 'gopher://127.0.0.1:6379/_INFO', 'data:image/png;base64,iVBORw0KGgo=']) {
      expect((await failure(fetchImageBytes(url, ENABLED, { resolver }))).message).toBe('the image URL must be http or https');
    }
    expect((await failure(fetchImageBytes('not a url', ENABLED, { resolver }))).message).toBe('the image URL is not a valid URL');
  });

  it('fetches only from media.allowed_hosts when the list is not empty', async () => {
    const policy = { ...ENABLED, allowedHosts: ['*.images.example.test', 'other.example.test'] };
    expect((await fetchImageBytes(`http://cdn.images.example.test:${port}/cat.png`, policy, { resolver })).bytes).toEqual(PNG);
    for (const url of [`${base}/cat.png`, `http://images.example.test:${port}/cat.png`, `http://evil.test@127.0.0.1:${port}/cat.png`]) {
      expect((await failure(fetchImageBytes(url, policy, { resolver }))).message).toBe('the image URL is not on a host this gateway fetches images from');
    }
  });

  it('answers 499 when the client goes away', async () => {
    const controller = new AbortController();
    const pending = fetchImageBytes(`${base}/silent.png`, ENABLED, { resolver, signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).status).toBe(499);
  });
});
