import { HostResolver, ResolvedAddress } from '@aigw/providers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BootstrapError, BootstrapService } from '../../apps/master/src/services/bootstrap.service';
import { expectInvalid } from '../support/api-assertions';
import { dumpTables } from '../support/table-dump';
import { HttpResult, RequestOptions, TestMaster, startTestMaster } from '../support/test-master';

const METADATA = 'its host is a cloud metadata service, which the gateway never connects to';
const LINK_LOCAL = 'its host is a link-local address, which the gateway never connects to';
const LOOPBACK = "its host is a loopback address (the gateway's own host), which this gateway is configured not to reach";
const PRIVATE = 'its host is a private-network address, which this gateway is configured not to reach';
/**
 * The DTO's URL check (validator.js isURL) answers first for the odder spellings and refuses them as
 * malformed, whatever they reach; the address policy itself reads them too (check-host.spec.ts), and so
 * does the connect-time check (undici accepts them).
 */
const MALFORMED = 'must be a URL address';

/** Names the tests' resolver answers for (no real DNS); other names do not resolve. */
const NAMES: Record<string, string[]> = {
  'models.example.test': ['93.184.216.34'],
  'rebind.example.test': ['93.184.216.34', '169.254.169.254'],
  'mapped.example.test': ['::ffff:a9fe:a9fe'],
  'ollama.lan.test': ['192.168.1.20'],
};

function answerFor(master: TestMaster): void {
  const resolver = master.master.app.get(HostResolver, { strict: false });
  vi.spyOn(resolver, 'resolve').mockImplementation(async (hostname: string): Promise<ResolvedAddress[]> => {
    const addresses = NAMES[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  });
}

function expectRefused(result: HttpResult, message: string): void {
  expectInvalid(result, 'base_url');
  expect(result.body.error.details).toEqual([{ field: 'base_url', messages: [message] }]);
}

let sequence = 0;
const channel = (base_url: string) => ({ name: `ssrf-${(sequence += 1)}`, type: 'openai-compatible', base_url });

describe('admin API: channel base URLs and the address policy (default: loopback and private allowed)', () => {
  let master: TestMaster;
  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });

  beforeAll(async () => {
    master = await startTestMaster();
    answerFor(master);
  });
  afterAll(() => master?.close());

  it.each([
    ['http://169.254.169.254/latest/meta-data/', METADATA],
    ['http://2852039166/latest/meta-data/', MALFORMED],
    ['http://0xA9FEA9FE/', METADATA],
    ['http://0251.0376.0251.0376/', MALFORMED],
    ['http://0xa9.0xfe.0xa9.0xfe/', METADATA],
    ['http://169.254.43518/', MALFORMED],
    ['http://%31%36%39.254.169.254/', MALFORMED],
    ['HTTP://169.254.169.254./', MALFORMED],
    ['http://public.example.com@169.254.169.254/', METADATA],
    ['http://user:secret@169.254.169.254:8080/', METADATA],
    ['http://[::ffff:169.254.169.254]/', METADATA],
    ['http://[::ffff:a9fe:a9fe]/', METADATA],
    ['http://[64:ff9b::a9fe:a9fe]/', METADATA],
    ['http://[fd00:ec2::254]/', METADATA],
    ['http://100.100.100.200/', METADATA],
    ['http://metadata.google.internal/computeMetadata/v1', METADATA],
    ['http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1', MALFORMED],
    ['http://169.254.170.2/v2/credentials', METADATA],
    ['http://169.254.1.1:11434/v1', LINK_LOCAL],
    ['http://[fe80::1]:8000/v1', LINK_LOCAL],
    ['http://rebind.example.test/v1', METADATA],
    ['http://mapped.example.test/v1', METADATA],
  ])('POST %s → 400 on base_url', async (url, message) => {
    const name = `refused-${(sequence += 1)}`;
    expectRefused(await admin('POST', '/api/channels', { body: { ...channel(url), name } }), message);
    expect((await admin('GET', '/api/channels', { query: { name } })).body.total).toBe(0);
  });

  it.each([
    'http://127.0.0.1:11434/v1',
    'http://[::1]:8000/v1',
    'http://localhost:11434/v1',
    'http://192.168.1.20:8000/v1',
    'http://10.0.0.5/v1',
    'http://ollama.lan.test:11434/v1',
    'https://models.example.test/v1',
  ])('POST %s → 201 (self-hosted models on the host or the LAN)', async (url) => {
    const created = await admin('POST', '/api/channels', { body: channel(url) });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.base_url).toBe(url);
  });

  it('accepts a name that does not resolve at creation (the connect-time check judges it later)', async () => {
    const created = await admin('POST', '/api/channels', { body: channel('https://not-yet-in-dns.example.test/v1') });
    expect(created.status).toBe(201);
  });

  it('refuses an update to a metadata or link-local address and leaves the channel as it was', async () => {
    const created = await admin('POST', '/api/channels', { body: channel('http://127.0.0.1:11434/v1') });
    expect(created.status).toBe(201);
    expectRefused(await admin('PATCH', `/api/channels/${created.body.id}`, { body: { base_url: 'http://public@169.254.169.254/' } }), METADATA);
    expectRefused(await admin('PATCH', `/api/channels/${created.body.id}`, { body: { base_url: 'http://[fe80::a9fe:a9fe]/' } }), LINK_LOCAL);
    expect((await admin('GET', `/api/channels/${created.body.id}`)).body.base_url).toBe('http://127.0.0.1:11434/v1');
    const updated = await admin('PATCH', `/api/channels/${created.body.id}`, { body: { base_url: 'http://10.1.2.3:8000/v1' } });
    expect(updated.status).toBe(200);
    expect(updated.body.base_url).toBe('http://10.1.2.3:8000/v1');
  });

  it('refuses a bootstrap channel aimed at a metadata address, naming the entry, and changes nothing', async () => {
    const service = master.master.app.get(BootstrapService);
    const before = await dumpTables(master.master.database.dataSource);
    const bootstrap = { channels: [{ name: 'fine', type: 'openai', base_url: 'https://api.openai.com/v1' }, { name: 'imds', type: 'openai', base_url: 'http://0xa9fea9fe/' }] };
    await expect(service.apply(bootstrap as never)).rejects.toThrow(new BootstrapError(`bootstrap.channels[1].base_url: ${METADATA} (docs/network-security.md)`));
    expect(await dumpTables(master.master.database.dataSource)).toEqual(before);
  });
});

