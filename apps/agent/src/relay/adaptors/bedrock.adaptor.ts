import { PolicyChannel } from '@aigw/contracts';
import {
  BEDROCK_ANTHROPIC_VERSION,
  BedrockEventStreamReader,
  FrameReader,
  GatewayError,
  UpstreamProtocol,
  bedrockInvokePath,
  decodeBedrockError,
  isBedrockAnthropicModel,
} from '@aigw/providers';
import { joinUrl } from '../upstream-target.util';
import { bedrockCredentials, signBedrockRequest } from './bedrock-credentials';
import { ChannelAdaptor, UpstreamCall, UpstreamTarget } from './channel-adaptor';

/**
 * AWS Bedrock runtime. Anthropic models (`anthropic.claude-…`,
 * `us.anthropic.claude-…`) speak Anthropic's Messages body through
 * InvokeModel, so an Anthropic client passes through; every other model
 * speaks the Converse API. The base URL is the runtime endpoint
 * (https://bedrock-runtime.{region}.amazonaws.com); the key is an AWS key
 * pair (SigV4, region from settings.provider.region) or a Bedrock API key
 * (bearer). Streams are AWS event-stream frames, not SSE; errors come in
 * AWS's shape whatever the body's protocol.
 */
export const bedrockAdaptor: ChannelAdaptor = {
  protocolFor(_channel: PolicyChannel, _client, upstreamModel: string): UpstreamProtocol {
    return isBedrockAnthropicModel(upstreamModel) ? 'anthropic' : 'bedrock-converse';
  },
  target(channel: PolicyChannel, call: UpstreamCall): UpstreamTarget | Promise<UpstreamTarget> {
    const auth = bedrockCredentials.of(channel);
    const request = call.protocol === 'anthropic' ? invokeModelRequest(call) : { path: call.path, headers: call.headers, body: call.body };
    const url = joinUrl(channel.baseUrl, request.path);
    const body = JSON.stringify(request.body);
    if (auth.kind === 'api-key') return { url, headers: { ...request.headers, authorization: auth.authorization }, body };
    return signBedrockRequest(auth.signer, url, request.headers, body).then((headers) => ({ url, headers, body }));
  },
  frames(_channel: PolicyChannel, protocol: UpstreamProtocol): FrameReader {
    return new BedrockEventStreamReader(protocol === 'anthropic' ? 'anthropic' : 'converse');
  },
  decodeError(_channel: PolicyChannel, _protocol: UpstreamProtocol, status: number, body: unknown, headers): GatewayError {
    return decodeBedrockError(status, body, headers);
  },
};

/**
 * Anthropic's Messages body as InvokeModel takes it: the model in the path
 * (invoke, or invoke-with-response-stream when streaming) instead of
 * `model` and `stream`, the API version as `anthropic_version`, and beta
 * features as an `anthropic_beta` list instead of the anthropic-beta header
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html).
 */
export function invokeModelRequest(call: UpstreamCall): { path: string; headers: Record<string, string>; body: Record<string, unknown> } {
  const { model: _model, stream: _stream, ...rest } = call.body;
  const body: Record<string, unknown> = { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...rest };
  const { 'anthropic-beta': beta, ...headers } = call.headers;
  if (beta && body.anthropic_beta === undefined) {
    body.anthropic_beta = beta
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
  }
  return { path: bedrockInvokePath(call.upstreamModel, call.stream), headers, body };
}
