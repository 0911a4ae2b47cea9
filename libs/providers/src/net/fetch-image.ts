import { MediaFetchPolicy } from '@aigw/contracts';
import { Agent, errors, request } from 'undici';
import { GatewayError, invalidRequest } from '../ir/gateway-error';
import { normalizeHostName } from './address-policy';
import { bareHost } from './check-host';
import { AddressRefusedError, buildGuardedConnector } from './guarded-connector';
import { HostResolver } from './host-resolver';

export interface FetchedImage {
  /** The bare media type the server answered, e.g. `image/png`. */
  mediaType: string;
  bytes: Buffer;
}

export interface FetchImageOptions {
  resolver?: HostResolver;
  /** The client went away. */
  signal?: AbortSignal;
  /** The request field the URL came from, for the error. */
  param?: string;
}

/**
 * Fetches an image a client sent by URL, for a provider that needs the bytes
 * inline (Bedrock Converse takes no URLs) — the only place the gateway
 * fetches a URL a client chose, so every SSRF guard lives here
 * (docs/network-security.md): off unless `media.fetch_image_urls`; http and
 * https only; `media.allowed_hosts` when not empty; the address checked on
 * connect (link-local and metadata never, loopback and private only with
 * `media.allow_private`); no redirects; an `image/*` answer only; the
 * download cut beyond `max_bytes` and the whole fetch beyond `timeout_ms`.
 * Failures are the client's 400 (413 for size) and never echo the URL or
 * the fetched body.
 *
 * Call it before encoding a request for such a provider, for each image part
 * whose source is an http(s) URL, and replace the source with the bytes.
 */
export async function fetchImageBytes(url: string, policy: MediaFetchPolicy, options: FetchImageOptions = {}): Promise<FetchedImage> {
  const { param } = options;
  if (!policy.fetchImageUrls) {
    throw new GatewayError('unsupported', "this model's provider needs images inline and this gateway does not fetch image URLs; send the image as base64 data", { param });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest('the image URL is not a valid URL', param);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalidRequest('the image URL must be http or https', param);
  if (policy.allowedHosts.length > 0 && !hostAllowed(normalizeHostName(bareHost(parsed.hostname)), policy.allowedHosts)) {
    throw invalidRequest('the image URL is not on a host this gateway fetches images from', param);
  }

  const agent = new Agent({
    connect: buildGuardedConnector({ allowLoopback: policy.allowPrivate, allowPrivate: policy.allowPrivate }, options.resolver ?? new HostResolver(), {
      timeout: policy.timeoutMs,
    }),
  });
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, policy.timeoutMs);
  const forwardAbort = () => controller.abort();
  options.signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    if (options.signal?.aborted) controller.abort();
    const answer = await request(parsed, {
      method: 'GET',
      headers: { accept: 'image/*' },
      dispatcher: agent,
      signal: controller.signal,
      headersTimeout: policy.timeoutMs,
      bodyTimeout: policy.timeoutMs,
    });
    const refusal = answerRefusal(answer.statusCode, answer.headers, policy.maxBytes, param);
    if (refusal) {
      // Destroyed unread, undici's body emits an AbortError: nobody else listens.
      answer.body.on('error', () => undefined).destroy();
      throw refusal;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Leaving the loop destroys the body.
      if (size > policy.maxBytes) throw tooLarge(policy.maxBytes, param);
      chunks.push(chunk);
    }
    return { mediaType: mediaTypeOf(answer.headers['content-type']), bytes: Buffer.concat(chunks, size) };
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (options.signal?.aborted) throw new GatewayError('upstream', 'the client closed the request', { status: 499 });
    if (expired || error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError || error instanceof errors.ConnectTimeoutError) {
      throw invalidRequest(`the image URL did not answer within ${policy.timeoutMs} ms`, param);
    }
    if (error instanceof AddressRefusedError) throw invalidRequest(`the image URL is refused: its host is ${error.reason}`, param);
    throw invalidRequest('the image URL could not be fetched', param);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', forwardAbort);
    void agent.destroy();
  }
}

/** Exact host names, or `*.example.com` for its sub-domains (not example.com itself). */
function hostAllowed(host: string, allowed: string[]): boolean {
  return allowed.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === normalizeHostName(entry)));
}

/** A redirect could point anywhere, so it is refused rather than followed (and checked). */
function answerRefusal(status: number, headers: Record<string, string | string[] | undefined>, maxBytes: number, param?: string): GatewayError | null {
  if (status >= 300 && status < 400) return invalidRequest(`the image URL answered with a redirect (HTTP ${status}), which the gateway does not follow`, param);
  if (status !== 200) return invalidRequest(`the image URL answered HTTP ${status}`, param);
  if (!mediaTypeOf(headers['content-type']).startsWith('image/')) return invalidRequest('the image URL did not answer with an image (content type image/*)', param);
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > maxBytes ? tooLarge(maxBytes, param) : null;
}

function mediaTypeOf(header: string | string[] | undefined): string {
  return (Array.isArray(header) ? header[0] : (header ?? '')).split(';')[0].trim().toLowerCase();
}

function tooLarge(maxBytes: number, param?: string): GatewayError {
  return new GatewayError('payload_too_large', `the image at the URL is larger than ${maxBytes} bytes, the most this gateway fetches`, { param });
}
