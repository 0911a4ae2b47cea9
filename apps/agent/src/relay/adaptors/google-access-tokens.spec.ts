import { GatewayError, HostResolver, guardedFetch } from '@aigw/providers';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeVertex, startFakeVertex } from '../../../../../test/fake-provider/vertex';
import { GoogleAccessTokens } from './google-access-tokens';

describe('GoogleAccessTokens against a fake Google token endpoint', () => {
  let fake: FakeVertex;
  let tokens: GoogleAccessTokens;
  beforeAll(async () => {
    fake = await startFakeVertex({ project: 'aigw-tests', location: 'us-east5' });
  });
  afterEach(() => {
    tokens?.clear();
    fake.reset();
    fake.tokenLifetimeSeconds = 3600;
  });
  afterAll(() => fake?.close());

  it('many concurrent requests share one token fetch, and later ones get the cached token at once', async () => {
    tokens = new GoogleAccessTokens();
    const key = fake.serviceAccount('concurrent@aigw-tests.iam.gserviceaccount.com');
    const account = tokens.account('channel-1', key);
    const first = account.accessToken();
    expect(first).toBeInstanceOf(Promise);
    const all = await Promise.all([first, ...Array.from({ length: 49 }, () => tokens.account('channel-1', key).accessToken())]);
    expect(fake.tokensIssued).toHaveLength(1);
    expect(new Set(all)).toEqual(new Set([fake.tokensIssued[0].token]));
    expect(tokens.account('channel-1', key).accessToken()).toBe(fake.tokensIssued[0].token);
  });

  it("reaches the key's token_uri only through the address policy: a loopback endpoint is refused when loopback is not allowed", async () => {
    tokens = new GoogleAccessTokens();
    tokens.useFetch(guardedFetch({ allowLoopback: false, allowPrivate: false }, new HostResolver()));
    const key = fake.serviceAccount('guarded@aigw-tests.iam.gserviceaccount.com');
    const failure = await Promise.resolve(tokens.account('channel-guarded', key).accessToken()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ kind: 'upstream', retryable: true, message: 'could not reach the Google token endpoint' });
    expect(fake.tokensIssued).toHaveLength(0);
    // The same key through a policy that allows loopback (the default) gets its token.
    tokens.useFetch(guardedFetch({ allowLoopback: true, allowPrivate: true }, new HostResolver()));
    expect(await tokens.account('channel-guarded', key).accessToken()).toBe(fake.tokensIssued[0].token);
  });

  it('refreshes a token before it expires, off the hot path: the next request takes the new one without waiting', async () => {
    fake.tokenLifetimeSeconds = 2;
    tokens = new GoogleAccessTokens();
    const key = fake.serviceAccount('refresh@aigw-tests.iam.gserviceaccount.com');
    const old = await tokens.account('channel-2', key).accessToken();
    const refreshed = once(tokens, 'refresh');
    expect(await refreshed).toEqual(['channel-2']);
    // Refreshed at half the 2 s lifetime, while the old token was still valid.
    expect(fake.tokensIssued.map((entry) => entry.token)).toEqual([old, expect.any(String)]);
    const current = tokens.account('channel-2', key).accessToken();
    expect(typeof current).toBe('string');
    expect(current).toBe(fake.tokensIssued[1].token);
    expect(current).not.toBe(old);
  });

  it('a refused key is a retryable authentication failure that names neither key nor token', async () => {
    tokens = new GoogleAccessTokens();
    const key = fake.serviceAccount('refused@aigw-tests.iam.gserviceaccount.com');
    fake.refuseTokens(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    const failure = await Promise.resolve(tokens.account('channel-3', key).accessToken()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ kind: 'authentication', retryable: true, options: { upstreamStatus: 400 } });
    expect((failure as Error).message).toBe("the Google token endpoint refused this channel's service account: HTTP 400 (invalid_grant)");
    // The next request tries again (and succeeds once the endpoint grants).
    expect(await tokens.account('channel-3', key).accessToken()).toBe(fake.tokensIssued[0].token);
  });

  it('an unknown account, a key the account does not have and an unreachable endpoint map to authentication and upstream failures', async () => {
    tokens = new GoogleAccessTokens();
    const key = JSON.parse(fake.serviceAccount('known@aigw-tests.iam.gserviceaccount.com'));
    const stranger = JSON.stringify({ ...key, client_email: 'stranger@aigw-tests.iam.gserviceaccount.com' });
    await expect(Promise.resolve(tokens.account('channel-4', stranger).accessToken())).rejects.toMatchObject({ kind: 'authentication', options: { upstreamStatus: 400 } });
    const otherKey = JSON.parse(fake.serviceAccount('other@aigw-tests.iam.gserviceaccount.com')).private_key;
    const forged = JSON.stringify({ ...key, private_key: otherKey });
    await expect(Promise.resolve(tokens.account('channel-4b', forged).accessToken())).rejects.toMatchObject({ kind: 'authentication', options: { upstreamStatus: 400 } });
    const unreachable = JSON.stringify({ ...key, token_uri: 'http://127.0.0.1:1/token' });
    await expect(Promise.resolve(tokens.account('channel-5', unreachable).accessToken())).rejects.toMatchObject({ kind: 'upstream', retryable: true, message: 'could not reach the Google token endpoint' });
  });

  it('a new key replaces the account and its token', async () => {
    tokens = new GoogleAccessTokens();
    const before = fake.serviceAccount('rotated@aigw-tests.iam.gserviceaccount.com');
    const after = fake.serviceAccount('rotated@aigw-tests.iam.gserviceaccount.com');
    const first = await tokens.account('channel-6', before).accessToken();
    const second = await tokens.account('channel-6', after).accessToken();
    expect(second).not.toBe(first);
    expect(fake.tokensIssued).toHaveLength(2);
  });

  it.each([
    ['not JSON', 'sk-not-a-service-account', "this channel's key is not a Google service account key (JSON with client_email and private_key)"],
    ['no private key', JSON.stringify({ type: 'service_account', client_email: 'x@y.iam.gserviceaccount.com' }), "this channel's key is not a Google service account key (JSON with client_email and private_key)"],
    ['a private key that is not PEM', JSON.stringify({ client_email: 'x@y.iam.gserviceaccount.com', private_key: 'secret-material' }), "the private_key of this channel's service account key is not a PEM private key"],
  ])('a key that is %s is refused before any fetch, without echoing it', (_name, key, message) => {
    tokens = new GoogleAccessTokens();
    let failure: unknown;
    try {
      tokens.account('channel-7', key);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ kind: 'authentication', retryable: true, message });
    expect(fake.tokensIssued).toHaveLength(0);
  });
});
