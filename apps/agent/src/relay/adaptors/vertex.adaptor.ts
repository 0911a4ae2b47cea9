import { PolicyChannel } from '@aigw/contracts';
import { GatewayError, UpstreamProtocol } from '@aigw/providers';
import { joinUrl } from '../upstream-target.util';
import { ChannelAdaptor, UpstreamCall, UpstreamTarget } from './channel-adaptor';
import { googleAccessTokens } from './google-access-tokens';

/** The Messages API version Vertex takes in the body instead of the anthropic-version header. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

const DEFAULT_LOCATION = 'us-central1';

/**
 * Google Vertex AI: Gemini models speak the Gemini API's body and Claude
 * models Anthropic's Messages, both under the project's publisher model
 * resource (`/v1/projects/{project}/locations/{location}/publishers/{google|anthropic}/models/{model}:{method}`),
 * authenticated with an OAuth access token of the channel's service account
 * (key: the key file's JSON). Placement: `settings.provider.project` (default:
 * the key's project_id) and `settings.provider.region` (default us-central1);
 * the base URL is the API host, `https://{location}-aiplatform.googleapis.com`
 * (`https://aiplatform.googleapis.com` for the `global` location).
 */
export const vertexAdaptor: ChannelAdaptor = {
  protocolFor(_channel: PolicyChannel, _client, upstreamModel: string): UpstreamProtocol {
    return isClaude(upstreamModel) ? 'anthropic' : 'gemini';
  },
  target(channel: PolicyChannel, call: UpstreamCall): UpstreamTarget | Promise<UpstreamTarget> {
    const account = googleAccessTokens.account(channel.id, channel.key);
    const project = channel.settings.provider?.project ?? account.key.project_id;
    if (!project) throw new GatewayError('upstream', 'this Vertex channel names no project (settings.provider.project, or project_id in its key)', { retryable: true });
    const location = channel.settings.provider?.region ?? DEFAULT_LOCATION;
    const url = joinUrl(channel.baseUrl, vertexPath(project, location, call));
    const body = JSON.stringify(vertexBody(call));
    const withToken = (token: string): UpstreamTarget => ({ url, headers: { ...call.headers, authorization: `Bearer ${token}` }, body });
    const token = account.accessToken();
    return typeof token === 'string' ? withToken(token) : token.then(withToken);
  },
  /** The codecs' own paths; target() places them on Vertex (Gemini :countTokens, Anthropic count-tokens:rawPredict). */
  countTokensPath(_channel: PolicyChannel, protocol: 'anthropic' | 'gemini', upstreamModel: string): string {
    return protocol === 'anthropic' ? ANTHROPIC_COUNT_TOKENS_PATH : `/v1beta/models/${encodeURIComponent(upstreamModel)}:countTokens`;
  },
};

const ANTHROPIC_COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

function isClaude(model: string): boolean {
  return model.startsWith('claude-');
}

function isCountTokens(call: UpstreamCall): boolean {
  return call.protocol === 'anthropic' ? call.path === ANTHROPIC_COUNT_TOKENS_PATH : /:countTokens$/.test(call.path);
}

/**
 * The path below the API host. The codec built the path of the provider's
 * own API; Vertex serves the same methods on the publisher model: Gemini's
 * generateContent / streamGenerateContent (SSE with alt=sse) / countTokens,
 * Anthropic's rawPredict / streamRawPredict, and its token counter as the
 * `count-tokens` model.
 */
export function vertexPath(project: string, location: string, call: UpstreamCall): string {
  const resource = `/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers`;
  const model = encodeURIComponent(call.upstreamModel).replace(/%40/g, '@');
  if (call.protocol === 'anthropic') {
    if (isCountTokens(call)) return `${resource}/anthropic/models/count-tokens:rawPredict`;
    return `${resource}/anthropic/models/${model}:${call.stream ? 'streamRawPredict' : 'rawPredict'}`;
  }
  const method = isCountTokens(call) ? 'countTokens' : call.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `${resource}/google/models/${model}:${method}`;
}

/**
 * Anthropic on Vertex: the model is in the path (the token counter keeps it
 * in the body) and the API version in the body. Gemini's countTokens takes
 * the generateContent fields at the top level, not a generateContentRequest.
 */
function vertexBody(call: UpstreamCall): Record<string, unknown> {
  if (call.protocol === 'anthropic') {
    const { model, ...rest } = call.body;
    return { ...rest, ...(isCountTokens(call) ? { model } : {}), anthropic_version: VERTEX_ANTHROPIC_VERSION };
  }
  const wrapped = call.body.generateContentRequest;
  if (isCountTokens(call) && wrapped && typeof wrapped === 'object') {
    const { model: _model, ...request } = wrapped as Record<string, unknown>;
    return request;
  }
  return call.body;
}
