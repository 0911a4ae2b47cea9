import { lookup } from 'node:dns/promises';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/**
 * Name resolution as the operating system does it (getaddrinfo: /etc/hosts,
 * then DNS), behind a class so every check — the admin API's at channel
 * creation, the upstream client's at connect time, the image fetcher's — asks
 * the same resolver, and tests can answer for it without real DNS.
 */
export class HostResolver {
  /** Every address of a name, in the resolver's order; rejects when it has none. */
  resolve(hostname: string): Promise<ResolvedAddress[]> {
    return lookup(hostname, { all: true });
  }
}
