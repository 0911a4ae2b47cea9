import { PROVIDER_CATALOG } from '@aigw/contracts';
import { azureAdaptor } from './azure.adaptor';
import { bedrockAdaptor } from './bedrock.adaptor';
import { ChannelAdaptor } from './channel-adaptor';
import { cohereAdaptor } from './cohere.adaptor';
import { nativeAdaptor } from './native.adaptor';
import { openAiCompatibleAdaptor } from './openai-compatible.adaptor';
import { vertexAdaptor } from './vertex.adaptor';

export * from './channel-adaptor';
export { apiKeyHeaders, nativeAdaptor, nativeProtocolFor } from './native.adaptor';

/**
 * The adaptor of each provider type (libs/contracts PROVIDER_TYPES). A type
 * without an entry here cannot serve requests (it is refused at channel
 * creation, so only an older policy can name one).
 */
const ADAPTORS: Record<string, ChannelAdaptor> = {
  // Every OpenAI-compatible preset of the catalog (the generic type included): one adaptor each, built from its entry.
  ...Object.fromEntries(PROVIDER_CATALOG.filter((entry) => entry.family === 'openai-compatible').map((entry) => [entry.id, openAiCompatibleAdaptor(entry)])),
  openai: nativeAdaptor,
  azure: azureAdaptor,
  anthropic: nativeAdaptor,
  gemini: nativeAdaptor,
  bedrock: bedrockAdaptor,
  cohere: cohereAdaptor,
  vertex: vertexAdaptor,
};

/** null: no adaptor for this type (the dispatcher skips the channel). */
export function adaptorFor(type: string): ChannelAdaptor | null {
  return ADAPTORS[type] ?? null;
}