describe('admin API: channel base URLs with upstream_network refusing loopback and private addresses', () => {
  let master: TestMaster;
  const admin = <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> =>
    master.request<T>(method, path, { token: master.adminToken, ...options });

  beforeAll(async () => {
    master = await startTestMaster({ config: { upstream_network: { allow_loopback: false, allow_private: false } } });
    answerFor(master);
  });
  afterAll(() => master?.close());

  it.each([
    ['http://127.0.0.1:11434/v1', LOOPBACK],
    ['http://127.1:11434/v1', MALFORMED],
    ['http://0177.0.0.1/v1', MALFORMED],
    ['http://0x7f.1/v1', MALFORMED],
    ['http://2130706433/v1', MALFORMED],
    ['http://[::1]:8000/v1', LOOPBACK],
    ['http://[::ffff:127.0.0.1]/v1', LOOPBACK],
    ['http://0.0.0.0:8000/v1', LOOPBACK],
    ['http://localhost:11434/v1', LOOPBACK],
    ['http://LOCALHOST.:11434/v1', MALFORMED],
    ['http://evil.example.com@127.0.0.1/v1', LOOPBACK],
    ['http://10.0.0.5/v1', PRIVATE],
    ['http://192.168.1.20:8000/v1', PRIVATE],
    ['http://100.64.0.1/v1', PRIVATE],
    ['http://[fd12::1]/v1', PRIVATE],
    ['http://ollama.lan.test:11434/v1', PRIVATE],
    ['http://169.254.169.254/', METADATA],
  ])('POST %s → 400', async (url, message) => {
    expectRefused(await admin('POST', '/api/channels', { body: channel(url) }), message);
  });

  it('still accepts public hosts, and refuses an update to loopback', async () => {
    const created = await admin('POST', '/api/channels', { body: channel('https://models.example.test/v1') });
    expect(created.status).toBe(201);
    expectRefused(await admin('PATCH', `/api/channels/${created.body.id}`, { body: { base_url: 'http://127.0.0.1:8000/v1' } }), LOOPBACK);
  });
});
