/**
 * The wire family of a provider type: which adaptor the agent speaks to it
 * with. `openai-compatible` presets share one adaptor parametrized by their
 * entry (base URL, auth, quirks).
 */
export type ProviderFamily = 'openai' | 'openai-compatible' | 'anthropic' | 'gemini' | 'azure' | 'bedrock' | 'vertex' | 'cohere';

/**
 * How a channel's key reaches the provider. `bearer`: Authorization: Bearer;
 * `header`: the key alone in the named header (Azure's api-key); `none`: no
 * credential (local servers; the key is never sent); `aws-sigv4`: an AWS key
 * pair signs each request, or a Bedrock API key goes as Bearer; `google-service-account`:
 * a service-account key JSON mints OAuth tokens.
 */
export type ProviderAuthStyle = 'bearer' | 'header' | 'none' | 'aws-sigv4' | 'google-service-account';

export interface ProviderAuth {
  style: ProviderAuthStyle;
  /** The header name for `header` (and the conventional one for `bearer`: authorization). */
  header?: string;
}

export const PROVIDER_CAPABILITIES = [
  'chat',
  'responses',
  'messages',
  'embeddings',
  'completions',
  'images',
  'audio',
  'rerank',
  'moderations',
  'tools',
  'vision',
  'reasoning',
  'streaming',
] as const;

/**
 * What the gateway serves through a channel of the type, and routes by: chat
 * (Chat Completions), responses (a Responses client's body goes to
 * /responses untranslated), messages, embeddings, completions, images,
 * audio, rerank and moderations go only to channels whose type has them. A
 * provider may offer more than the gateway translates yet.
 */
export type ProviderCapability = (typeof PROVIDER_CAPABILITIES)[number];

export type ProviderCapabilities = Readonly<Record<ProviderCapability, boolean>>;

/**
 * A top-level Chat Completions field the provider does not take. `drop`:
 * removing it changes nothing the caller relies on (an OpenAI-only hint, a
 * field the provider ignores anyway). `refuse`: honouring it matters to the
 * answer (several choices, log probabilities), so a request that sets it is
 * answered 400 naming the parameter and the provider — unless its value is
 * one of `harmless` (n: 1, logprobs: false), which is dropped instead.
 */
export interface ParameterQuirk {
  param: string;
  action: 'drop' | 'refuse';
  /** Values that ask for nothing the provider lacks; null is always one. */
  harmless?: readonly (string | number | boolean)[];
  /** Why, as the provider's documentation says it. */
  reason: string;
}

/** How a provider's Chat Completions dialect departs from OpenAI's. */
export interface ProviderQuirks {
  params: readonly ParameterQuirk[];
  /** Fields the provider names differently (Mistral's random_seed for seed). */
  renames: Readonly<Record<string, string>>;
  /**
   * The output cap field it reads. `max_tokens`: max_completion_tokens (what
   * the gateway's own encoder and newer SDKs send) is renamed; `as_sent`: it
   * takes both.
   */
  maxTokensField: 'max_tokens' | 'as_sent';
  /**
   * It accepts stream_options.include_usage. false: stream_options is removed
   * (such providers put usage in their last chunk unasked, or the gateway
   * estimates it).
   */
  streamOptions: boolean;
  /** It refuses messages[].name: the field is removed from every message. */
  dropMessageNames: boolean;
}

/** One channel type: a provider the gateway can relay to. */
export interface ProviderPreset {
  /** The channel `type`. */
  id: string;
  name: string;
  family: ProviderFamily;
  /**
   * The base URL as the provider's own (or OpenAI's) SDK takes it; a channel
   * created without base_url gets it. null: the operator gives one (a
   * self-hosted server, an account- or resource-specific endpoint).
   */
  baseUrl: string | null;
  /** What the operator's base URL looks like, when there is no default. */
  exampleBaseUrl?: string;
  auth: ProviderAuth;
  capabilities: ProviderCapabilities;
  quirks: ProviderQuirks;
  /** The provider's documentation of its API (and of the quirks above). */
  docs?: string;
}

export const NO_QUIRKS: ProviderQuirks = { params: [], renames: {}, maxTokensField: 'as_sent', streamOptions: true, dropMessageNames: false };

/** A capability set: the listed ones true, every other false. */
export function capabilities(...enabled: ProviderCapability[]): ProviderCapabilities {
  return Object.fromEntries(PROVIDER_CAPABILITIES.map((capability) => [capability, enabled.includes(capability)])) as Record<ProviderCapability, boolean>;
}

export function dropParam(param: string, reason: string): ParameterQuirk {
  return { param, action: 'drop', reason };
}

export function refuseParam(param: string, reason: string, harmless: readonly (string | number | boolean)[] = []): ParameterQuirk {
  return harmless.length > 0 ? { param, action: 'refuse', harmless, reason } : { param, action: 'refuse', reason };
}

export function quirks(overrides: Partial<ProviderQuirks>): ProviderQuirks {
  return { ...NO_QUIRKS, ...overrides };
}

/** An entry with the literal id kept in its type (PROVIDER_TYPES is derived from them). */
export function provider<const Id extends string>(entry: Omit<ProviderPreset, 'id' | 'quirks'> & { id: Id; quirks?: ProviderQuirks }): ProviderPreset & { id: Id } {
  return { ...entry, quirks: entry.quirks ?? NO_QUIRKS };
}

/** The auth of most hosted OpenAI-compatible APIs. */
export const BEARER: ProviderAuth = { style: 'bearer', header: 'authorization' };
export const NO_AUTH: ProviderAuth = { style: 'none' };
