import { ProtocolCodec } from '../ir';
import { decodeOpenAiResponsesRequest } from './decode-openai-responses-request';
import { decodeOpenAiResponsesResponse } from './decode-openai-responses-response';
import { encodeOpenAiResponsesRequest } from './encode-openai-responses-request';
import { encodeOpenAiResponsesResponse } from './encode-openai-responses-response';
import { decodeOpenAiResponsesError, encodeOpenAiResponsesError } from './openai-responses-errors';
import { OpenAiResponsesStreamDecoder } from './openai-responses-stream-decoder';
import { OpenAiResponsesStreamEncoder } from './openai-responses-stream-encoder';

/** OpenAI Responses API (POST /v1/responses), client side and upstream side. */
export const openAiResponsesCodec: ProtocolCodec = {
  protocol: 'openai-responses',
  decodeRequest: decodeOpenAiResponsesRequest,
  encodeResponse: encodeOpenAiResponsesResponse,
  createStreamEncoder: (context) => new OpenAiResponsesStreamEncoder(context),
  encodeError: encodeOpenAiResponsesError,
  encodeRequest: encodeOpenAiResponsesRequest,
  decodeResponse: decodeOpenAiResponsesResponse,
  createStreamDecoder: () => new OpenAiResponsesStreamDecoder(),
  decodeError: decodeOpenAiResponsesError,
};
