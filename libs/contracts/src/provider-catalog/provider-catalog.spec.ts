import { describe, expect, it } from 'vitest';
import { PROVIDER_TYPES } from '../provider-types';
import { PROVIDER_CAPABILITIES, PROVIDER_CATALOG, providerPreset } from './index';

describe('provider catalog', () => {
  it('has one entry per channel type, and PROVIDER_TYPES is its ids', () => {
    const ids = PROVIDER_CATALOG.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(PROVIDER_TYPES).toEqual(ids);
    expect(ids.length).toBeGreaterThanOrEqual(56);
    for (const type of ['openai', 'openai-compatible', 'azure', 'anthropic', 'gemini', 'vertex', 'bedrock', 'cohere', 'deepseek', 'vllm', 'aigw']) {
      expect(providerPreset(type)?.id, type).toBe(type);
    }
    expect(providerPreset('no-such-type')).toBeUndefined();
  });

  it('gives every entry a usable base URL or an example of one, and every capability flag', () => {
    for (const entry of PROVIDER_CATALOG) {
      expect(entry.id, entry.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      if (entry.baseUrl === null) expect(entry.exampleBaseUrl, entry.id).toMatch(/^https?:\/\//);
      else expect(new URL(entry.baseUrl).protocol, entry.id).toBe('https:');
      expect(Object.keys(entry.capabilities).sort(), entry.id).toEqual([...PROVIDER_CAPABILITIES].sort());
      expect(entry.capabilities.chat || entry.capabilities.embeddings, `${entry.id} serves something`).toBe(true);
      if (entry.auth.style === 'header') expect(entry.auth.header, entry.id).toBeTruthy();
    }
  });

  it('words each quirk once per entry and refuses only with a reason', () => {
    for (const entry of PROVIDER_CATALOG) {
      const params = entry.quirks.params.map((quirk) => quirk.param);
      expect(new Set(params).size, entry.id).toBe(params.length);
      for (const quirk of entry.quirks.params) expect(quirk.reason.length, `${entry.id} ${quirk.param}`).toBeGreaterThan(0);
      for (const [from, to] of Object.entries(entry.quirks.renames)) {
        expect(params, `${entry.id} renames and drops ${from}`).not.toContain(from);
        expect(to).not.toBe(from);
      }
      if (entry.family !== 'openai-compatible') expect(entry.quirks.params, `${entry.id}: quirks are applied by the OpenAI-compatible adaptor only`).toEqual([]);
    }
  });
});
