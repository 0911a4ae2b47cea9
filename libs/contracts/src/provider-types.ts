/**
 * Upstream provider types a channel can have. Each names the wire protocol the
 * gateway speaks to it; OpenAI-compatible presets are added as data later.
 */
export const PROVIDER_TYPES = [
  'openai',
  'openai-compatible',
  'azure',
  'anthropic',
  'gemini',
  'vertex',
  'bedrock',
] as const;

export type ProviderType = (typeof PROVIDER_TYPES)[number];
