import { AddressPolicy, DEFAULT_UPSTREAM_NETWORK } from '@aigw/contracts';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../ir/gateway-error';
import { UpstreamClient } from '../upstream/upstream-client';
import { HostResolver, ResolvedAddress } from './host-resolver';

const STRICT: AddressPolicy = { allowLoopback: false, allowPrivate: false };

/** A resolver whose answers the test sets, counting the questions. */
class ScriptedResolver extends HostResolver {
  answers: Record<string, string[]> = {};
  lookups = 0;

  override async resolve(hostname: string): Promise<ResolvedAddress[]> {
    this.lookups += 1;
    const addresses = this.answers[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

describe('the upstream client refuses connections the address policy refuses', () => {
  let server: Server;
  let port: number;
  let connections = 0;
  const clients: UpstreamClient[] = [];

  const client = (network: AddressPolicy, resolver = new ScriptedResolver()) => {
    const created = new UpstreamClient({ network, resolver });
    clients.push(created);
    return created;
  };
  const send = (upstream: UpstreamClient, url: string, poolKey = 'channel-1') =>
    upstream.send({ poolKey, url, headers: { 'content-type': 'application/json' }, body: '{}', signal: new AbortController().signal });
  const refusal = async (promise: Promise<unknown>): Promise<GatewayError> => {
    const error = await promise.then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end('{"ok":true}'));
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((created) => created.close()));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reaches a model server on 127.0.0.1 by default', async () => {
    const answer = await send(client(DEFAULT_UPSTREAM_NETWORK), `http://127.0.0.1:${port}/v1/chat/completions`);
    expect(answer.status).toBe(200);
    expect(await answer.body.json()).toEqual({ ok: true });
  });

  it('refuses 127.0.0.1 when loopback is not allowed, before connecting, without echoing the URL; not retryable', async () => {
    const before = connections;
    const error = await refusal(send(client(STRICT), `http://127.0.0.1:${port}/v1/chat/completions`));
    expect(error.kind).toBe('upstream');
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      "the gateway refused to connect to the upstream provider: its address is a loopback address (the gateway's own host), which this gateway is configured not to reach",
    );
    expect(error.message).not.toContain(String(port));
    expect(connections).toBe(before);
  });

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://[::ffff:a9fe:a9fe]/', 'http://metadata.google.internal./'])(
    'refuses %s at once, even with every switch on',
    async (url) => {
      const error = await refusal(send(client({ allowLoopback: true, allowPrivate: true }), url));
      expect(error.message).toMatch(/its address is a cloud metadata service/);
      expect(error.retryable).toBe(false);
    },
  );

  it('judges a name by what it resolves to at connect time: a later answer of a refused address is refused (DNS rebinding)', async () => {
    const resolver = new ScriptedResolver();
    resolver.answers['models.example.test'] = ['127.0.0.1'];
    const upstream = client(DEFAULT_UPSTREAM_NETWORK, resolver);
    expect((await send(upstream, `http://models.example.test:${port}/v1`)).status).toBe(200);

    resolver.answers['models.example.test'] = ['169.254.169.254'];
    const error = await refusal(send(upstream, `http://models.example.test:${port}/v1`, 'channel-2'));
    expect(error.message).toMatch(/its address is a cloud metadata service/);
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const resolver = new ScriptedResolver();
    resolver.answers['mixed.example.test'] = ['127.0.0.1', '169.254.170.2'];
    const error = await refusal(send(client(DEFAULT_UPSTREAM_NETWORK, resolver), `http://mixed.example.test:${port}/v1`));
    expect(error.message).toMatch(/cloud metadata/);
  });

  it('checks per new connection only: keep-alive requests reuse the checked connection', async () => {
    const resolver = new ScriptedResolver();
    resolver.answers['models.example.test'] = ['127.0.0.1'];
    const upstream = client(DEFAULT_UPSTREAM_NETWORK, resolver);
    const before = connections;
    const requests = 10;
    for (let index = 0; index < requests; index += 1) {
      const answer = await send(upstream, `http://models.example.test:${port}/v1`);
      await answer.body.dump();
    }
    // undici may open a second connection while the first is being released; each is checked once.
    expect(resolver.lookups).toBe(connections - before);
    expect(resolver.lookups).toBeLessThan(requests / 2);
  });

  it('keeps an unresolvable name a retryable connection failure, as before', async () => {
    const error = await refusal(send(client(DEFAULT_UPSTREAM_NETWORK), `http://nowhere.example.test:${port}/v1`));
    expect(error.message).toBe('could not reach the upstream provider');
    expect(error.retryable).toBe(true);
  });
});
