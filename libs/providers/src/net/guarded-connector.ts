import { AddressPolicy } from '@aigw/contracts';
import { LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { addressRefusal } from './address-policy';
import { hostRefusal } from './check-host';
import { HostResolver } from './host-resolver';

/** A connection the address policy refused; `reason` names the class, never the host. */
export class AddressRefusedError extends Error {
  override readonly name = 'AddressRefusedError';
  readonly code = 'AIGW_ADDRESS_REFUSED';

  constructor(readonly reason: string) {
    super(`the address is ${reason}`);
  }
}

/**
 * An undici connector that refuses, per new connection (keep-alive reuse
 * skips it), any address the policy refuses: an IP literal or metadata name
 * before connecting; a name's addresses as they resolve at this moment (all
 * of them, so DNS rebinding after a channel was checked gains nothing); and
 * the socket's peer address once connected, should any path have bypassed
 * the lookup.
 */
export function buildGuardedConnector(policy: AddressPolicy, resolver: HostResolver, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolver.resolve(hostname).then(
      (resolved) => {
        for (const { address } of resolved) {
          const reason = addressRefusal(address, policy);
          if (reason) return callback(new AddressRefusedError(reason), '', 0);
        }
        const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : lookupOptions.family;
        const addresses = family === 4 || family === 6 ? resolved.filter((entry) => entry.family === family) : resolved;
        if (addresses.length === 0) {
          return callback(Object.assign(new Error(`no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        }
        if (lookupOptions.all) return callback(null, addresses);
        return callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
  const connect = buildConnector({ ...options, lookup } as buildConnector.BuildOptions);
  return (connectOptions, callback) => {
    const refusal = hostRefusal(connectOptions.hostname, policy);
    if (refusal) return callback(new AddressRefusedError(refusal), null);
    return connect(connectOptions, (error, socket) => {
      if (error) return callback(error, null);
      const peer = socket!.remoteAddress;
      const reason = peer ? addressRefusal(peer, policy) : null;
      if (!reason) return callback(null, socket!);
      socket!.destroy();
      callback(new AddressRefusedError(reason), null);
    });
  };
}
