import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMaster, startTestMaster } from '../support/test-master';

const COMMITTED = resolve(__dirname, '../../docs/openapi.json');

/**
 * The OpenAPI document is committed (docs/openapi.json) and the admin UI's
 * client is generated from it, so an API change shows up in review as a diff.
 * Regenerate with: UPDATE_OPENAPI=1 npx vitest run --project postgres test/e2e/openapi.e2e-spec.ts
 */
describe('OpenAPI document', () => {
  let master: TestMaster;
  beforeAll(async () => {
    master = await startTestMaster();
  });
  afterAll(() => master?.close());

  it('matches the committed docs/openapi.json', async () => {
    const { status, body } = await master.request('GET', '/api/docs/openapi.json');
    expect(status).toBe(200);
    const current = `${JSON.stringify(body, null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(COMMITTED, current);
    expect(JSON.parse(readFileSync(COMMITTED, 'utf8'))).toEqual(body);
  });

  it('marks every operation with its roles and bearer auth', async () => {
    const { body } = await master.request('GET', '/api/docs/openapi.json');
    for (const [path, operations] of Object.entries<Record<string, { 'x-roles'?: string[]; security?: unknown[] }>>(body.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation['x-roles'], `${method} ${path}`).toBeDefined();
        if (!operation['x-roles']!.includes('public')) expect(operation.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
      }
    }
  });
});
