/**
 * Which addresses the gateway may connect to on an operator's or a client's
 * behalf (docs/network-security.md). Link-local and cloud-metadata addresses
 * are never allowed; these switches cover what a self-hosted deployment may
 * legitimately need.
 */
export interface AddressPolicy {
  /** 127.0.0.0/8, ::1, 0.0.0.0, `localhost`: a model server on the gateway's own host. */
  allowLoopback: boolean;
  /** RFC 1918, CGNAT 100.64.0.0/10, fc00::/7 and other non-global ranges: a model server on the LAN. */
  allowPrivate: boolean;
}

/** Config `upstream_network:`: the addresses channel base URLs may reach. Self-hosted models (Ollama, vLLM) live there. */
export const DEFAULT_UPSTREAM_NETWORK: AddressPolicy = { allowLoopback: true, allowPrivate: true };

/** Config `media:`: fetching image URLs a client sent, for providers that need the bytes inline. */
export interface MediaFetchPolicy {
  /** false: an image URL a provider cannot take by URL is refused (400) instead of fetched. */
  fetchImageUrls: boolean;
  /** Host names an image may be fetched from (`*.example.com` matches sub-domains); empty: any public host. */
  allowedHosts: string[];
  /** Largest image fetched, in bytes; the download is cut beyond it. */
  maxBytes: number;
  /** The whole fetch, connect to last byte. */
  timeoutMs: number;
  /** Also fetch from loopback and private addresses (link-local and metadata stay refused). */
  allowPrivate: boolean;
}

export const DEFAULT_MEDIA_FETCH: MediaFetchPolicy = {
  fetchImageUrls: false,
  allowedHosts: [],
  maxBytes: 20 * 1024 * 1024,
  timeoutMs: 10_000,
  allowPrivate: false,
};
