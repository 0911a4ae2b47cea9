import { AddressPolicy } from '@aigw/contracts';
import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * What an address reaches, for SSRF decisions (docs/network-security.md):
 * - `metadata`: a cloud instance-metadata service (credentials of the host's role);
 * - `link-local`: 169.254.0.0/16, fe80::/10 (metadata services live here);
 * - `loopback`: the gateway's own host (127.0.0.0/8, ::1, and 0.0.0.0 / ::, which Linux connects to itself);
 * - `private`: other non-global unicast ranges (RFC 1918, CGNAT, ULA, …);
 * - `reserved`: multicast, broadcast, 240.0.0.0/4, discard: never a server;
 * - `public`: the rest.
 */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'reserved';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
const cidr = (text: string): Range => ipaddr.parseCIDR(text);

/** Checked first: two of them sit in ranges that are otherwise merely private (CGNAT, ULA). */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, DigitalOcean, …
  '169.254.170.2', // AWS ECS task credentials
  '169.254.170.23', // AWS EKS pod identity agent
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud (legacy)
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fd00:ec2::23', // AWS EKS pod identity agent over IPv6
]);

/** Names that reach a metadata service whatever a resolver says (trailing dot and case removed). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
]);

const IPV4_RANGES: [AddressClass, Range[]][] = [
  ['loopback', [cidr('127.0.0.0/8'), cidr('0.0.0.0/8')]],
  ['link-local', [cidr('169.254.0.0/16')]],
  [
    'private',
    [
      cidr('10.0.0.0/8'),
      cidr('172.16.0.0/12'),
      cidr('192.168.0.0/16'),
      cidr('100.64.0.0/10'), // CGNAT (RFC 6598)
      cidr('192.0.0.0/24'), // IETF protocol assignments (RFC 6890)
      cidr('198.18.0.0/15'), // benchmarking; also the fake-IP range of local DNS proxies
    ],
  ],
  ['reserved', [cidr('224.0.0.0/4'), cidr('240.0.0.0/4')]], // multicast; 240/4 includes 255.255.255.255
];

const IPV6_RANGES: [AddressClass, Range[]][] = [
  ['loopback', [cidr('::1/128'), cidr('::/128')]],
  ['link-local', [cidr('fe80::/10')]],
  ['private', [cidr('fc00::/7'), cidr('fec0::/10')]], // unique local; deprecated site-local
  ['reserved', [cidr('ff00::/8'), cidr('100::/64')]], // multicast; discard-only
];

/**
 * IPv6 ranges that carry an IPv4 address, and where: traffic to them ends at
 * that IPv4 host (a mapped socket, a NAT64 gateway, a 6to4 or Teredo relay),
 * so they are judged by it.
 */
const EMBEDDING_RANGES: [Range, (bytes: number[]) => number[]][] = [
  [cidr('::ffff:0:0/96'), (bytes) => bytes.slice(12)], // IPv4-mapped
  [cidr('::/96'), (bytes) => bytes.slice(12)], // IPv4-compatible (deprecated); :: and ::1 are matched before
  [cidr('::ffff:0:0:0/96'), (bytes) => bytes.slice(12)], // IPv4-translated (RFC 6145)
  [cidr('64:ff9b::/96'), (bytes) => bytes.slice(12)], // NAT64 well-known prefix (RFC 6052)
  [cidr('64:ff9b:1::/48'), (bytes) => bytes.slice(12)], // NAT64 local-use prefix (RFC 8215)
  [cidr('2002::/16'), (bytes) => bytes.slice(2, 6)], // 6to4
  [cidr('2001::/32'), (bytes) => bytes.slice(12).map((byte) => byte ^ 0xff)], // Teredo client, obfuscated
];

/**
 * The class of an IP address in any spelling ipaddr.js reads: dotted, octal,
 * hex, short (`127.1`) and 32-bit decimal IPv4; IPv6 with or without
 * brackets and zone. Throws on what is not an address.
 */
export function classifyAddress(address: string): AddressClass {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  return classifyParsed(ipaddr.parse(unbracketed));
}

function classifyParsed(parsed: ipaddr.IPv4 | ipaddr.IPv6): AddressClass {
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    v6.zoneId = undefined;
    if (METADATA_ADDRESSES.has(v6.toString())) return 'metadata';
    const direct = matchRanges(v6, IPV6_RANGES);
    if (direct) return direct;
    for (const [range, extract] of EMBEDDING_RANGES) {
      if (v6.match(range)) {
        const embedded = classifyParsed(ipaddr.fromByteArray(extract(v6.toByteArray())));
        if (embedded !== 'public') return embedded;
      }
    }
    return 'public';
  }
  const v4 = parsed as ipaddr.IPv4;
  if (METADATA_ADDRESSES.has(v4.toString())) return 'metadata';
  return matchRanges(v4, IPV4_RANGES) ?? 'public';
}

function matchRanges(address: ipaddr.IPv4 | ipaddr.IPv6, table: [AddressClass, Range[]][]): AddressClass | null {
  for (const [kind, ranges] of table) {
    if (ranges.some((range) => address.match(range))) return kind;
  }
  return null;
}

/** A host name as resolvers compare it: lower case, without the root's trailing dot. */
export function normalizeHostName(host: string): string {
  return host.toLowerCase().replace(/\.+$/, '');
}

/**
 * The class a host name has before any resolution: metadata names and
 * `localhost` (RFC 6761: always loopback), else null (resolve it).
 */
export function classifyHostName(host: string): AddressClass | null {
  const name = normalizeHostName(host);
  if (METADATA_NAMES.has(name)) return 'metadata';
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  return null;
}

/** Why the policy refuses an address of this class, or null when it allows it. */
export function refusalReason(kind: AddressClass, policy: AddressPolicy): string | null {
  switch (kind) {
    case 'public':
      return null;
    case 'private':
      return policy.allowPrivate ? null : 'a private-network address, which this gateway is configured not to reach';
    case 'loopback':
      return policy.allowLoopback ? null : "a loopback address (the gateway's own host), which this gateway is configured not to reach";
    case 'link-local':
      return 'a link-local address, which the gateway never connects to';
    case 'metadata':
      return 'a cloud metadata service, which the gateway never connects to';
    case 'reserved':
      return 'a multicast or reserved address, which is not a server';
  }
}

/** refusalReason for an address in any spelling; a string that is not an address is refused too. */
export function addressRefusal(address: string, policy: AddressPolicy): string | null {
  let kind: AddressClass;
  try {
    kind = classifyAddress(address);
  } catch {
    return 'not an IP address';
  }
  return refusalReason(kind, policy);
}

/** Whether a URL host (brackets removed) is an IP literal rather than a name. */
export function isAddressLiteral(host: string): boolean {
  return isIP(host) !== 0;
}
