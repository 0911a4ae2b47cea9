import { PolicyChannel } from '@aigw/contracts';
import { UpstreamProtocol } from '@aigw/providers';
import { joinUrl } from '../upstream-target.util';
import { ChannelAdaptor, UpstreamCall, UpstreamTarget } from './channel-adaptor';

/**
 * Cohere: every client protocol is served by Cohere's native Chat API v2,
 * translated by the `cohere` codec, at `{base}/v2/chat` with a Bearer key.
 * The base is the one Cohere's SDKs take, without a version
 * (`https://api.cohere.com`).
 */
export const cohereAdaptor: ChannelAdaptor = {
  protocolFor(): UpstreamProtocol {
    return 'cohere';
  },
  target(channel: PolicyChannel, call: UpstreamCall): UpstreamTarget {
    return {
      url: joinUrl(channel.baseUrl, call.path),
      headers: { ...call.headers, ...(channel.key ? { authorization: `Bearer ${channel.key}` } : {}) },
      body: JSON.stringify(call.body),
    };
  },
};
