import { GatewayError } from '@aigw/providers';
import { describe, expect, it } from 'vitest';
import { decodeRerankRequest, encodeRerankRequest, encodeRerankResponse, rerankDialectFor } from './rerank-dialect';

const request = decodeRerankRequest({ model: 'rerank', query: 'capital', documents: ['a', { text: 'b' }, 'c'], top_n: 2, return_documents: true });

describe('rerank dialects', () => {
  it.each([
    ['cohere', { dialect: 'cohere', path: '/v2/rerank' }],
    ['voyage', { dialect: 'voyage', path: '/rerank' }],
    ['jina', { dialect: 'jina', path: '/rerank' }],
    ['vllm', { dialect: 'jina', path: '/rerank' }],
    ['xinference', { dialect: 'jina', path: '/rerank' }],
    ['openai-compatible', { dialect: 'jina', path: '/rerank' }],
    ['openai', null],
    ['anthropic', null],
    ['deepseek', null],
    ['no-such-type', null],
  ])('%s → %j', (type, expected) => {
    expect(rerankDialectFor(type)).toEqual(expected);
  });

  it('decodes strings and {text} documents, and refuses what is not a rerank request (400 naming the field)', () => {
    expect(request).toEqual({ model: 'rerank', query: 'capital', documents: ['a', 'b', 'c'], topN: 2, returnDocuments: true, maxTokensPerDoc: undefined });
    const refusal = (body: Record<string, unknown>) => {
      try {
        decodeRerankRequest({ model: 'm', query: 'q', documents: ['d'], ...body });
      } catch (error) {
        return [(error as GatewayError).kind, (error as GatewayError).param];
      }
      return null;
    };
    expect(refusal({ model: 7 })).toEqual(['invalid_request', 'model']);
    expect(refusal({ query: '' })).toEqual(['invalid_request', 'query']);
    expect(refusal({ documents: [] })).toEqual(['invalid_request', 'documents']);
    expect(refusal({ documents: ['ok', { title: 'no text' }] })).toEqual(['invalid_request', 'documents[1]']);
    expect(refusal({ top_n: 0 })).toEqual(['invalid_request', 'top_n']);
    expect(refusal({ return_documents: 'yes' })).toEqual(['invalid_request', 'return_documents']);
    expect(refusal({ top_n: 3 })).toBeNull();
  });

  it("encodes each dialect's body: Voyage's top_k, documents never asked back", () => {
    expect(encodeRerankRequest('cohere', request, 'rerank-v3.5')).toEqual({ model: 'rerank-v3.5', query: 'capital', documents: ['a', 'b', 'c'], top_n: 2 });
    expect(encodeRerankRequest('jina', request, 'jina-reranker')).toEqual({ model: 'jina-reranker', query: 'capital', documents: ['a', 'b', 'c'], top_n: 2, return_documents: false });
    expect(encodeRerankRequest('voyage', request, 'rerank-2')).toEqual({ model: 'rerank-2', query: 'capital', documents: ['a', 'b', 'c'], top_k: 2, return_documents: false });
  });

  it("answers in Cohere's v2 shape: by relevance, top n, documents added, bogus entries dropped, search units reported or by Cohere's rule", () => {
    const results = [
      { index: 1, relevance_score: 0.2 },
      { index: 2, relevance_score: 0.9 },
      { index: 7, relevance_score: 1 },
      { index: 0, relevance_score: 'high' },
      { index: 0, relevance_score: 0.5 },
    ];
    expect(encodeRerankResponse('jina', { results }, request, 'req-1')).toEqual({
      body: {
        id: 'req-1',
        results: [
          { index: 2, relevance_score: 0.9, document: { text: 'c' } },
          { index: 0, relevance_score: 0.5, document: { text: 'a' } },
        ],
        meta: { billed_units: { search_units: 1 } },
      },
      searchUnits: 1,
    });
    const voyage = encodeRerankResponse('voyage', { data: [{ index: 0, relevance_score: 0.1 }] }, { ...request, returnDocuments: false }, 'req-2');
    expect(voyage.body.results).toEqual([{ index: 0, relevance_score: 0.1 }]);
    const cohere = encodeRerankResponse('cohere', { id: 'abc', results: [], meta: { billed_units: { search_units: 3 } } }, request, 'req-3');
    expect(cohere).toMatchObject({ body: { id: 'abc', meta: { billed_units: { search_units: 3 } } }, searchUnits: 3 });
    const many = { ...request, documents: Array.from({ length: 201 }, () => 'd') };
    expect(encodeRerankResponse('jina', { results: [] }, many, 'req-4').searchUnits).toBe(3);
  });
});
