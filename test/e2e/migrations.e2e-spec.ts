import { MIGRATIONS } from '@aigw/migrations';
import { Database, pendingSchemaChanges } from '@aigw/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const TABLES = [
  'agents',
  'api_tokens',
  'audit_logs',
  'balance_ledger',
  'channels',
  'daily_rollups',
  'enrollment_tokens',
  'groups',
  'migrations',
  'model_routes',
  'models',
  'policy_changes',
  'quota_leases',
  'usage_logs',
  'users',
];

async function tables(database: Database): Promise<string[]> {
  const rows: { table_name: string }[] = await database.dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

describe('migrations', () => {
  let target: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    target = await createTestDatabase();
    database = await Database.open({ url: target.url, dataDir: target.dataDir, migrations: MIGRATIONS, migrate: false });
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });

  it('go up on an empty database and then agree with the entities exactly', async () => {
    expect(await database.migrate()).toEqual(MIGRATIONS.map((migration) => new migration().name));
    expect(await tables(database)).toEqual(TABLES);
    expect(await pendingSchemaChanges(database.dataSource)).toEqual({ up: [], down: [] });
    expect(await database.migrate()).toEqual([]);
  });

  it('go down to an empty schema and up again', async () => {
    await database.revertAll();
    expect(await tables(database)).toEqual(['migrations']);
    expect(await database.appliedCount()).toBe(0);
    await database.migrate();
    expect(await tables(database)).toEqual(TABLES);
    expect(await pendingSchemaChanges(database.dataSource)).toEqual({ up: [], down: [] });
  });
});
