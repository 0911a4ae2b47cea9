/** Where the tests find real services. .ci/run sets these to match what it starts. */
export const TEST_POSTGRES_URL = process.env.AIGW_TEST_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.AIGW_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type TestDatabaseMode = 'postgres' | 'pglite';

export function testDatabaseMode(): TestDatabaseMode {
  return process.env.AIGW_TEST_DB === 'pglite' ? 'pglite' : 'postgres';
}
