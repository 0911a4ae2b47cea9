import { CHINA_PROVIDERS } from './china-providers';
import { HOSTED_PROVIDERS } from './hosted-providers';
import { NATIVE_PROVIDERS } from './native-providers';
import { ProviderPreset } from './provider-preset';
import { SELF_HOSTED_PROVIDERS } from './self-hosted-providers';

export * from './provider-preset';

/**
 * Every provider type a channel can have, as data: the master validates
 * channel types against it and fills a missing base URL from it, the agent
 * picks each type's adaptor (and an OpenAI-compatible preset's auth and
 * quirks) from it, and GET /api/providers and docs/providers.md show it.
 */
export const PROVIDER_CATALOG = [...NATIVE_PROVIDERS, ...HOSTED_PROVIDERS, ...CHINA_PROVIDERS, ...SELF_HOSTED_PROVIDERS] as const;

const BY_ID = new Map<string, ProviderPreset>(PROVIDER_CATALOG.map((entry) => [entry.id, entry]));

/** The catalog entry of a channel type; undefined for a type the catalog does not know. */
export function providerPreset(type: string): ProviderPreset | undefined {
  return BY_ID.get(type);
}
