import { AddressPolicy, DEFAULT_UPSTREAM_NETWORK } from '@aigw/contracts';
import { describe, expect, it } from 'vitest';
import { AddressClass, addressRefusal, classifyAddress, classifyHostName } from './address-policy';
import { hostRefusal } from './check-host';

const STRICT: AddressPolicy = { allowLoopback: false, allowPrivate: false };

const SPELLINGS: Record<AddressClass, string[]> = {
  metadata: [
    '169.254.169.254',
    '0xa9.0xfe.0xa9.0xfe',
    '0251.0376.0251.0376',
    '2852039166',
    '0xa9fea9fe',
    '169.254.43518',
    '::ffff:169.254.169.254',
    '[::ffff:a9fe:a9fe]',
    '::ffff:0:a9fe:a9fe',
    '::a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '64:ff9b:1::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    '169.254.170.2',
    '100.100.100.200',
    '::ffff:100.100.100.200',
    '192.0.0.192',
    'fd00:ec2::254',
    'FD00:0EC2:0000:0000:0000:0000:0000:0254',
    '[fd00:ec2::254]',
  ],
  'link-local': ['169.254.0.1', '169.254.255.255', '0251.0376.1.1', 'fe80::1', 'fe80::1%eth0', '[fe80::abcd]', 'febf::1', '::ffff:169.254.1.1'],
  loopback: [
    '127.0.0.1',
    '127.1',
    '0177.0.0.1',
    '0x7f.1',
    '0x7f.0.0.1',
    '2130706433',
    '0x7f000001',
    '017700000001',
    '127.255.255.254',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::7f00:1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '0.0.0.0',
    '0',
    '::',
  ],
  private: [
    '10.0.0.1',
    '012.0.0.1',
    '167772161',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '0xc0.0xa8.1.1',
    '100.64.0.1',
    '100.127.255.254',
    '198.18.0.1',
    'fc00::1',
    'fd12:3456::1',
    'fec0::1',
    '::ffff:10.0.0.1',
    '::ffff:c0a8:101',
    '64:ff9b::a00:1',
  ],
  reserved: ['224.0.0.1', '239.255.255.250', '255.255.255.255', '240.0.0.1', 'ff02::1', '::ffff:224.0.0.1'],
  public: ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '126.255.255.255', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'],
};

describe('classifyAddress', () => {
  for (const [kind, addresses] of Object.entries(SPELLINGS)) {
    it.each(addresses)(`%s is ${kind}`, (address) => {
      expect(classifyAddress(address)).toBe(kind);
    });
  }

  it('reads a Teredo address by the IPv4 client it carries (obfuscated)', () => {
    // 2001:0:<server>:<flags>:<port>:<~client>: ~a9fe:a9fe = 5601:5601
    expect(classifyAddress('2001:0:4136:e378:8000:63bf:5601:5601')).toBe('metadata');
    expect(classifyAddress('2001:0:4136:e378:8000:63bf:80ff:fffe')).toBe('loopback');
    expect(classifyAddress('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('public');
  });

  it('throws on what is not an address', () => {
    expect(() => classifyAddress('example.com')).toThrow();
    expect(() => classifyAddress('1.2.3.4.5')).toThrow();
  });
});

describe('addressRefusal', () => {
  const refused = (kinds: AddressClass[], policy: AddressPolicy) =>
    kinds.flatMap((kind) => SPELLINGS[kind]).filter((address) => addressRefusal(address, policy) === null);

  it('by default allows loopback, private and public addresses (self-hosted models on the host or the LAN)', () => {
    for (const kind of ['loopback', 'private', 'public'] as const) {
      for (const address of SPELLINGS[kind]) expect(addressRefusal(address, DEFAULT_UPSTREAM_NETWORK), address).toBeNull();
    }
  });

  it('always refuses metadata, link-local and reserved addresses, whatever the policy', () => {
    const always = ['metadata', 'link-local', 'reserved'] as AddressClass[];
    expect(refused(always, DEFAULT_UPSTREAM_NETWORK)).toEqual([]);
    expect(refused(always, { allowLoopback: true, allowPrivate: true })).toEqual([]);
    expect(addressRefusal('169.254.169.254', DEFAULT_UPSTREAM_NETWORK)).toBe('a cloud metadata service, which the gateway never connects to');
    expect(addressRefusal('fe80::1', DEFAULT_UPSTREAM_NETWORK)).toBe('a link-local address, which the gateway never connects to');
  });

  it('refuses loopback and private addresses when configured to, each switch on its own', () => {
    expect(refused(['loopback', 'private'], STRICT)).toEqual([]);
    const noLoopback = { allowLoopback: false, allowPrivate: true };
    expect(SPELLINGS.loopback.filter((address) => addressRefusal(address, noLoopback) === null)).toEqual([]);
    expect(SPELLINGS.private.filter((address) => addressRefusal(address, noLoopback) !== null)).toEqual([]);
    const noPrivate = { allowLoopback: true, allowPrivate: false };
    expect(SPELLINGS.private.filter((address) => addressRefusal(address, noPrivate) === null)).toEqual([]);
    expect(SPELLINGS.loopback.filter((address) => addressRefusal(address, noPrivate) !== null)).toEqual([]);
    expect(SPELLINGS.public.filter((address) => addressRefusal(address, STRICT) !== null)).toEqual([]);
  });

  it('refuses what is not an address', () => {
    expect(addressRefusal('not-an-ip', DEFAULT_UPSTREAM_NETWORK)).toBe('not an IP address');
  });
});

describe('host names', () => {
  it.each(['metadata', 'METADATA.GOOGLE.INTERNAL.', 'metadata.google.internal..', 'metadata.goog', 'Instance-Data', 'instance-data.ec2.internal.'])(
    '%s is a metadata name, refused even before resolution',
    (name) => {
      expect(classifyHostName(name)).toBe('metadata');
      expect(hostRefusal(name, DEFAULT_UPSTREAM_NETWORK)).toBe('a cloud metadata service, which the gateway never connects to');
    },
  );

  it.each(['localhost', 'LOCALHOST.', 'ollama.localhost'])('%s is loopback by name (RFC 6761)', (name) => {
    expect(classifyHostName(name)).toBe('loopback');
    expect(hostRefusal(name, DEFAULT_UPSTREAM_NETWORK)).toBeNull();
    expect(hostRefusal(name, STRICT)).toMatch(/^a loopback address/);
  });

  it('leaves other names to their addresses', () => {
    expect(classifyHostName('api.openai.com')).toBeNull();
    expect(classifyHostName('metadata.example.com')).toBeNull();
    expect(hostRefusal('api.openai.com', STRICT)).toBeNull();
  });

  it('judges bracketed IPv6 literals as a URL hostname carries them', () => {
    expect(hostRefusal('[::ffff:a9fe:a9fe]', DEFAULT_UPSTREAM_NETWORK)).toMatch(/metadata/);
    expect(hostRefusal('[::1]', STRICT)).toMatch(/loopback/);
  });
});
