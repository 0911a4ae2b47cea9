/**
 * The connect-time address check (docs/network-security.md), end to end: a
 * master whose HostResolver answers from a table the test sets (no real DNS),
 * channels on the fake provider (127.0.0.1) and channels whose host name
 * resolves, when the relay connects, to something else than when the
 * channel was saved.
 */
import { HostResolver, ResolvedAddress } from '@aigw/providers';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeProvider, FakeResponse, startFakeProvider } from '../fake-provider';
import { TestMaster, startTestMaster } from '../support/test-master';

const KEY = 'sk-aigw-ssrf-tests-0123456789abcdefghijkl';
const OK: FakeResponse = { kind: 'fixture', case: 'simpleRequest' };
const METADATA_REFUSAL = 'the gateway refused to connect to the upstream provider: its address is a cloud metadata service, which the gateway never connects to';

interface Gateway {
  master: TestMaster;
  /** What the resolver answers now, by name; other names do not resolve. */
  names: Record<string, string[]>;
  admin<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A channel (OpenAI type) serving a new logical model of the same name; the channel's id. */
  serve(name: string, baseUrl: string): Promise<string>;
  chat(model: string): Promise<{ status: number; text: string; body: any }>;
}

async function startGateway(fake: FakeProvider, config: Record<string, unknown> = {}): Promise<Gateway> {
  const master = await startTestMaster({
    config: {
      ...config,
      routing: { auto_disable_after: 0, breaker: { enabled: false } },
      bootstrap: { users: [{ username: 'ssrf-user', balance_usd: 1000 }], tokens: [{ name: 'ssrf', key: KEY, user: 'ssrf-user' }] },
    },
  });
  const names: Record<string, string[]> = {};
  vi.spyOn(master.master.app.get(HostResolver, { strict: false }), 'resolve').mockImplementation(async (hostname: string): Promise<ResolvedAddress[]> => {
    const addresses = names[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  });
  const admin = async (method: string, path: string, body?: unknown) => {
    const answer = await master.request(method, path, { token: master.adminToken, body });
    return { status: answer.status, body: answer.body };
  };
  return {
    master,
    names,
    admin,
    async serve(name, baseUrl) {
      const channel = await admin('POST', '/api/channels', { name, type: 'openai', base_url: baseUrl, key: fake.keys.openai });
      expect(channel.status, JSON.stringify(channel.body)).toBe(201);
      expect((await admin('POST', '/api/models', { name, price: { input: 1, output: 2 } })).status).toBe(201);
      expect((await admin('POST', '/api/routes', { model: name, channel_id: channel.body.id, upstream_model: 'gpt-4o-mini' })).status).toBe(201);
      return channel.body.id;
    },
    async chat(model) {
      const response = await fetch(new URL('/v1/chat/completions', master.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello.' }] }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) };
    },
  };
}

describe('connect-time address checks, default policy (loopback and private allowed)', () => {
  let fake: FakeProvider;
  let gateway: Gateway;
  let port: string;

  beforeAll(async () => {
    fake = await startFakeProvider();
    port = new URL(fake.url).port;
    gateway = await startGateway(fake);
  });
  afterAll(async () => {
    await gateway?.master.close();
    await fake?.close();
  });
  beforeEach(() => fake.reset());

  it('serves through a fake upstream on 127.0.0.1', async () => {
    await gateway.serve('loopback-literal', fake.baseUrls.openai);
    fake.respondWith(OK);
    const answer = await gateway.chat('loopback-literal');
    expect(answer.status, answer.text).toBe(200);
    expect(fake.received).toHaveLength(1);
  });

  it('connects to what a host name resolves to through the same resolver (here loopback: allowed)', async () => {
    gateway.names['models.example.test'] = ['127.0.0.1'];
    await gateway.serve('loopback-name', `http://models.example.test:${port}/v1`);
    fake.respondWith(OK);
    const answer = await gateway.chat('loopback-name');
    expect(answer.status, answer.text).toBe(200);
    expect(fake.received).toHaveLength(1);
  });

  it('refuses a name that resolved to a public address when saved and resolves to the metadata service at connect time (DNS rebinding)', async () => {
    gateway.names['rebind.example.test'] = ['93.184.216.34'];
    const channelId = await gateway.serve('rebind', `http://rebind.example.test:${port}/v1`);

    gateway.names['rebind.example.test'] = ['169.254.169.254'];
    const answer = await gateway.chat('rebind');
    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 502,
      body: { error: { message: METADATA_REFUSAL, type: 'server_error', param: null, code: 'upstream_error' } },
    });
    expect(answer.text).not.toContain('rebind.example.test');
    expect(fake.received).toHaveLength(0);

    // The admin API's channel test says the same, without the URL.
    const probe = await gateway.admin('POST', `/api/channels/${channelId}/test`, {});
    expect(probe.body).toMatchObject({ ok: false, status: null, error: 'upstream', message: METADATA_REFUSAL });
  });

  it('refuses a name that did not resolve when saved and resolves to a link-local address now', async () => {
    await gateway.serve('late-dns', `http://late-dns.example.test:${port}/v1`);
    gateway.names['late-dns.example.test'] = ['169.254.10.20'];
    const answer = await gateway.chat('late-dns');
    expect(answer.status).toBe(502);
    expect(answer.body.error.message).toBe(
      'the gateway refused to connect to the upstream provider: its address is a link-local address, which the gateway never connects to',
    );
    expect(fake.received).toHaveLength(0);
  });
});

describe('connect-time address checks with upstream_network refusing loopback', () => {
  let fake: FakeProvider;
  let gateway: Gateway;

  beforeAll(async () => {
    fake = await startFakeProvider();
    gateway = await startGateway(fake, { upstream_network: { allow_loopback: false } });
  });
  afterAll(async () => {
    await gateway?.master.close();
    await fake?.close();
  });

  it("refuses at connect time a name that resolves to the gateway's own host, from the relay's own config", async () => {
    // Saved while the name did not resolve (accepted: the check at connect time stands).
    await gateway.serve('sneaky', `http://sneaky.example.test:${new URL(fake.url).port}/v1`);
    gateway.names['sneaky.example.test'] = ['::ffff:127.0.0.1'];
    const answer = await gateway.chat('sneaky');
    expect(answer.status).toBe(502);
    expect(answer.body.error.message).toBe(
      "the gateway refused to connect to the upstream provider: its address is a loopback address (the gateway's own host), which this gateway is configured not to reach",
    );
    expect(fake.received).toHaveLength(0);
  });
});
