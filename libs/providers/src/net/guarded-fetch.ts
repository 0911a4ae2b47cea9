import { AddressPolicy } from '@aigw/contracts';
import { Agent, fetch as undiciFetch } from 'undici';
import { buildGuardedConnector } from './guarded-connector';
import { HostResolver } from './host-resolver';

/**
 * A WHATWG fetch whose connections pass the address policy (the same
 * connect-time check as the upstream client) and which never follows a
 * redirect: for the side requests an adaptor makes with an operator-supplied
 * URL, such as the token_uri of a Google service-account key.
 */
export function guardedFetch(policy: AddressPolicy, resolver: HostResolver, connectTimeoutMs = 10_000): typeof fetch {
  const dispatcher = new Agent({ connect: buildGuardedConnector(policy, resolver, { timeout: connectTimeoutMs }) });
  const guarded = (input: unknown, init?: Record<string, unknown>) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...init, dispatcher, redirect: 'manual' } as Parameters<typeof undiciFetch>[1]);
  return guarded as unknown as typeof fetch;
}
