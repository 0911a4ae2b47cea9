import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.error';
import { loadConfig } from './load-config';

function workspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'aigw-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs on embedded defaults with no file, generating secrets once into the data dir (0600)', () => {
    const cwd = workspace();
    const config = loadConfig({ cwd, env: {}, argv: [] });
    expect(config.port).toBe(8140);
    expect(config.databaseUrl).toBeNull();
    expect(config.redisUrl).toBeNull();
    expect(config.embeddedDatabase).toBe(true);
    expect(config.dataDir).toBe(join(cwd, 'data'));
    expect(config.adminPassword).toBeNull();
    const secrets = join(cwd, 'data', 'secrets.json');
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(config.secretKey).toHaveLength(32);
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.jwtSecret).not.toBe(config.secretKey.toString('hex'));

    const again = loadConfig({ cwd, env: {}, argv: [] });
    expect(again.jwtSecret).toBe(config.jwtSecret);
    expect(again.secretKey.equals(config.secretKey)).toBe(true);
    expect(readFileSync(secrets, 'utf8')).toContain('secret_key');
  });

  it('finds the file at AIGW_CONFIG, else --config, else ./config.yaml', () => {
    const cwd = workspace({ 'config.yaml': 'port: 1001\n', 'a.yaml': 'port: 1002\n', 'b.yaml': 'port: 1003\n' });
    expect(loadConfig({ cwd, env: {}, argv: [] }).port).toBe(1001);
    expect(loadConfig({ cwd, env: {}, argv: ['--config', 'b.yaml'] }).port).toBe(1003);
    expect(loadConfig({ cwd, env: {}, argv: ['--config=b.yaml'] }).port).toBe(1003);
    expect(loadConfig({ cwd, env: { AIGW_CONFIG: 'a.yaml' }, argv: ['--config', 'b.yaml'] }).port).toBe(1002);
    expect(errorOf(() => loadConfig({ cwd, env: { AIGW_CONFIG: 'missing.yaml' }, argv: [] }))).toMatch(/^AIGW_CONFIG: no such file .*missing\.yaml$/);
  });

  it('lets the environment override the file', () => {
    const cwd = workspace({ 'config.yaml': 'port: 1001\nredis_url: redis://file:6379\n' });
    const config = loadConfig({
      cwd,
      argv: [],
      env: {
        PORT: '2002',
        DATABASE_URL: 'postgres://u:p@db:5432/aigw',
        REDIS_URL: 'redis://env:6379',
        AIGW_DATA_DIR: 'elsewhere',
        AIGW_ADMIN_PASSWORD: 'from-the-environment',
      },
    });
    expect(config.port).toBe(2002);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/aigw');
    expect(config.redisUrl).toBe('redis://env:6379');
    expect(config.dataDir).toBe(join(cwd, 'elsewhere'));
    expect(config.adminPassword).toBe('from-the-environment');
  });

  it('stops on malformed YAML with the line', () => {
    const cwd = workspace({ 'config.yaml': 'port: 8140\nbootstrap:\n  groups: [ { name: a }\n' });
    expect(errorOf(() => loadConfig({ cwd, env: {}, argv: [] }))).toMatch(/config\.yaml: malformed YAML at line \d+, column \d+/);
  });

  it('stops on a duplicate key', () => {
    const cwd = workspace({ 'config.yaml': 'port: 1\nport: 2\n' });
    expect(errorOf(() => loadConfig({ cwd, env: {}, argv: [] }))).toMatch(/malformed YAML.*unique/i);
  });

  it.each([
    ['prot: 8140\n', /^prot: unknown key \(in .*config\.yaml\)$/],
    ['bootstrap:\n  users:\n    - { username: alice, rol: admin }\n', /^bootstrap\.users\[0\]\.rol: unknown key/],
    ['bootstrap:\n  models:\n    - { name: m, price: { inptu: 1 } }\n', /^bootstrap\.models\[0\]\.price\.inptu: unknown key/],
    ['port: eighty\n', /^port: port must be an integer number|^port: must be an integer number/],
    ['port: 70000\n', /^port: .*65535/],
    ['database_url: mysql://x\n', /^database_url: must be a postgres:\/\/ or postgresql:\/\/ URL/],
    ['bootstrap:\n  users:\n    - { username: alice, role: superuser }\n', /^bootstrap\.users\[0\]\.role: .*one of the following values: admin, operator, viewer, user/],
    ['bootstrap:\n  models:\n    - { name: m, price: { input: 0.1234567 } }\n', /^bootstrap\.models\[0\]\.price\.input: must be a non-negative USD amount with at most 6 decimals/],
    ['bootstrap:\n  tokens:\n    - { name: t, key: "not-a-key" }\n', /^bootstrap\.tokens\[0\]\.key: must look like sk-/],
    ['bootstrap:\n  channels:\n    - { name: c, type: carrier-pigeon }\n', /^bootstrap\.channels\[0\]\.type: /],
    ['routing:\n  breaker: { cooldown_secs: 5 }\n', /^routing\.breaker\.cooldown_secs: unknown key/],
    ['routing:\n  strategy: fastest\n', /^routing\.strategy: .*one of the following values: weighted, latency/],
    ['routing:\n  max_attempts: 0\n', /^routing\.max_attempts: /],
    ['secret_key: short\n', /^secret_key: must be 32 bytes/],
    ['usage_spool_sync_ms: 5\n', /^usage_spool_sync_ms: /],
    ['usage_spool_commit_ms: 0\n', /^usage_spool_commit_ms: /],
    ['usage_spool_commit_ms: 5000\n', /^usage_spool_commit_ms: /],
    ['- just\n- a list\n', /the top level must be a mapping/],
  ])('stops on %j with one line naming the key', (content, expected) => {
    const cwd = workspace({ 'config.yaml': content });
    expect(errorOf(() => loadConfig({ cwd, env: {}, argv: [] }))).toMatch(expected);
  });

  it('makes the agent\'s usage spool durable every 500 ms unless usage_spool_sync_ms says otherwise', () => {
    expect(loadConfig({ cwd: workspace(), env: {}, argv: [] }).usageSpoolSyncMs).toBe(500);
    expect(loadConfig({ cwd: workspace({ 'config.yaml': 'usage_spool_sync_ms: 100\n' }), env: {}, argv: [] }).usageSpoolSyncMs).toBe(100);
  });

  it('group-commits the agent\'s usage spool every 50 ms unless usage_spool_commit_ms says otherwise', () => {
    expect(loadConfig({ cwd: workspace(), env: {}, argv: [] }).usageSpoolCommitMs).toBe(50);
    expect(loadConfig({ cwd: workspace({ 'config.yaml': 'usage_spool_commit_ms: 10\n' }), env: {}, argv: [] }).usageSpoolCommitMs).toBe(10);
  });

  it('names the environment variable when an override is bad', () => {
    const cwd = workspace();
    expect(errorOf(() => loadConfig({ cwd, env: { PORT: 'abc' }, argv: [] }))).toBe('PORT: must be an integer between 0 and 65535');
    expect(errorOf(() => loadConfig({ cwd, env: { REDIS_URL: 'http://x' }, argv: [] }))).toBe('REDIS_URL: must be a redis:// or rediss:// URL');
  });

  it('accepts the documented bootstrap contract exactly as written', () => {
    const cwd = workspace({
      'config.yaml': `
bootstrap:
  groups:   [{ name: default, ratio: 1 }]
  users:    [{ username: alice, group: default, role: user, balance_usd: 100 }]
  channels: [{ name: oa, type: openai, base_url: "https://api.openai.com/v1", key: "sk-abc", models: [gpt-4.1-mini], model_mapping: { gpt-4.1-mini: gpt-4.1-mini-2025-04-14 }, priority: 0, weight: 1 }]
  models:   [{ name: gpt-4.1-mini, price: { input: 0.4, output: 1.6, cached_input: 0.1 } }]   # USD per 1M tokens
  tokens:   [{ name: ci, key: "sk-aigw-0123456789abcdefghij", user: alice, quota_usd: 5, models: [gpt-4.1-mini], expires_at: 2027-01-01 }]
`,
    });
    const { bootstrap } = loadConfig({ cwd, env: {}, argv: [] });
    expect(bootstrap.tokens?.[0]).toMatchObject({ name: 'ci', user: 'alice', quota_usd: 5, expires_at: '2027-01-01' });
    expect(bootstrap.channels?.[0].model_mapping).toEqual({ 'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14' });
  });
});
