import { DEFAULT_MEDIA_FETCH, DEFAULT_UPSTREAM_NETWORK } from '@aigw/contracts';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

function load(yaml: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'aigw-network-'));
  writeFileSync(join(cwd, 'config.yaml'), yaml);
  return loadConfig({ cwd, env: {}, argv: [] });
}

describe('upstream_network and media config', () => {
  it('default to loopback and private upstreams allowed, image URLs not fetched; config.example.yaml says so', () => {
    const empty = load('');
    expect(empty.upstreamNetwork).toEqual({ allowLoopback: true, allowPrivate: true });
    expect(empty.upstreamNetwork).toEqual(DEFAULT_UPSTREAM_NETWORK);
    expect(empty.media).toEqual({ fetchImageUrls: false, allowedHosts: [], maxBytes: 20 * 1024 * 1024, timeoutMs: 10_000, allowPrivate: false });
    expect(empty.media).toEqual(DEFAULT_MEDIA_FETCH);

    const cwd = mkdtempSync(join(tmpdir(), 'aigw-network-example-'));
    copyFileSync(resolve(__dirname, '../../../config.example.yaml'), join(cwd, 'config.yaml'));
    const example = loadConfig({ cwd, env: {}, argv: [] });
    expect(example.upstreamNetwork).toEqual(DEFAULT_UPSTREAM_NETWORK);
    expect(example.media).toEqual(DEFAULT_MEDIA_FETCH);
  });

  it('reads every key', () => {
    const config = load(
      [
        'upstream_network: { allow_loopback: false, allow_private: false }',
        'media: { fetch_image_urls: true, allowed_hosts: [images.example.com, "*.cdn.example.net"], max_mb: 5, timeout_ms: 2000, allow_private: true }',
      ].join('\n'),
    );
    expect(config.upstreamNetwork).toEqual({ allowLoopback: false, allowPrivate: false });
    expect(config.media).toEqual({
      fetchImageUrls: true,
      allowedHosts: ['images.example.com', '*.cdn.example.net'],
      maxBytes: 5 * 1024 * 1024,
      timeoutMs: 2000,
      allowPrivate: true,
    });
  });

  it.each([
    ['upstream_network: { allow_loopback: "no" }', 'upstream_network.allow_loopback: must be a boolean value'],
    ['upstream_network: { allow_link_local: true }', 'upstream_network.allow_link_local: unknown key'],
    ['media: { max_mb: 0 }', 'media.max_mb: must not be less than 1'],
    ['media: { allowed_hosts: ["http://images.example.com"] }', 'media.allowed_hosts: each must be a host name, optionally starting with *. for its sub-domains'],
  ])('refuses %s', (yaml, message) => {
    expect(() => load(yaml)).toThrow(ConfigError);
    expect(() => load(yaml)).toThrow(message);
  });
});
