/**
 * Where and how to call an OpenAI Chat Completions upstream.
 *
 * The channel's base URL is the provider's base exactly as the official
 * openai SDK takes it (`baseURL`): it already ends with the API version,
 * e.g. `https://api.openai.com/v1`, `https://api.deepseek.com/v1`,
 * `http://vllm:8000/v1`. The caller joins it with the path below.
 */
export const OPENAI_CHAT_COMPLETIONS_PATH = '/chat/completions';

/** Path below the base URL; streaming uses the same endpoint (the body says `stream: true`). */
export function openAiChatCompletionsPath(): string {
  return OPENAI_CHAT_COMPLETIONS_PATH;
}

/**
 * Headers for a channel. `key` null: a keyless OpenAI-compatible server
 * (local vLLM, Ollama) gets no Authorization header at all.
 */
export function buildUpstreamHeaders(key: string | null): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null && key !== '') headers.authorization = `Bearer ${key}`;
  return headers;
}

/** The helpers as one value, so several providers' `buildUpstreamHeaders` can sit side by side. */
export const openAiChatApi = {
  completionsPath: openAiChatCompletionsPath,
  buildUpstreamHeaders,
} as const;
