/**
 * Where Cohere's native chat lives. The channel's base URL is the one the
 * official SDKs take (`https://api.cohere.com`, no version); the codec's path
 * carries the API version. Streaming uses the same endpoint (`stream: true`).
 */
export const COHERE_DEFAULT_BASE_URL = 'https://api.cohere.com';

export const COHERE_CHAT_PATH = '/v2/chat';
