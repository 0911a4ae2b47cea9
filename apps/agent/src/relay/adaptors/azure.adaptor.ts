import { PolicyChannel } from '@aigw/contracts';
import { GatewayError, Protocol, UpstreamProtocol } from '@aigw/providers';
import { joinUrl } from '../upstream-target.util';
import { ChannelAdaptor, UpstreamCall, UpstreamTarget } from './channel-adaptor';

/** What Azure serves per deployment: the paths the OpenAI Chat codec and the auxiliary relay build. */
const DEPLOYMENT_OPERATIONS = new Set(['/chat/completions', '/embeddings', '/completions']);

/** The v1 API (model in the body) serves these and Responses. */
const V1_OPERATIONS = new Set([...DEPLOYMENT_OPERATIONS, '/responses']);

/**
 * Azure OpenAI: OpenAI's Chat and Responses under the resource's endpoint
 * (`https://{resource}.openai.azure.com`), authenticated with an `api-key`
 * header. With `settings.provider.api_version` the classic deployment URLs
 * are used — the upstream model names the deployment — else the v1 API
 * (https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle),
 * which takes the deployment as `model` in the body and no api-version.
 */
export const azureAdaptor: ChannelAdaptor = {
  /** Like OpenAI itself: a Responses client keeps Responses, everything else goes to Chat. */
  protocolFor(_channel: PolicyChannel, client: Protocol): UpstreamProtocol {
    return client === 'openai-responses' ? 'openai-responses' : 'openai-chat';
  },
  target(channel: PolicyChannel, call: UpstreamCall): UpstreamTarget {
    return {
      url: joinUrl(azureEndpoint(channel.baseUrl), azurePath(call.path, call.upstreamModel, channel.settings.provider?.api_version)),
      headers: { ...call.headers, ...(channel.key ? { 'api-key': channel.key } : {}) },
      body: JSON.stringify(call.body),
    };
  },
};

/**
 * Path below the resource endpoint for an OpenAI path (`/chat/completions`,
 * `/responses`, `/embeddings`, `/completions`). Responses has no deployment
 * URL: even with an api-version it is `/openai/responses`, model in the body.
 */
export function azurePath(path: string, deployment: string, apiVersion: string | undefined): string {
  if (!apiVersion) {
    if (!V1_OPERATIONS.has(path)) throw notServed(path);
    return `/openai/v1${path}`;
  }
  const query = `?api-version=${encodeURIComponent(apiVersion)}`;
  if (path === '/responses') return `/openai/responses${query}`;
  if (!DEPLOYMENT_OPERATIONS.has(path)) throw notServed(path);
  return `/openai/deployments/${encodeURIComponent(deployment)}${path}${query}`;
}

/**
 * The resource endpoint. Azure's own pages give the v1 base as
 * `…/openai/v1/` (what the OpenAI SDK takes), so a base URL pasted that way
 * is taken back to the endpoint rather than doubled.
 */
function azureEndpoint(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/openai(?:\/v1)?$/, '');
}

function notServed(path: string): GatewayError {
  return new GatewayError('unsupported', `Azure OpenAI channels do not serve ${path}`);
}
