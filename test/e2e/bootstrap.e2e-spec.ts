import { SecretCipher } from '@aigw/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BootstrapError, BootstrapService } from '../../apps/master/src/services/bootstrap.service';
import { dumpTables } from '../support/table-dump';
import { TestMaster, startTestMaster } from '../support/test-master';

const TOKEN_KEY = 'sk-aigw-bootstrap0123456789abcdefghijkl';
const CHANNEL_KEY = 'sk-upstream-bootstrap-key-0001';

/** The contract from the issue, verbatim, plus a route. */
const BOOTSTRAP = {
  groups: [{ name: 'default', ratio: 1 }],
  users: [{ username: 'alice', group: 'default', role: 'user', balance_usd: 100 }],
  channels: [
    {
      name: 'oa',
      type: 'openai',
      base_url: 'https://api.openai.com/v1',
      key: CHANNEL_KEY,
      models: ['gpt-4.1-mini'],
      model_mapping: { 'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14' },
      priority: 0,
      weight: 1,
    },
  ],
  models: [{ name: 'gpt-4.1-mini', price: { input: 0.4, output: 1.6, cached_input: 0.1 } }],
  routes: [{ model: 'gpt-4.1-mini', channel: 'oa', upstream_model: 'gpt-4.1-mini-2025-04-14', priority: 5 }],
  tokens: [
    { name: 'ci', key: TOKEN_KEY, user: 'alice', quota_usd: 5, models: ['gpt-4.1-mini'], expires_at: '2027-01-01' },
    { name: 'admin-unlimited', key: 'sk-aigw-adminowned0123456789abcdefgh' },
    { name: 'no-budget', key: 'sk-aigw-nobudget0123456789abcdefghij', user: 'alice', quota_usd: 0 },
  ],
};

