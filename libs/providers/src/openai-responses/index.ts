export { openAiResponsesCodec } from './openai-responses.codec';
export { OPENAI_DEFAULT_BASE_URL, RESPONSES_PATH, buildUpstreamHeaders, responsesPath } from './openai-responses-api';
