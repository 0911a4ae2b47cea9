export { geminiCodec } from './gemini.codec';
export {
  DEFAULT_GEMINI_BASE_URL,
  GEMINI_API_VERSION,
  buildUpstreamHeaders as buildGeminiUpstreamHeaders,
  geminiApi,
  geminiGenerateContentPath,
  normaliseGeminiModel,
} from './gemini-api';
export type * from './gemini.types';
