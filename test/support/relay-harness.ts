import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { FakeProvider, startFakeProvider } from '../fake-provider';
import { TestMaster, startTestMaster } from './test-master';

export const GATEWAY_KEY = 'sk-aigw-relay-tests-0123456789abcdefghij';
export const LIMITED_KEY = 'sk-aigw-relay-limited-0123456789abcdefg';

/** Logical model names of the harness, one per upstream family. */
export const MODELS = {
  openai: 'oa-model',
  anthropic: 'claude-model',
  gemini: 'gemini-model',
} as const;

export const UPSTREAM_MODELS = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-sonnet-4-20250514',
  gemini: 'gemini-2.5-flash',
} as const;

export type UpstreamFamily = keyof typeof MODELS;

export interface RelayHarness {
  master: TestMaster;
  fake: FakeProvider;
  openai: OpenAI;
  anthropic: Anthropic;
  genai: GoogleGenAI;
  /** POST raw JSON (or text) to the gateway with the gateway key. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A master (Postgres + Redis) whose channels point at the fake provider:
 * `oa-model` → an OpenAI account, `claude-model` → Anthropic,
 * `gemini-model` → Gemini AI Studio; official SDK clients aimed at the gateway.
 */
export async function startRelayHarness(): Promise<RelayHarness> {
  const fake = await startFakeProvider();
  const master = await startTestMaster({
    config: {
      // These suites provoke upstream 401/403s on purpose: never auto-disable their channels.
      routing: { auto_disable_after: 0 },
      bootstrap: {
        // Enough for the fuzz suite's absurd upstream usage (up to 2^31 tokens a request, billed as reported).
        users: [{ username: 'relay-user', balance_usd: 100_000_000 }],
        channels: [
          { name: 'fake-openai', type: 'openai', base_url: fake.baseUrls.openai, key: fake.keys.openai },
          { name: 'fake-anthropic', type: 'anthropic', base_url: fake.baseUrls.anthropic, key: fake.keys.anthropic },
          { name: 'fake-gemini', type: 'gemini', base_url: fake.baseUrls.gemini, key: fake.keys.gemini },
        ],
        models: Object.values(MODELS).map((name) => ({ name, price: { input: 1, output: 2, cached_input: 0.5 } })),
        routes: (Object.keys(MODELS) as UpstreamFamily[]).map((family) => ({
          model: MODELS[family],
          channel: `fake-${family}`,
          upstream_model: UPSTREAM_MODELS[family],
        })),
        tokens: [
          { name: 'relay', key: GATEWAY_KEY, user: 'relay-user' },
          { name: 'limited', key: LIMITED_KEY, user: 'relay-user', models: [MODELS.openai] },
        ],
      },
    },
  });
  const openai = new OpenAI({ apiKey: GATEWAY_KEY, baseURL: `${master.url}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: GATEWAY_KEY, baseURL: master.url, maxRetries: 0 });
  const genai = new GoogleGenAI({ apiKey: GATEWAY_KEY, httpOptions: { baseUrl: master.url } });
  return {
    master,
    fake,
    openai,
    anthropic,
    genai,
    post: (path, body, headers = {}) =>
      fetch(new URL(path, master.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await master.close();
      await fake.close();
    },
  };
}
