import { ProtocolCodec } from '../ir';
import { decodeGeminiRequest } from './decode-gemini-request';
import { decodeGeminiResponse } from './decode-gemini-response';
import { encodeGeminiRequest } from './encode-gemini-request';
import { encodeGeminiResponse } from './encode-gemini-response';
import { decodeGeminiError, encodeGeminiError } from './gemini-errors';
import { GeminiStreamDecoder } from './gemini-stream-decoder';
import { GeminiStreamEncoder } from './gemini-stream-encoder';

/** Gemini generateContent, on both sides of the gateway. */
export const geminiCodec: ProtocolCodec = {
  protocol: 'gemini',
  decodeRequest: (body, context) => decodeGeminiRequest(body, context),
  encodeResponse: (response, context) => encodeGeminiResponse(response, context),
  createStreamEncoder: (context) => new GeminiStreamEncoder(context),
  encodeError: (error) => encodeGeminiError(error),
  encodeRequest: (request, upstreamModel) => encodeGeminiRequest(request, upstreamModel),
  decodeResponse: (body) => decodeGeminiResponse(body),
  createStreamDecoder: () => new GeminiStreamDecoder(),
  decodeError: (status, body, headers) => decodeGeminiError(status, body, headers),
};
