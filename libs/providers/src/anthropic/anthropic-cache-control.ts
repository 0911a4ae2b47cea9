import { CacheControl, invalidRequest } from '../ir';
import { AnthropicCacheControl } from './anthropic.types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a `cache_control` value (absent or null: none). Only `ephemeral` with ttl 5m / 1h exists. */
export function decodeCacheControl(value: unknown, param: string): CacheControl | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || value.type !== 'ephemeral') {
    throw invalidRequest(`${param}: cache_control type must be 'ephemeral'`, param);
  }
  if (value.ttl === undefined || value.ttl === null) return { type: 'ephemeral' };
  if (value.ttl !== '5m' && value.ttl !== '1h') throw invalidRequest(`${param}.ttl: must be '5m' or '1h'`, `${param}.ttl`);
  return { type: 'ephemeral', ttl: value.ttl };
}

/** The IR cache marker as Anthropic writes it (same shape, copied so callers never share objects). */
export function encodeCacheControl(cacheControl: CacheControl): AnthropicCacheControl {
  return cacheControl.ttl ? { type: 'ephemeral', ttl: cacheControl.ttl } : { type: 'ephemeral' };
}
