import { ParameterQuirk, dropParam, refuseParam } from './provider-preset';

/** Parameter quirks several providers share, worded once. */

export const ONE_CHOICE = refuseParam('n', 'generates one choice per request', [1]);
export const NO_LOGPROBS = refuseParam('logprobs', 'returns no log probabilities', [false]);
export const NO_TOP_LOGPROBS = refuseParam('top_logprobs', 'returns no log probabilities', [0]);
export const NO_LOGIT_BIAS = refuseParam('logit_bias', 'has no logit bias');
export const NO_PRESENCE_PENALTY = refuseParam('presence_penalty', 'has no presence penalty', [0]);
export const NO_FREQUENCY_PENALTY = refuseParam('frequency_penalty', 'has no frequency penalty', [0]);

/** Log probabilities, both fields. */
export const NO_LOGPROBS_AT_ALL: readonly ParameterQuirk[] = [NO_LOGPROBS, NO_TOP_LOGPROBS];

/**
 * OpenAI-only request fields that change nothing in the answer (storage,
 * tagging, cache routing, abuse-monitoring ids, the service tier): dropped
 * for providers whose schema rejects unknown fields.
 */
export const OPENAI_ONLY_HINTS: readonly ParameterQuirk[] = [
  dropParam('store', 'stores no completions'),
  dropParam('metadata', 'keeps no completion metadata'),
  dropParam('service_tier', 'has no service tiers'),
  dropParam('prompt_cache_key', 'routes its cache without a key'),
  dropParam('safety_identifier', 'takes no safety identifier'),
  dropParam('user', 'takes no end-user id'),
];
