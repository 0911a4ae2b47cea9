import { ParameterQuirk, PolicyChannel, ProviderAuth, ProviderCapability, ProviderPreset } from '@aigw/contracts';
import { GatewayError, Protocol, UpstreamProtocol } from '@aigw/providers';
import { joinUrl } from '../upstream-target.util';
import { ChannelAdaptor, UpstreamCall, UpstreamTarget } from './channel-adaptor';

const CHAT_PATH = '/chat/completions';
const MEDIA_CAPABILITIES: Record<string, ProviderCapability> = { images: 'images', audio: 'audio', moderations: 'moderations', rerank: 'rerank' };
const COMPLETIONS_PATH = '/completions';

/** A preset's quirks compiled once, so a request pays only for the checks its preset has. */
interface BodyRules {
  dropped: readonly string[];
  refused: readonly ParameterQuirk[];
  renames: readonly (readonly [from: string, to: string])[];
  renameMaxTokens: boolean;
  removeStreamOptions: boolean;
  dropMessageNames: boolean;
}

/**
 * The adaptor of one OpenAI-compatible preset (libs/contracts provider
 * catalog): Chat Completions at the channel's base URL (the preset's when the
 * channel has none), Responses passed through when the preset has them, the
 * preset's auth, and its quirks applied to the outgoing Chat body — dropped
 * parameters removed, refused ones answered 400 naming the parameter and the
 * provider, renamed ones renamed, stream_options removed where it is not
 * taken. A preset without quirks forwards the body as it came.
 */
export function openAiCompatibleAdaptor(preset: ProviderPreset): ChannelAdaptor {
  const rules = compileRules(preset);
  const auth = authHeaders(preset.auth);
  const { capabilities } = preset;
  return {
    protocolFor(channel: PolicyChannel, client: Protocol, upstreamModel: string, endpoint: string = client): UpstreamProtocol | null {
      if (endpoint === 'embeddings') return capabilities.embeddings ? 'openai-chat' : null;
      if (endpoint === 'completions') return capabilities.completions ? 'openai-chat' : null;
      // images/…, audio/…, moderations, rerank (the media relay's endpoints): served where the preset has the capability.
      const media = MEDIA_CAPABILITIES[endpoint.split('/')[0]];
      if (media) return capabilities[media] ? 'openai-chat' : null;
      if (!capabilities.chat) return null;
      return client === 'openai-responses' && capabilities.responses ? 'openai-responses' : 'openai-chat';
    },
    target(channel: PolicyChannel, call: UpstreamCall): UpstreamTarget {
      const baseUrl = channel.baseUrl || preset.baseUrl;
      if (!baseUrl) throw new GatewayError('internal', `channel ${channel.name} has no base URL`);
      let body = call.body;
      if (rules && call.protocol === 'openai-chat') {
        if (call.path === CHAT_PATH) body = applyRules(body, rules, preset.name);
        else if (call.path === COMPLETIONS_PATH && rules.removeStreamOptions) body = without(body, 'stream_options');
      }
      return {
        url: joinUrl(baseUrl, call.path),
        headers: { ...call.headers, ...auth(channel.key) },
        body: JSON.stringify(body),
      };
    },
  };
}

/** null: the preset departs from OpenAI's Chat in nothing. */
function compileRules(preset: ProviderPreset): BodyRules | null {
  const { quirks } = preset;
  const rules: BodyRules = {
    dropped: quirks.params.filter((quirk) => quirk.action === 'drop').map((quirk) => quirk.param),
    refused: quirks.params.filter((quirk) => quirk.action === 'refuse'),
    renames: Object.entries(quirks.renames),
    renameMaxTokens: quirks.maxTokensField === 'max_tokens',
    removeStreamOptions: !quirks.streamOptions,
    dropMessageNames: quirks.dropMessageNames,
  };
  const empty =
    rules.dropped.length === 0 &&
    rules.refused.length === 0 &&
    rules.renames.length === 0 &&
    !rules.renameMaxTokens &&
    !rules.removeStreamOptions &&
    !rules.dropMessageNames;
  return empty ? null : rules;
}

/** The body as the provider takes it; copied once, and only when something changes. */
function applyRules(body: Record<string, unknown>, rules: BodyRules, provider: string): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  const edit = () => (out ??= { ...body });
  for (const quirk of rules.refused) {
    if (!(quirk.param in body)) continue;
    const value = body[quirk.param];
    if (value !== null && !quirk.harmless?.includes(value as string | number | boolean)) {
      throw new GatewayError('invalid_request', `${quirk.param} is not supported by ${provider}, which ${quirk.reason}`, { param: quirk.param });
    }
    delete edit()[quirk.param];
  }
  for (const param of rules.dropped) if (param in body) delete edit()[param];
  for (const [from, to] of rules.renames) {
    if (!(from in body)) continue;
    const copy = edit();
    if (copy[to] === undefined) copy[to] = body[from];
    delete copy[from];
  }
  if (rules.renameMaxTokens && 'max_completion_tokens' in body) {
    const copy = edit();
    if (copy.max_tokens === undefined) copy.max_tokens = body.max_completion_tokens;
    delete copy.max_completion_tokens;
  }
  if (rules.removeStreamOptions && 'stream_options' in body) delete edit().stream_options;
  if (rules.dropMessageNames && Array.isArray(body.messages) && body.messages.some(hasName)) {
    edit().messages = body.messages.map((message) => (hasName(message) ? without(message, 'name') : message));
  }
  return out ?? body;
}

function hasName(message: unknown): message is Record<string, unknown> {
  return typeof message === 'object' && message !== null && 'name' in message;
}

function without(object: Record<string, unknown>, field: string): Record<string, unknown> {
  const { [field]: _removed, ...rest } = object;
  return rest;
}

/** The headers that carry a channel's key; a keyless channel (or a preset without auth) sends none. */
function authHeaders(auth: ProviderAuth): (key: string | null) => Record<string, string> {
  const none: Record<string, string> = {};
  switch (auth.style) {
    case 'bearer':
      return (key) => (key ? { authorization: `Bearer ${key}` } : none);
    case 'header': {
      const header = auth.header!;
      return (key) => (key ? { [header]: key } : none);
    }
    default:
      return () => none;
  }
}
