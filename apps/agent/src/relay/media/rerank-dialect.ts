import { providerPreset } from '@aigw/contracts';
import { GatewayError } from '@aigw/providers';
import { unitCount } from './media-usage.util';

/**
 * The rerank APIs the gateway speaks upstream. `cohere`: Cohere's v2
 * (POST /v2/rerank). `jina`: Jina's (POST {base}/rerank), which vLLM,
 * Xinference and other OpenAI-compatible servers also serve at
 * /v1/rerank. `voyage`: Voyage's (POST {base}/rerank) — `top_k` for
 * `top_n`, results under `data`.
 */
export type RerankDialect = 'cohere' | 'jina' | 'voyage';

/**
 * Which rerank API a channel type speaks and at which path below its base
 * URL; null: it has none. The provider catalog's `rerank` capability says
 * whether; Cohere and Voyage have their own dialects, every other reranker
 * (Jina, vLLM, Xinference, a generic OpenAI-compatible server) Jina's, at
 * {base}/rerank with the base ending in /v1.
 */
export function rerankDialectFor(type: string): { dialect: RerankDialect; path: string } | null {
  if (!providerPreset(type)?.capabilities.rerank) return null;
  if (type === 'cohere') return { dialect: 'cohere', path: '/v2/rerank' };
  if (type === 'voyage') return { dialect: 'voyage', path: '/rerank' };
  return { dialect: 'jina', path: '/rerank' };
}

/** A rerank request as the gateway takes it (Cohere's and Jina's shape). */
export interface RerankRequest {
  model: string;
  query: string;
  /** The documents' text ({text} objects unwrapped). */
  documents: string[];
  topN?: number;
  returnDocuments: boolean;
  maxTokensPerDoc?: number;
}

/** Cohere's limit per request (its API refuses more). */
export const MAX_RERANK_DOCUMENTS = 10_000;

/** Validates a client body (400 naming the field); `documents` may be strings or `{ text }` objects. */
export function decodeRerankRequest(body: Record<string, unknown>): RerankRequest {
  const invalid = (message: string, param: string) => new GatewayError('invalid_request', message, { param });
  if (typeof body.model !== 'string' || body.model === '') throw invalid('model is required', 'model');
  if (typeof body.query !== 'string' || body.query === '') throw invalid('query must be a non-empty string', 'query');
  if (!Array.isArray(body.documents) || body.documents.length === 0) throw invalid('documents must be a non-empty array', 'documents');
  if (body.documents.length > MAX_RERANK_DOCUMENTS) throw invalid(`documents may hold at most ${MAX_RERANK_DOCUMENTS} entries`, 'documents');
  const documents = body.documents.map((document, index) => {
    if (typeof document === 'string') return document;
    const text = (document as { text?: unknown } | null)?.text;
    if (typeof text === 'string') return text;
    throw invalid('each document must be a string or an object with a string text', `documents[${index}]`);
  });
  const topN = body.top_n ?? undefined;
  if (topN !== undefined && (!Number.isInteger(topN) || (topN as number) < 1)) throw invalid('top_n must be a positive integer', 'top_n');
  const returnDocuments = body.return_documents ?? false;
  if (typeof returnDocuments !== 'boolean') throw invalid('return_documents must be a boolean', 'return_documents');
  const maxTokensPerDoc = body.max_tokens_per_doc ?? undefined;
  if (maxTokensPerDoc !== undefined && (!Number.isInteger(maxTokensPerDoc) || (maxTokensPerDoc as number) < 1)) {
    throw invalid('max_tokens_per_doc must be a positive integer', 'max_tokens_per_doc');
  }
  return { model: body.model, query: body.query, documents, topN: topN as number | undefined, returnDocuments, maxTokensPerDoc: maxTokensPerDoc as number | undefined };
}

/**
 * The upstream body in a dialect. Documents are never asked back: the
 * gateway has them and adds them itself when the client wants them (Cohere's
 * v2 has no such option).
 */
export function encodeRerankRequest(dialect: RerankDialect, request: RerankRequest, upstreamModel: string): Record<string, unknown> {
  const body: Record<string, unknown> = { model: upstreamModel, query: request.query, documents: request.documents };
  if (dialect === 'voyage') {
    if (request.topN !== undefined) body.top_k = request.topN;
    body.return_documents = false;
    return body;
  }
  if (request.topN !== undefined) body.top_n = request.topN;
  if (dialect === 'jina') body.return_documents = false;
  else if (request.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = request.maxTokensPerDoc;
  return body;
}

/** One ranked document, as Cohere's v2 answers it. */
export interface RerankResult {
  index: number;
  relevance_score: number;
  document?: { text: string };
}

/**
 * An upstream answer in Cohere's v2 shape: results by descending relevance
 * (entries naming no document of the request dropped), the documents added
 * when asked for, and the search units — the upstream's when it reports them
 * (Cohere), else Cohere's own rule: one per query over up to 100 documents.
 */
export function encodeRerankResponse(
  dialect: RerankDialect,
  upstream: Record<string, unknown>,
  request: RerankRequest,
  fallbackId: string,
): { body: { id: string; results: RerankResult[]; meta: { billed_units: { search_units: number } } }; searchUnits: number } {
  const entries = (dialect === 'voyage' ? upstream.data : upstream.results) as unknown;
  const results: RerankResult[] = [];
  for (const entry of Array.isArray(entries) ? entries : []) {
    const { index, relevance_score: score } = (entry ?? {}) as { index?: unknown; relevance_score?: unknown };
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= request.documents.length) continue;
    if (typeof score !== 'number' || !Number.isFinite(score)) continue;
    const result: RerankResult = { index: index as number, relevance_score: score };
    if (request.returnDocuments) result.document = { text: request.documents[index as number] };
    results.push(result);
  }
  results.sort((a, b) => b.relevance_score - a.relevance_score);
  if (request.topN !== undefined && results.length > request.topN) results.length = request.topN;
  const reported = unitCount(((upstream.meta as { billed_units?: { search_units?: unknown } } | undefined)?.billed_units)?.search_units);
  const searchUnits = reported > 0 ? reported : Math.ceil(request.documents.length / 100);
  const id = typeof upstream.id === 'string' && upstream.id !== '' ? upstream.id : fallbackId;
  return { body: { id, results, meta: { billed_units: { search_units: searchUnits } } }, searchUnits };
}
