import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const libs = ['contracts', 'config', 'persistence', 'providers', 'routing', 'quota', 'metering', 'sync', 'telemetry'];
const alias = {
  ...Object.fromEntries(libs.map((lib) => [`@aigw/${lib}`, resolve(import.meta.dirname, `libs/${lib}/src/index.ts`)])),
  '@aigw/migrations': resolve(import.meta.dirname, 'migrations/index.ts'),
};

/**
 * Three projects:
 * - unit: pure code (libs/**, apps/**), no services;
 * - postgres / pglite: the same database-backed suites (test/**\/*.e2e-spec.ts)
 *   on real Postgres + Redis/BullMQ, and on embedded PGlite + the in-process queue;
 * - relay: the data plane against the fake providers (test/relay), on Postgres
 *   + Redis only: the hot path never touches the database;
 * - process: starts the built gateway as a child process (test/process).
 */
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/unit/**/*.spec.ts'] } },
      {
        extends: true,
        test: { name: 'postgres', include: ['test/e2e/**/*.e2e-spec.ts'], env: { AIGW_TEST_DB: 'postgres' } },
      },
      {
        extends: true,
        test: { name: 'pglite', include: ['test/e2e/**/*.e2e-spec.ts'], env: { AIGW_TEST_DB: 'pglite' } },
      },
      {
        extends: true,
        test: { name: 'relay', include: ['test/relay/**/*.e2e-spec.ts'], env: { AIGW_TEST_DB: 'postgres' } },
      },
      { extends: true, test: { name: 'process', include: ['test/process/**/*.spec.ts'], globalSetup: ['test/process/global-setup.ts'] } },
    ],
  },
});
