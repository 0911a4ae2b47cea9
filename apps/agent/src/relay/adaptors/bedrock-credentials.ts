import { PolicyChannel } from '@aigw/contracts';
import { GatewayError } from '@aigw/providers';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Bedrock signs for the `bedrock` service in the channel's region. */
const SIGNING_SERVICE = 'bedrock';
const DEFAULT_REGION = 'us-east-1';

/**
 * How a Bedrock channel authenticates: an AWS key pair (the channel key is
 * JSON `{"access_key_id", "secret_access_key", "session_token"?}`; every
 * request is signed with SigV4) or a Bedrock API key (any other key; sent as
 * `Authorization: Bearer`,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html).
 */
export type BedrockAuth = { kind: 'sigv4'; signer: SignatureV4 } | { kind: 'api-key'; authorization: string };

interface CachedAuth {
  key: string;
  region: string;
  auth: BedrockAuth;
}

/**
 * The parsed credentials (and the SigV4 signer, which caches its signing
 * key per day) of each channel, built once per channel key and region
 * rather than per request.
 */
class BedrockCredentials {
  private readonly channels = new Map<string, CachedAuth>();

  of(channel: PolicyChannel): BedrockAuth {
    const key = channel.key ?? '';
    const region = bedrockRegion(channel);
    const cached = this.channels.get(channel.id);
    if (cached && cached.key === key && cached.region === region) return cached.auth;
    const auth = parseBedrockKey(key, region);
    this.channels.set(channel.id, { key, region, auth });
    return auth;
  }
}

export const bedrockCredentials = new BedrockCredentials();

/**
 * `settings.provider.region`; else the region of a standard runtime
 * endpoint (bedrock-runtime.{region}.amazonaws.com, where a signature for
 * another region would be refused); else us-east-1.
 */
export function bedrockRegion(channel: PolicyChannel): string {
  const configured = channel.settings.provider?.region;
  if (configured) return configured;
  const host = /^https?:\/\/bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/i.exec(channel.baseUrl);
  return host ? host[1].toLowerCase() : DEFAULT_REGION;
}

/** Never echoes the key: a refused key names only what is missing. */
export function parseBedrockKey(key: string, region: string): BedrockAuth {
  const trimmed = key.trim();
  if (trimmed === '') throw misconfigured('this Bedrock channel has no key');
  if (!trimmed.startsWith('{')) return { kind: 'api-key', authorization: `Bearer ${trimmed}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw misconfigured("this Bedrock channel's key is not valid JSON (an AWS key pair) nor an API key");
  }
  const pair = parsed as Record<string, unknown>;
  const accessKeyId = pair.access_key_id;
  const secretAccessKey = pair.secret_access_key;
  const sessionToken = pair.session_token;
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw misconfigured("this Bedrock channel's key needs access_key_id and secret_access_key");
  }
  if (sessionToken !== undefined && sessionToken !== null && typeof sessionToken !== 'string') {
    throw misconfigured("this Bedrock channel's session_token must be a string");
  }
  const signer = new SignatureV4({
    service: SIGNING_SERVICE,
    region,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    sha256: Hash.bind(null, 'sha256'),
  });
  return { kind: 'sigv4', signer };
}

/**
 * The headers of a signed request: what the AWS SDK signs — method, host,
 * path, query, every header given (content-type, the channel's own), the
 * date (x-amz-date), the body's SHA-256 (x-amz-content-sha256) and the
 * session token — plus the Authorization header.
 */
export async function signBedrockRequest(signer: SignatureV4, url: string, headers: Record<string, string>, body: string): Promise<Record<string, string>> {
  const target = new URL(url);
  const query: Record<string, string> = {};
  target.searchParams.forEach((value, name) => (query[name] = value));
  const signed = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    ...(target.port ? { port: Number(target.port) } : {}),
    path: target.pathname,
    query,
    headers: { ...headers, host: target.host },
    body,
  });
  return signed.headers;
}

function misconfigured(message: string): GatewayError {
  // Another channel may serve: retryable, and not the client's fault (502).
  return new GatewayError('upstream', message, { retryable: true });
}
