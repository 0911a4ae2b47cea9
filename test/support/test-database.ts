import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TEST_POSTGRES_URL, TestDatabaseMode, testDatabaseMode } from './environment';

export interface TestDatabase {
  mode: TestDatabaseMode;
  /** null in pglite mode: the gateway embeds PGlite under dataDir. */
  url: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file: a new Postgres database, or a new PGlite data dir. */
export async function createTestDatabase(mode: TestDatabaseMode = testDatabaseMode()): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aigw-test-'));
  if (mode === 'pglite') {
    return { mode, url: null, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `aigw_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    mode,
    url: url.toString(),
    dataDir,
    drop: async () => {
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
