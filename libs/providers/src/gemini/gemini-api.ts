/**
 * Where and how to call a Gemini API (Google AI Studio / Generative Language
 * API) upstream.
 *
 * The channel's base URL is the provider's base exactly as the official
 * @google/genai SDK takes it (`httpOptions.baseUrl`): WITHOUT the API
 * version, e.g. `https://generativelanguage.googleapis.com` or
 * `http://proxy:8080`. The caller joins it with the path below, which carries
 * `/v1beta` (the version @google/genai uses by default; function calling,
 * thinking and JSON-schema fields live there).
 *
 * Vertex AI speaks the same body under another path and OAuth; it is not this
 * module's transport.
 */
export const GEMINI_API_VERSION = 'v1beta';

export const DEFAULT_GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

/**
 * Path below the base URL: `/v1beta/models/{model}:generateContent`, or
 * `:streamGenerateContent?alt=sse` (without alt=sse the stream is one JSON
 * array, not SSE). A `models/` prefix on the model is accepted and not doubled;
 * `tunedModels/…` keeps its own collection.
 */
export function geminiGenerateContentPath(model: string, stream: boolean): string {
  const name = model.startsWith('models/') ? model.slice('models/'.length) : model;
  const resource = name.startsWith('tunedModels/') ? `tunedModels/${encodeURIComponent(name.slice('tunedModels/'.length))}` : `models/${encodeURIComponent(name)}`;
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return `/${GEMINI_API_VERSION}/${resource}:${method}`;
}

/**
 * Headers for a channel. `key` null: a keyless Gemini-compatible proxy gets no
 * x-goog-api-key header at all. The key goes in the header, never in `?key=`
 * (URLs end up in logs).
 */
export function buildUpstreamHeaders(key: string | null): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null && key !== '') headers['x-goog-api-key'] = key;
  return headers;
}

/** `models/gemini-2.5-flash` → `gemini-2.5-flash` (clients put either in the URL). */
export function normaliseGeminiModel(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}

/**
 * The major generation of a Gemini model name (`gemini-3-flash-preview` → 3,
 * `gemini-2.5-pro` → 2), or null for aliases like `gemini-flash-latest`.
 */
export function geminiGeneration(model: string): number | null {
  const match = /^(?:models\/)?gemini-(\d+)(?:[.-]|$)/i.exec(model);
  return match ? Number(match[1]) : null;
}

/**
 * Gemini 3+ takes `thinkingLevel` and rejects a replayed function call that
 * lacks its thought signature. Unknown generations (aliases) are treated as
 * older: `thinkingBudget` still works on Gemini 3, and the signature
 * sentinel is only documented for Gemini 3.
 */
export function isGemini3OrLater(model: string): boolean {
  const generation = geminiGeneration(model);
  return generation !== null && generation >= 3;
}

/** The helpers above as one object, for callers that pick a protocol's API at run time. */
export const geminiApi = {
  generateContentPath: geminiGenerateContentPath,
  buildUpstreamHeaders,
} as const;
