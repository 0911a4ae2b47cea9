export { BEDROCK_ANTHROPIC_VERSION, bedrockConversePath, bedrockInvokePath, encodeBedrockModelId, isBedrockAnthropicModel } from './bedrock-api';
export { bedrockConverseCodec } from './bedrock-converse.codec';
export { BedrockEventStreamReader, type BedrockStreamKind } from './bedrock-event-stream-reader';
export { decodeBedrockError } from './bedrock-errors';
export type * from './bedrock-converse.types';
