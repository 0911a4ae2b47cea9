import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Real provider captures live in ../shared/fixtures (beside the repository,
 * never copied in). Providers: chat-completions, responses, anthropic,
 * google, bedrock, bedrock-anthropic, vertex-anthropic.
 */
export const FIXTURES_DIR = resolve(__dirname, '../../../shared/fixtures/captures/snapshots');

export type FixtureProvider = 'chat-completions' | 'responses' | 'anthropic' | 'google' | 'bedrock' | 'bedrock-anthropic' | 'vertex-anthropic';

export interface FixtureCase {
  name: string;
  provider: FixtureProvider;
  dir: string;
  /** Files present, e.g. request.json, response.json, response-streaming.json, followup-request.json. */
  files: string[];
  read<T = any>(file: string): T | undefined;
}

/** Every capture case recorded for a provider (sorted by name). */
export function fixtureCases(provider: FixtureProvider): FixtureCase[] {
  if (!existsSync(FIXTURES_DIR)) throw new Error(`fixtures not found at ${FIXTURES_DIR}: is ../shared beside the repository?`);
  return readdirSync(FIXTURES_DIR)
    .sort()
    .filter((name) => existsSync(join(FIXTURES_DIR, name, provider)))
    .map((name) => {
      const dir = join(FIXTURES_DIR, name, provider);
      const files = readdirSync(dir).sort();
      return {
        name,
        provider,
        dir,
        files,
        read: <T>(file: string) => (files.includes(file) ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as T) : undefined),
      };
    });
}

export function fixtureCase(name: string, provider: FixtureProvider): FixtureCase {
  const found = fixtureCases(provider).find((entry) => entry.name === name);
  if (!found) throw new Error(`no fixture ${name}/${provider}`);
  return found;
}
