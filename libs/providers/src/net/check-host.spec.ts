import { AddressPolicy, DEFAULT_UPSTREAM_NETWORK } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { upstreamUrlRefusal } from './check-host';
import { HostResolver, ResolvedAddress } from './host-resolver';

const STRICT: AddressPolicy = { allowLoopback: false, allowPrivate: false };

/** Answers from a table, like a hosts file; unknown names do not resolve. */
class TableResolver extends HostResolver {
  readonly asked: string[] = [];

  constructor(private readonly table: Record<string, string[]>) {
    super();
  }

  override async resolve(hostname: string): Promise<ResolvedAddress[]> {
    this.asked.push(hostname);
    const addresses = this.table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  }
}

const resolver = new TableResolver({
  'api.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'rebind.example.com': ['93.184.216.34', '169.254.169.254'],
  'mapped.example.com': ['::ffff:169.254.169.254'],
  'ollama.lan': ['192.168.1.20'],
  'gpu-box': ['127.0.0.1'],
});

describe('upstreamUrlRefusal', () => {
  // The WHATWG parser (undici's) reads every spelling below as the address it reaches.
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://2852039166/',
    'http://0xA9FEA9FE/',
    'http://0251.0376.0251.0376/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://169.254.43518/',
    'http://%31%36%39.254.169.254/',
    'HTTP://169.254.169.254./',
    'http://public.example.com@169.254.169.254/',
    'http://user:password@169.254.169.254:80/',
    'http://169.254.169.254\\@public.example.com/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[fd00:ec2::254]/',
    'http://100.100.100.200/',
    'http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/',
    'http://metadata/computeMetadata/v1/',
    'https://[fe80::1]/',
    'http://169.254.1.1:11434/',
    'http://rebind.example.com/v1',
    'http://mapped.example.com/v1',
  ])('%s is always refused', async (url) => {
    expect(await upstreamUrlRefusal(url, DEFAULT_UPSTREAM_NETWORK, resolver)).toMatch(/^its host is a (cloud metadata service|link-local address)/);
  });

  it.each([
    'http://127.0.0.1:11434/v1',
    'http://2130706433:11434/v1',
    'http://0177.0.0.1/v1',
    'http://0x7f.1/v1',
    'http://127.1:8000/v1',
    'http://[::1]:8000/v1',
    'http://[::ffff:127.0.0.1]/v1',
    'http://[::ffff:7f00:1]/v1',
    'http://0/v1',
    'http://localhost:11434/v1',
    'http://LOCALHOST./v1',
    'http://gpu-box:8000/v1',
    'http://evil.example.com@127.0.0.1/v1',
  ])('%s (loopback) is allowed by default and refused when configured', async (url) => {
    expect(await upstreamUrlRefusal(url, DEFAULT_UPSTREAM_NETWORK, resolver)).toBeNull();
    expect(await upstreamUrlRefusal(url, STRICT, resolver)).toMatch(/^its host is a loopback address/);
  });

  it.each(['http://10.0.0.5:8000/v1', 'http://012.0.0.5/v1', 'http://192.168.1.20/v1', 'http://[fd12::1]/v1', 'http://100.64.1.1/v1', 'http://ollama.lan:11434/v1'])(
    '%s (private) is allowed by default and refused when configured',
    async (url) => {
      expect(await upstreamUrlRefusal(url, DEFAULT_UPSTREAM_NETWORK, resolver)).toBeNull();
      expect(await upstreamUrlRefusal(url, STRICT, resolver)).toMatch(/^its host is a private-network address/);
    },
  );

  it('allows public hosts, checking every address a name resolves to', async () => {
    expect(await upstreamUrlRefusal('https://api.example.com/v1', STRICT, resolver)).toBeNull();
    expect(await upstreamUrlRefusal('https://8.8.8.8/v1', STRICT, resolver)).toBeNull();
  });

  it('accepts a name that does not resolve (yet): the connect-time check judges it later', async () => {
    expect(await upstreamUrlRefusal('https://not-yet.example.com/v1', STRICT, resolver)).toBeNull();
    expect(resolver.asked).toContain('not-yet.example.com');
  });

  it('does not wait for a resolver that does not answer longer than the timeout', async () => {
    const silent = new (class extends HostResolver {
      override resolve(): Promise<ResolvedAddress[]> {
        return new Promise(() => undefined);
      }
    })();
    const started = Date.now();
    expect(await upstreamUrlRefusal('https://slow.example.com/v1', STRICT, silent, 50)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses what is not a URL', async () => {
    expect(await upstreamUrlRefusal('not a url', DEFAULT_UPSTREAM_NETWORK, resolver)).toBe('not a valid URL');
  });
});
