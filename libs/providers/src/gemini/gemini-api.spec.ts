import { describe, expect, it } from 'vitest';
import { buildUpstreamHeaders, geminiGeneration, geminiGenerateContentPath, isGemini3OrLater } from './gemini-api';

describe('gemini api', () => {
  it.each([
    ['gemini-2.5-flash', false, '/v1beta/models/gemini-2.5-flash:generateContent'],
    ['gemini-2.5-flash', true, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
    ['models/gemini-3-pro-preview', false, '/v1beta/models/gemini-3-pro-preview:generateContent'],
    ['tunedModels/my-model', false, '/v1beta/tunedModels/my-model:generateContent'],
    ['odd name?x', false, '/v1beta/models/odd%20name%3Fx:generateContent'],
  ])('%s (stream %s) → %s', (model, stream, path) => {
    expect(geminiGenerateContentPath(model, stream)).toBe(path);
  });

  it('sends the key in x-goog-api-key, or no auth header for a keyless proxy', () => {
    expect(buildUpstreamHeaders('AIzaKey')).toEqual({ 'content-type': 'application/json', 'x-goog-api-key': 'AIzaKey' });
    expect(buildUpstreamHeaders(null)).toEqual({ 'content-type': 'application/json' });
    expect(buildUpstreamHeaders('')).toEqual({ 'content-type': 'application/json' });
  });

  it.each([
    ['gemini-2.5-flash', 2, false],
    ['gemini-2.0-flash-lite', 2, false],
    ['gemini-3-flash-preview', 3, true],
    ['gemini-3.5-flash', 3, true],
    ['models/gemini-4-argon', 4, true],
    ['gemini-flash-latest', null, false],
    ['learnlm-2.0', null, false],
  ])('%s is generation %s', (model, generation, modern) => {
    expect(geminiGeneration(model)).toBe(generation);
    expect(isGemini3OrLater(model)).toBe(modern);
  });
});
