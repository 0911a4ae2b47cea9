import { UpstreamCodec } from '../ir';
import { BedrockConverseStreamDecoder } from './bedrock-converse-stream-decoder';
import { decodeBedrockError } from './bedrock-errors';
import { decodeBedrockConverseResponse } from './decode-bedrock-converse-response';
import { encodeBedrockConverseRequest } from './encode-bedrock-converse-request';

/** Bedrock's Converse API: a provider-only wire format (no client speaks it). */
export const bedrockConverseCodec: UpstreamCodec = {
  protocol: 'bedrock-converse',
  imagesInlineOnly: true,
  encodeRequest: encodeBedrockConverseRequest,
  decodeResponse: decodeBedrockConverseResponse,
  createStreamDecoder: () => new BedrockConverseStreamDecoder(),
  decodeError: decodeBedrockError,
};
