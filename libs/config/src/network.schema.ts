import { AddressPolicy, DEFAULT_MEDIA_FETCH, DEFAULT_UPSTREAM_NETWORK, MediaFetchPolicy } from '@aigw/contracts';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** The `upstream_network:` section: which addresses channel base URLs may reach (docs/network-security.md). */
export class UpstreamNetworkConfigFile {
  /** 127.0.0.0/8, ::1, localhost: a model server on the gateway's host. Default true. */
  @IsOptional() @IsBoolean() allow_loopback?: boolean;
  /** RFC 1918, CGNAT, fc00::/7: a model server on the LAN. Default true. */
  @IsOptional() @IsBoolean() allow_private?: boolean;
}

/** The `media:` section: fetching image URLs for providers that need the bytes (docs/network-security.md). */
export class MediaConfigFile {
  @IsOptional() @IsBoolean() fetch_image_urls?: boolean;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
    each: true,
    message: 'each must be a host name, optionally starting with *. for its sub-domains',
  })
  allowed_hosts?: string[];
  @IsOptional() @IsInt() @Min(1) @Max(100) max_mb?: number;
  @IsOptional() @IsInt() @Min(100) @Max(120_000) timeout_ms?: number;
  @IsOptional() @IsBoolean() allow_private?: boolean;
}

export function resolveUpstreamNetwork(file: UpstreamNetworkConfigFile | undefined): AddressPolicy {
  return {
    allowLoopback: file?.allow_loopback ?? DEFAULT_UPSTREAM_NETWORK.allowLoopback,
    allowPrivate: file?.allow_private ?? DEFAULT_UPSTREAM_NETWORK.allowPrivate,
  };
}

export function resolveMedia(file: MediaConfigFile | undefined): MediaFetchPolicy {
  return {
    fetchImageUrls: file?.fetch_image_urls ?? DEFAULT_MEDIA_FETCH.fetchImageUrls,
    allowedHosts: (file?.allowed_hosts ?? DEFAULT_MEDIA_FETCH.allowedHosts).map((host) => host.toLowerCase()),
    maxBytes: file?.max_mb !== undefined ? file.max_mb * 1024 * 1024 : DEFAULT_MEDIA_FETCH.maxBytes,
    timeoutMs: file?.timeout_ms ?? DEFAULT_MEDIA_FETCH.timeoutMs,
    allowPrivate: file?.allow_private ?? DEFAULT_MEDIA_FETCH.allowPrivate,
  };
}
