import { GatewayError } from '@aigw/providers';
import { JWT, gaxios } from 'google-auth-library';
import { createPrivateKey } from 'node:crypto';

/** The fields of a Google service-account key file the gateway reads. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  project_id?: string;
  token_uri?: string;
}

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** A token is refreshed this long before it expires (at most half its lifetime). */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** A token is not handed out in its last moments (at most a tenth of its lifetime): the request must still reach Google in time. */
const EXPIRY_SKEW_MS = 30_000;

/** A failed background refresh is tried again after this long (sooner when the token expires first). */
const RETRY_AFTER_FAILURE_MS = 30_000;

/** The token endpoint's answer must come within this; a request may be waiting for it. */
const TOKEN_TIMEOUT_MS = 10_000;

/**
 * One channel's service account and its OAuth access token. The token is
 * fetched once (concurrent requests share the fetch) and refreshed by a
 * timer before it expires, so requests find a valid token without waiting;
 * only the first request, or one after a failed refresh let the token
 * expire, waits for a fetch. A token no request used since the last refresh
 * is dropped instead of refreshed: an idle or deleted channel costs nothing.
 */
export class GoogleServiceAccount {
  private token: string | null = null;
  private usableUntil = 0;
  private pending: Promise<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private usedSinceRefresh = false;
  private disposed = false;

  constructor(
    readonly key: ServiceAccountKey,
    private readonly events: { refreshed(): void; idle(): void },
    /** How the token endpoint is reached: a fetch whose connections pass the address policy (the key names the endpoint). */
    private readonly fetchImplementation: typeof fetch,
  ) {}

  /** The token at once when a valid one is cached; else a shared fetch. Rejects with a retryable GatewayError. */
  accessToken(): string | Promise<string> {
    this.usedSinceRefresh = true;
    if (this.token !== null && Date.now() < this.usableUntil) return this.token;
    return (this.pending ??= this.fetch());
  }

  /** Stops the refresh timer (the channel or its key changed, or the agent stops). */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async fetch(): Promise<string> {
    try {
      // A fresh client per fetch: the library's own cache would hand back the token being replaced.
      const client = new JWT({ email: this.key.client_email, key: this.key.private_key, scopes: [CLOUD_PLATFORM_SCOPE], transporter: new TokenEndpoint(this.key.token_uri ?? GOOGLE_TOKEN_URI, this.fetchImplementation) });
      const credentials = await client.authorize();
      if (!credentials.access_token) throw new GatewayError('upstream', 'the Google token endpoint answered without an access token', { retryable: true });
      const now = Date.now();
      const lifetime = Math.max(0, (credentials.expiry_date ?? now) - now);
      this.token = credentials.access_token;
      this.usableUntil = now + lifetime - Math.min(EXPIRY_SKEW_MS, lifetime / 10);
      this.schedule(lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 2));
      return this.token;
    } catch (error) {
      throw tokenFailure(error);
    } finally {
      this.pending = null;
    }
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private refresh(): void {
    this.timer = null;
    if (this.disposed) return;
    if (!this.usedSinceRefresh) {
      this.dispose();
      this.events.idle();
      return;
    }
    this.usedSinceRefresh = false;
    this.pending ??= this.fetch();
    this.pending.then(
      () => this.events.refreshed(),
      () => {
        // Keep serving the current token while it lasts; try again before it runs out.
        const left = this.usableUntil - Date.now();
        if (left > 1_000) this.schedule(Math.min(RETRY_AFTER_FAILURE_MS, left / 2));
      },
    );
  }
}

/**
 * The service-account key of a channel (its key field holds the key file's
 * JSON), checked once: the fields, and a private key that parses.
 */
export function parseServiceAccountKey(text: string | null): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  const key = parsed as Partial<ServiceAccountKey> | null;
  if (!key || typeof key !== 'object' || typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new GatewayError('authentication', "this channel's key is not a Google service account key (JSON with client_email and private_key)", { retryable: true });
  }
  try {
    createPrivateKey(key.private_key);
  } catch {
    throw new GatewayError('authentication', "the private_key of this channel's service account key is not a PEM private key", { retryable: true });
  }
  if (key.token_uri !== undefined && (typeof key.token_uri !== 'string' || !/^https?:\/\//.test(key.token_uri))) {
    throw new GatewayError('authentication', "the token_uri of this channel's service account key is not an http(s) URL", { retryable: true });
  }
  return {
    client_email: key.client_email,
    private_key: key.private_key,
    ...(typeof key.project_id === 'string' ? { project_id: key.project_id } : {}),
    ...(key.token_uri ? { token_uri: key.token_uri } : {}),
  };
}

/**
 * google-auth-library posts the JWT grant to oauth2.googleapis.com whatever
 * the key says; the key's token_uri (honoured by Google's Python library) is
 * honoured here, for private endpoints and test fakes. The URI comes from
 * whoever edits channels, so it is reached only through the guarded fetch:
 * never a metadata or link-local address, no redirects.
 */
class TokenEndpoint extends gaxios.Gaxios {
  constructor(
    private readonly tokenUri: string,
    fetchImplementation: typeof fetch,
  ) {
    super({ timeout: TOKEN_TIMEOUT_MS, fetchImplementation });
  }

  override request<T = any>(options: gaxios.GaxiosOptions = {}): gaxios.GaxiosPromise<T> {
    return super.request<T>({ ...options, url: this.tokenUri });
  }
}

/**
 * A failed token fetch, without the key or the endpoint's whole answer:
 * refused (400 invalid_grant, 401 invalid_client) is an authentication
 * failure of the channel; anything else is transient. Both are retryable on
 * another channel.
 */
function tokenFailure(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const response = (error as { response?: { status?: number; data?: { error?: unknown } } }).response;
  const status = response?.status;
  if (status === undefined) return new GatewayError('upstream', 'could not reach the Google token endpoint', { retryable: true });
  const code = typeof response?.data?.error === 'string' && /^[a-z_]{1,64}$/.test(response.data.error) ? ` (${response.data.error})` : '';
  const kind = status === 400 || status === 401 ? 'authentication' : 'upstream';
  return new GatewayError(kind, `the Google token endpoint refused this channel's service account: HTTP ${status}${code}`, { retryable: true, upstreamStatus: status });
}