describe('declarative bootstrap', () => {
  let master: TestMaster;
  let service: BootstrapService;
  beforeAll(async () => {
    master = await startTestMaster({ config: { bootstrap: BOOTSTRAP } });
    service = master.master.app.get(BootstrapService);
  });
  afterAll(() => master?.close());

  it('creates what the contract declares', async () => {
    const token = master.adminToken;
    const [group] = (await master.request('GET', '/api/groups', { token, query: { name: 'default' } })).body.data;
    expect(group).toMatchObject({ name: 'default', ratio: 1 });
    const [alice] = (await master.request('GET', '/api/users', { token, query: { username: 'alice' } })).body.data;
    expect(alice).toMatchObject({ role: 'user', group_id: group.id, balance_micros: 100_000_000, balance_usd: '100.000000' });
    const [channel] = (await master.request('GET', '/api/channels', { token, query: { name: 'oa' } })).body.data;
    expect(channel).toMatchObject({
      type: 'openai',
      base_url: 'https://api.openai.com/v1',
      key_hint: 'sk-ups…0001',
      models: ['gpt-4.1-mini'],
      model_mapping: { 'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14' },
      priority: 0,
      weight: 1,
      status: 'enabled',
    });
    const [model] = (await master.request('GET', '/api/models', { token, query: { name: 'gpt-4.1-mini' } })).body.data;
    expect(model.price).toEqual({ input_micros: 400_000, output_micros: 1_600_000, cached_input_micros: 100_000, cache_write_micros: null, image_micros: null, audio_second_micros: null, character_micros: null, search_unit_micros: null });
    const routes = (await master.request('GET', '/api/routes', { token, query: { model: 'gpt-4.1-mini' } })).body.data;
    expect(routes).toEqual([expect.objectContaining({ channel_id: channel.id, upstream_model: 'gpt-4.1-mini-2025-04-14', priority: 5, weight: 1 })]);

    const tokens = (await master.request('GET', '/api/tokens', { token, query: { limit: 10 } })).body.data;
    const byName = Object.fromEntries(tokens.map((entry: { name: string }) => [entry.name, entry]));
    expect(byName.ci).toMatchObject({ user_id: alice.id, quota_micros: 5_000_000, models: ['gpt-4.1-mini'], expires_at: '2027-01-01T00:00:00.000Z' });
    const me = (await master.request('GET', '/api/me', { token })).body;
    expect(byName['admin-unlimited']).toMatchObject({ user_id: me.id, quota_micros: null });
    expect(byName['no-budget']).toMatchObject({ quota_micros: 0 });

    // The channel key is sealed, bound to the channel id, and opens to the declared key.
    const [row] = await master.master.database.dataSource.query('SELECT key_ciphertext FROM channels WHERE id = $1', [channel.id]);
    expect(row.key_ciphertext).not.toContain(CHANNEL_KEY);
    expect(master.master.app.get(SecretCipher).open(row.key_ciphertext, channel.id)).toBe(CHANNEL_KEY);
  });

  it('applied again — in-process and by a restart — leaves every table exactly as it was', async () => {
    const before = await dumpTables(master.master.database.dataSource);
    expect(await service.apply()).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(await dumpTables(master.master.database.dataSource)).toEqual(before);

    await master.stop();
    master = await startTestMaster({ database: master.database, config: { bootstrap: BOOTSTRAP } });
    service = master.master.app.get(BootstrapService);
    expect(await dumpTables(master.master.database.dataSource)).toEqual(before);
  });

  it('updates only what changed, keeps live balances, and deletes only on delete: true', async () => {
    const token = master.adminToken;
    const [alice] = (await master.request('GET', '/api/users', { token, query: { username: 'alice' } })).body.data;
    const adjusted = await master.request('POST', `/api/users/${alice.id}/balance-adjustments`, { token, body: { amount_usd: '-10', note: 'spent' } });
    expect(adjusted.body).toMatchObject({ balance_micros: 90_000_000 });

    const changed = {
      ...BOOTSTRAP,
      users: [{ username: 'alice', group: 'default', role: 'user', balance_usd: 100 }],
      models: [{ name: 'gpt-4.1-mini', price: { input: 0.5, output: 1.6, cached_input: 0.1 } }],
      channels: [{ ...BOOTSTRAP.channels[0], key: 'sk-upstream-rotated-key-0002' }],
      tokens: [...BOOTSTRAP.tokens.slice(0, 2), { name: 'no-budget', user: 'alice', delete: true }],
    };
    expect(await service.apply(changed as never)).toEqual({ created: 0, updated: 2, deleted: 1 });

    const [after] = (await master.request('GET', '/api/users', { token, query: { username: 'alice' } })).body.data;
    expect(after.balance_micros).toBe(90_000_000);
    const [model] = (await master.request('GET', '/api/models', { token, query: { name: 'gpt-4.1-mini' } })).body.data;
    expect(model.price.input_micros).toBe(500_000);
    const names = (await master.request('GET', '/api/tokens', { token })).body.data.map((entry: { name: string }) => entry.name);
    expect(names.sort()).toEqual(['admin-unlimited', 'ci']);
    const [channel] = (await master.request('GET', '/api/channels', { token, query: { name: 'oa' } })).body.data;
    expect(channel.key_hint).toBe('sk-ups…0002');
    expect(await service.apply(changed as never)).toEqual({ created: 0, updated: 0, deleted: 0 });
  });

  it('refuses a reference to something that does not exist, naming the entry, and changes nothing', async () => {
    const before = await dumpTables(master.master.database.dataSource);
    const broken = { groups: [{ name: 'new-group' }], users: [{ username: 'bob', group: 'no-such-group' }] };
    await expect(service.apply(broken as never)).rejects.toThrow(new BootstrapError('bootstrap.users[0].group: no group named no-such-group'));
    await expect(service.apply({ tokens: [{ name: 'keyless' }] } as never)).rejects.toThrow('bootstrap.tokens[0].key: required to create token keyless');
    expect(await dumpTables(master.master.database.dataSource)).toEqual(before);
  });
});
