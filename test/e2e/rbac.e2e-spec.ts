import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TABLE } from './access-table';
import { TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';

const ROLES = ['admin', 'operator', 'viewer', 'user'] as const;
const SOME_ID = '00000000-0000-4000-8000-000000000000';

/** Swagger UI's static assets are one wildcard in the table. */
function tableKey(method: string, url: string): string {
  const key = `${method} ${url}`;
  return url.startsWith('/api/docs/') && !(key in ACCESS_TABLE) ? `${method} /api/docs/*` : key;
}

describe('RBAC: every route against the committed access table', () => {
  let master: TestMaster;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    master = await startTestMaster();
    tokens.admin = master.adminToken;
    for (const role of ['operator', 'viewer', 'user'] as const) {
      tokens[role] = (await createUserAndLogin(master, `rbac-${role}`, role)).token;
    }
  });
  afterAll(() => master?.close());

  it('has an access decision for every registered route, and no stale entries', () => {
    const registered = new Set(master.master.routes.map((route) => tableKey(route.method, route.url)));
    const missing = [...registered].filter((key) => !(key in ACCESS_TABLE));
    const stale = Object.keys(ACCESS_TABLE).filter((key) => !registered.has(key));
    expect(missing, 'routes without an access decision in test/e2e/access-table.ts').toEqual([]);
    expect(stale, 'access-table entries for routes that no longer exist').toEqual([]);
  });

  it('documents the same roles in the OpenAPI document (x-roles)', async () => {
    const { body: document } = await master.request('GET', '/api/docs/openapi.json');
    const documented: Record<string, unknown> = {};
    for (const [path, operations] of Object.entries<Record<string, { 'x-roles'?: string[] }>>(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        const roles = operation['x-roles'] ?? [];
        documented[key] = roles.includes('public') ? 'public' : roles.includes('agent') ? 'agent' : [...roles].sort();
      }
    }
    for (const [key, documentedAccess] of Object.entries(documented)) {
      const expected = ACCESS_TABLE[key];
      expect(documentedAccess, key).toEqual(typeof expected === 'string' ? expected : [...expected].sort());
    }
  });

  it('lets exactly the listed roles through, and refuses everyone else', async () => {
    const failures: string[] = [];
    const routes = master.master.routes.filter((route) => !route.url.startsWith('/api/docs'));
    for (const route of routes) {
      const access = ACCESS_TABLE[tableKey(route.method, route.url)];
      const path = route.url.replace(/:\w+/g, SOME_ID);
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;

      const anonymous = await master.request(route.method, path, { body });
      if (access === 'public' ? [401, 403].includes(anonymous.status) : anonymous.status !== 401) {
        failures.push(`anonymous ${route.method} ${route.url}: ${anonymous.status}`);
      }
      if (access === 'public') continue;
      if (access === 'api-token' || access === 'agent') {
        // An admin JWT is no gateway key and no agent secret: every role is refused as unauthenticated.
        for (const role of ROLES) {
          const result = await master.request(route.method, path, { token: tokens[role], body });
          if (result.status !== 401) failures.push(`${role} ${route.method} ${route.url}: ${result.status} (expected 401)`);
        }
        continue;
      }
      for (const role of ROLES) {
        const result = await master.request(route.method, path, { token: tokens[role], body });
        const allowed = access.includes(role);
        if (allowed ? [401, 403].includes(result.status) : result.status !== 403) {
          failures.push(`${role} ${route.method} ${route.url}: ${result.status} (expected ${allowed ? 'allowed' : '403'})`);
        }
        if (!allowed && result.body?.error?.code !== 'forbidden') failures.push(`${role} ${route.method} ${route.url}: body ${JSON.stringify(result.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses a forged, expired or tampered token with 401 in the error shape', async () => {
    const [header, payload] = tokens.admin.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    const result = await master.request('GET', '/api/users', { token: forged });
    expect(result.status).toBe(401);
    expect(result.body).toEqual({
      error: { code: 'unauthenticated', message: 'missing, invalid or expired bearer token' },
      request_id: expect.any(String),
    });
  });

  it('takes a disabled user out at once, without waiting for the JWT to expire', async () => {
    const { id, token } = await createUserAndLogin(master, 'rbac-soon-disabled', 'viewer');
    expect((await master.request('GET', '/api/me', { token })).status).toBe(200);
    await master.request('PATCH', `/api/users/${id}`, { token: master.adminToken, body: { status: 'disabled' } });
    expect((await master.request('GET', '/api/me', { token })).status).toBe(401);
  });
});
