import { PROVIDER_CATALOG } from './provider-catalog';

/** Upstream provider types a channel can have: the ids of the provider catalog. */
export const PROVIDER_TYPES = PROVIDER_CATALOG.map((entry) => entry.id);

export type ProviderType = (typeof PROVIDER_CATALOG)[number]['id'];
