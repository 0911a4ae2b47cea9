import { UpstreamCodec } from '../ir';
import { decodeCohereError } from './cohere-errors';
import { CohereStreamDecoder } from './cohere-stream-decoder';
import { decodeCohereResponse } from './decode-cohere-response';
import { encodeCohereRequest } from './encode-cohere-request';

/** Cohere's native Chat API v2 ({base}/v2/chat): an upstream-only wire format (no client speaks it). */
export const cohereCodec: UpstreamCodec = {
  protocol: 'cohere',
  encodeRequest: encodeCohereRequest,
  decodeResponse: decodeCohereResponse,
  createStreamDecoder: () => new CohereStreamDecoder(),
  decodeError: decodeCohereError,
};
