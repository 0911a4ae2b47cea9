import { DEFAULT_UPSTREAM_NETWORK } from '@aigw/contracts';
import { HostResolver, guardedFetch } from '@aigw/providers';
import { EventEmitter } from 'node:events';
import { GoogleServiceAccount, parseServiceAccountKey } from './google-service-account';

/** Events: `refresh` (channel id) after a token was refreshed in the background. */
export interface GoogleAccessTokenEvents {
  refresh: [channelId: string];
}

/**
 * The service accounts of the Google channels, one per channel id and key:
 * a changed key replaces the account (and its token), so a rotated key is
 * used from the next request on. Nothing here is logged: neither the key nor
 * a token.
 */
export class GoogleAccessTokens extends EventEmitter<GoogleAccessTokenEvents> {
  private readonly accounts = new Map<string, { keyText: string | null; account: GoogleServiceAccount }>();
  /** The default address policy until the dispatcher applies the agent's own (useFetch). */
  private fetchImplementation: typeof fetch = guardedFetch(DEFAULT_UPSTREAM_NETWORK, new HostResolver());

  /** Token endpoints are reached through this fetch from now on (the agent's upstream_network policy). */
  useFetch(fetchImplementation: typeof fetch): void {
    this.fetchImplementation = fetchImplementation;
    this.clear();
  }

  /** The channel's account; throws a retryable GatewayError when its key is not a service-account key. */
  account(channelId: string, keyText: string | null): GoogleServiceAccount {
    const known = this.accounts.get(channelId);
    if (known && known.keyText === keyText) return known.account;
    known?.account.dispose();
    this.accounts.delete(channelId);
    const account: GoogleServiceAccount = new GoogleServiceAccount(parseServiceAccountKey(keyText), {
      refreshed: () => this.emit('refresh', channelId),
      idle: () => {
        if (this.accounts.get(channelId)?.account === account) this.accounts.delete(channelId);
      },
    }, this.fetchImplementation);
    this.accounts.set(channelId, { keyText, account });
    return account;
  }

  /** Drops every account and stops their timers. */
  clear(): void {
    for (const { account } of this.accounts.values()) account.dispose();
    this.accounts.clear();
  }
}

/** The agent's Google accounts (the adaptors are stateless singletons; their per-channel state lives here). */
export const googleAccessTokens = new GoogleAccessTokens();
