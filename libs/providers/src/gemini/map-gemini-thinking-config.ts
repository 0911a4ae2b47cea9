import { ReasoningConfig, ReasoningEffort } from '../ir';
import { isGemini3OrLater } from './gemini-api';
import { GeminiThinkingConfig, GeminiThinkingLevel } from './gemini.types';

/**
 * thinkingConfig ⇄ IR reasoning (https://ai.google.dev/gemini-api/docs/thinking).
 *
 * Gemini → IR:
 * - thinkingBudget 0 → enabled: false; -1 (dynamic) → enabled: true;
 *   N > 0 → enabled: true, budgetTokens N;
 * - thinkingLevel MINIMAL/LOW/MEDIUM/HIGH → effort minimal/low/medium/high;
 * - includeThoughts → includeThoughts.
 *
 * IR → Gemini:
 * - enabled false or effort 'none' → thinkingBudget 0;
 * - budgetTokens → thinkingBudget (Gemini 3 still honours budgets);
 * - effort on Gemini 3+ → thinkingLevel (xhigh and max → HIGH, the highest
 *   level Gemini has: these ask for the most reasoning the model offers);
 * - effort on Gemini 2.x (and unknown aliases) → a budget:
 *   minimal 512 (Flash-Lite's floor), low 1024, medium 8192, high / xhigh /
 *   max 24576 (Flash's ceiling) — the usual OpenAI-effort equivalents;
 * - enabled true alone → thinkingBudget -1 (dynamic);
 * - includeThoughts → includeThoughts; an OpenAI `summary` request also turns
 *   it on (Gemini's thoughts are summaries).
 */
const LEVEL_TO_EFFORT: Record<GeminiThinkingLevel, ReasoningEffort> = {
  MINIMAL: 'minimal',
  LOW: 'low',
  MEDIUM: 'medium',
  HIGH: 'high',
};

const EFFORT_TO_LEVEL: Record<Exclude<ReasoningEffort, 'none'>, GeminiThinkingLevel> = {
  minimal: 'MINIMAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  xhigh: 'HIGH',
  max: 'HIGH',
};

const EFFORT_TO_BUDGET: Record<Exclude<ReasoningEffort, 'none'>, number> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 24576,
  max: 24576,
};

export function isGeminiThinkingLevel(value: string): value is GeminiThinkingLevel {
  return value in LEVEL_TO_EFFORT;
}

export function decodeThinkingConfig(config: { thinkingBudget?: number; thinkingLevel?: GeminiThinkingLevel; includeThoughts?: boolean }): ReasoningConfig {
  const reasoning: ReasoningConfig = {};
  if (config.thinkingBudget !== undefined) {
    if (config.thinkingBudget === 0) reasoning.enabled = false;
    else {
      reasoning.enabled = true;
      if (config.thinkingBudget > 0) reasoning.budgetTokens = config.thinkingBudget;
    }
  }
  if (config.thinkingLevel !== undefined) {
    reasoning.enabled = true;
    reasoning.effort = LEVEL_TO_EFFORT[config.thinkingLevel];
  }
  if (config.includeThoughts !== undefined) reasoning.includeThoughts = config.includeThoughts;
  return reasoning;
}

export function encodeThinkingConfig(reasoning: ReasoningConfig, upstreamModel: string): GeminiThinkingConfig | undefined {
  const config: GeminiThinkingConfig = {};
  if (reasoning.enabled === false || reasoning.effort === 'none') config.thinkingBudget = 0;
  else if (reasoning.budgetTokens !== undefined) config.thinkingBudget = reasoning.budgetTokens;
  else if (reasoning.effort !== undefined) {
    if (isGemini3OrLater(upstreamModel)) config.thinkingLevel = EFFORT_TO_LEVEL[reasoning.effort];
    else config.thinkingBudget = EFFORT_TO_BUDGET[reasoning.effort];
  } else if (reasoning.enabled === true) config.thinkingBudget = -1;
  const includeThoughts = reasoning.includeThoughts ?? (reasoning.summary !== undefined && config.thinkingBudget !== 0 ? true : undefined);
  if (includeThoughts !== undefined) config.includeThoughts = includeThoughts;
  return Object.keys(config).length > 0 ? config : undefined;
}
