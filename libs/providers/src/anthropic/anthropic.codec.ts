import { ProtocolCodec } from '../ir';
import { decodeAnthropicError, encodeAnthropicError } from './anthropic-errors';
import { AnthropicStreamDecoder } from './anthropic-stream-decoder';
import { AnthropicStreamEncoder } from './anthropic-stream-encoder';
import { decodeAnthropicRequest } from './decode-anthropic-request';
import { decodeAnthropicResponse } from './decode-anthropic-response';
import { encodeAnthropicRequest } from './encode-anthropic-request';
import { encodeAnthropicResponse } from './encode-anthropic-response';

/** The Anthropic Messages protocol, client side and upstream side. */
export const anthropicCodec: ProtocolCodec = {
  protocol: 'anthropic',

  decodeRequest: decodeAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  createStreamEncoder: (context) => new AnthropicStreamEncoder(context),
  encodeError: encodeAnthropicError,

  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  createStreamDecoder: () => new AnthropicStreamDecoder(),
  decodeError: decodeAnthropicError,
};
