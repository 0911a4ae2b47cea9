/**
 * Where Bedrock runtime requests go. The channel's base URL is the runtime
 * endpoint (https://bedrock-runtime.{region}.amazonaws.com); every model is
 * named in the path, never in the body.
 */

/** The body field InvokeModel wants on Anthropic models in place of the anthropic-version header. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/**
 * Anthropic models on Bedrock (`anthropic.claude-…`, cross-region profiles
 * `us.anthropic.…`, `global.anthropic.…`, and ARNs that name them) speak
 * Anthropic's Messages body through InvokeModel; everything else speaks
 * Converse.
 */
export function isBedrockAnthropicModel(modelId: string): boolean {
  return modelId.includes('anthropic.');
}

/**
 * The model id as a path segment, encoded as the AWS SDK does
 * (extendedEncodeURIComponent: encodeURIComponent plus !'()*), so `:` in
 * `…-v1:0` and the `/` of an ARN are escaped. The signer escapes the path a
 * second time for the canonical request, as AWS expects.
 */
export function encodeBedrockModelId(modelId: string): string {
  return encodeURIComponent(modelId).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function bedrockConversePath(modelId: string, stream: boolean): string {
  return `/model/${encodeBedrockModelId(modelId)}/${stream ? 'converse-stream' : 'converse'}`;
}

export function bedrockInvokePath(modelId: string, stream: boolean): string {
  return `/model/${encodeBedrockModelId(modelId)}/${stream ? 'invoke-with-response-stream' : 'invoke'}`;
}
