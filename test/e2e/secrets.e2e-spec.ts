import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpTables } from '../support/table-dump';
import { TEST_ADMIN_PASSWORD, TestMaster, startTestMaster } from '../support/test-master';

const BOOTSTRAP_TOKEN = 'sk-aigw-secretscan-bootstrap-0123456789';
const BOOTSTRAP_CHANNEL_KEY = 'sk-proj-bootstrap-channel-key-AAAA1111';
const BOOTSTRAP_PASSWORD = 'bootstrap-user-password-1';
const API_CHANNEL_KEY = 'sk-ant-api03-api-channel-key-BBBB2222';
const ROTATED_CHANNEL_KEY = 'AIzaSy-rotated-channel-key-CCCC3333';
const API_PASSWORD = 'api-created-password-2';
const HEADER_SECRET = 'Bearer header-borne-secret-EEEE5555';
const CHANGED_PASSWORD = 'changed-password-3333';

describe('no plaintext secret at rest, in logs or in responses', () => {
  let master: TestMaster;
  const responses: string[] = [];
  let apiTokenKey: string;

  beforeAll(async () => {
    master = await startTestMaster({
      config: {
        bootstrap: {
          users: [{ username: 'carol', password: BOOTSTRAP_PASSWORD, role: 'user' }],
          channels: [{ name: 'boot', type: 'openai', base_url: 'https://api.openai.com/v1', key: BOOTSTRAP_CHANNEL_KEY }],
          tokens: [{ name: 'boot', key: BOOTSTRAP_TOKEN, user: 'carol' }],
        },
      },
    });
    const token = master.adminToken;
    const record = async (method: string, path: string, body?: unknown, bearer = token) => {
      const result = await master.request(method, path, { token: bearer, body });
      responses.push(JSON.stringify(result.body));
      return result;
    };
    const channel = await record('POST', '/api/channels', {
      name: 'api',
      type: 'anthropic',
      base_url: 'https://api.anthropic.com',
      key: API_CHANNEL_KEY,
      headers: { 'x-upstream-auth': HEADER_SECRET },
    });
    await record('PATCH', `/api/channels/${channel.body.id}`, { key: ROTATED_CHANNEL_KEY });
    const user = await record('POST', '/api/users', { username: 'dave', password: API_PASSWORD, role: 'user' });
    const daveJwt = await master.login('dave', API_PASSWORD);
    await record('PUT', '/api/me/password', { current_password: API_PASSWORD, new_password: CHANGED_PASSWORD }, daveJwt);
    const created = await record('POST', '/api/tokens', { name: 'dave-token' }, daveJwt);
    apiTokenKey = created.body.key;
    expect(apiTokenKey).toMatch(/^sk-aigw-/);
    // The key is shown once, at creation: drop that response from the scan.
    responses.pop();
    await record('GET', '/api/tokens');
    await record('GET', `/api/tokens/${created.body.id}`);
    await record('GET', '/api/channels');
    await record('GET', `/api/users/${user.body.id}`);
    await record('GET', '/api/audit', undefined);
    // Failed logins and a bad request carrying a secret in a rejected field.
    await master.request('POST', '/api/auth/login', { body: { username: 'dave', password: 'wrong-password-secret' } });
    await record('POST', '/api/channels', { name: 'bad', type: 'nope', base_url: 'x', key: 'sk-rejected-key-DDDD4444' });
  });
  afterAll(() => master?.close());

  const secrets = () => ({
    'bootstrap token key': BOOTSTRAP_TOKEN,
    'api token key': apiTokenKey,
    'bootstrap channel key': BOOTSTRAP_CHANNEL_KEY,
    'api channel key': API_CHANNEL_KEY,
    'rotated channel key': ROTATED_CHANNEL_KEY,
    'rejected channel key': 'sk-rejected-key-DDDD4444',
    'admin password': TEST_ADMIN_PASSWORD,
    'bootstrap user password': BOOTSTRAP_PASSWORD,
    'api user password': API_PASSWORD,
    'changed password': CHANGED_PASSWORD,
    'failed login password': 'wrong-password-secret',
    'channel header value': HEADER_SECRET,
  });

  function leaks(haystack: string, allowed: string[] = []): string[] {
    return Object.entries(secrets())
      .filter(([name, value]) => !allowed.includes(name) && haystack.includes(value))
      .map(([name]) => name);
  }

  it('stores none of them in any table', async () => {
    const dump = JSON.stringify(await dumpTables(master.master.database.dataSource));
    expect(leaks(dump)).toEqual([]);
    // What is stored instead: hashes and sealed values.
    expect(dump).toMatch(/"key_hash":"[0-9a-f]{64}"/);
    expect(dump).toMatch(/"key_ciphertext":"v1\.[0-9a-f]{12}\./);
    expect(dump).toMatch(/"password_hash":"\$argon2id\$/);
  });

  it('writes none of them to the logs', () => {
    expect(master.logs.length).toBeGreaterThan(10);
    expect(leaks(master.logs.join('\n'))).toEqual([]);
  });

  it('echoes none of them in an API response after creation', () => {
    expect(leaks(responses.join('\n'))).toEqual([]);
  });

  it('keeps the generated secrets file out of the database and config', async () => {
    const file = JSON.parse(readFileSync(join(master.database.dataDir, 'secrets.json'), 'utf8'));
    const dump = JSON.stringify(await dumpTables(master.master.database.dataSource));
    for (const value of Object.values<string>(file)) expect(dump).not.toContain(value);
    expect(master.logs.join('\n')).not.toContain(file.jwt_secret);
  });
});
