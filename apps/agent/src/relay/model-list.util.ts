import { PolicyIndex } from '@aigw/routing';
import { allowedTiers } from './route-plan';
import { Caller } from './client-auth.util';

export type ModelListShape = 'openai' | 'anthropic' | 'gemini';

/** Which list shape the caller's SDK expects: Anthropic SDKs send anthropic-version, Gemini clients their own key header or ?key=. */
export function modelListShape(headers: Record<string, string | string[] | undefined>, query: Record<string, unknown>, path: string): ModelListShape {
  if (path.startsWith('/v1beta/') || headers['x-goog-api-key'] !== undefined || typeof query.key === 'string') return 'gemini';
  if (headers['anthropic-version'] !== undefined) return 'anthropic';
  return 'openai';
}

/** The logical models this caller may use (token and group allow-lists, channel restrictions) and something can serve. */
export function visibleModels(policy: PolicyIndex, caller: Caller): string[] {
  const allowed = caller.token.models ? new Set(caller.token.models) : null;
  const groupAllowed = caller.groupModels ? new Set(caller.groupModels) : null;
  return policy
    .servableModels()
    .filter((model) => (!allowed || allowed.has(model)) && (!groupAllowed || groupAllowed.has(model)))
    .filter((model) => allowedTiers(policy, caller, model).length > 0);
}

export function renderModel(shape: ModelListShape, id: string, created: number): unknown {
  switch (shape) {
    case 'openai':
      return { id, object: 'model', created, owned_by: 'aigw' };
    case 'anthropic':
      return { type: 'model', id, display_name: id, created_at: new Date(created * 1000).toISOString() };
    case 'gemini':
      return {
        name: `models/${id}`,
        baseModelId: id,
        version: '001',
        displayName: id,
        supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
      };
  }
}

export function renderModelList(shape: ModelListShape, models: Array<{ id: string; created: number }>): unknown {
  const data = models.map((model) => renderModel(shape, model.id, model.created));
  switch (shape) {
    case 'openai':
      return { object: 'list', data };
    case 'anthropic':
      return { data, has_more: false, first_id: models[0]?.id ?? null, last_id: models.at(-1)?.id ?? null };
    case 'gemini':
      return { models: data };
  }
}
