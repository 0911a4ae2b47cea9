import { AddressPolicy } from '@aigw/contracts';
import { isIP } from 'node:net';
import { addressRefusal, classifyHostName, refusalReason } from './address-policy';
import { HostResolver } from './host-resolver';

/** A URL's hostname without IPv6 brackets (WHATWG URL keeps them: `[::1]`). */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * What a host says by itself, before any resolution: an IP literal's class,
 * a metadata name or `localhost`. Null: allowed, or a name whose addresses
 * decide.
 */
export function hostRefusal(hostname: string, policy: AddressPolicy): string | null {
  const host = bareHost(hostname);
  if (isIP(host)) return addressRefusal(host, policy);
  const kind = classifyHostName(host);
  return kind ? refusalReason(kind, policy) : null;
}

/**
 * hostRefusal, then every address the name resolves to: one refused address
 * refuses the host. A name that does not resolve (or not within timeoutMs)
 * is not refused here — a channel may be created before its DNS exists — the
 * connect-time check judges what it resolves to then.
 */
export async function resolvedHostRefusal(hostname: string, policy: AddressPolicy, resolver: HostResolver, timeoutMs = 3_000): Promise<string | null> {
  const direct = hostRefusal(hostname, policy);
  const host = bareHost(hostname);
  if (direct || isIP(host)) return direct;
  let timer: NodeJS.Timeout | undefined;
  const addresses = await Promise.race([
    resolver.resolve(host).catch(() => []),
    new Promise<[]>((resolve) => {
      timer = setTimeout(() => resolve([]), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) return refusal;
  }
  return null;
}

/**
 * Why an upstream URL's host is refused (the host resolved as above), or
 * null. The URL is read by the WHATWG parser, as undici reads it, so every
 * IPv4 spelling (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`,
 * percent-encoded) and userinfo trick (`http://public@169.254.169.254`) is
 * judged as the address it reaches.
 */
export async function upstreamUrlRefusal(url: string, policy: AddressPolicy, resolver: HostResolver, timeoutMs?: number): Promise<string | null> {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return 'not a valid URL';
  }
  const refusal = await resolvedHostRefusal(hostname, policy, resolver, timeoutMs);
  return refusal && `its host is ${refusal}`;
}
