export { cohereCodec } from './cohere.codec';
export { COHERE_CHAT_PATH, COHERE_DEFAULT_BASE_URL } from './cohere-api';
