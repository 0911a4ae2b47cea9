import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestMaster, createUserAndLogin, startTestMaster } from '../support/test-master';

describe('HTTP edge cases answer in the one /api error shape', () => {
  let master: TestMaster;
  beforeAll(async () => {
    master = await startTestMaster();
  });
  afterAll(() => master?.close());

  it('malformed JSON is a 400', async () => {
    const result = await master.request('POST', '/api/groups', { token: master.adminToken, body: '{"name": ' });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { code: 'validation_failed' }, request_id: expect.any(String) });
    expect(JSON.stringify(result.body)).not.toMatch(/at .*\.js|node_modules/);
  });

  it('a body over the limit is a 413', async () => {
    const result = await master.request('POST', '/api/groups', {
      token: master.adminToken,
      body: { name: 'big', description: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(result.status).toBe(413);
    expect(result.body.error.message).toMatch(/too large/i);
  });

  it('an unknown route is a 404', async () => {
    const result = await master.request('GET', '/api/nothing-here', { token: master.adminToken });
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('a body that is not an object is a 400', async () => {
    const result = await master.request('POST', '/api/groups', { token: master.adminToken, body: '["a"]' });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('validation_failed');
  });

  it('keeps a caller-supplied request id, or makes one, in the header and the error body', async () => {
    const given = await master.request('GET', '/api/users/not-a-uuid', { token: master.adminToken, headers: { 'x-request-id': 'trace-abc.123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(given.body.request_id).toBe('trace-abc.123');
    const made = await master.request('GET', '/ping', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rate-limits failed logins per user and address, with Retry-After; the right password does not bypass it', async () => {
    await createUserAndLogin(master, 'bruteforced', 'viewer');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await master.request('POST', '/api/auth/login', { body: { username: 'bruteforced', password: `guess-${attempt}` } })).status).toBe(401);
    }
    const blocked = await master.request('POST', '/api/auth/login', { body: { username: 'bruteforced', password: 'bruteforced-password' } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not locked out by it.
    expect((await master.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'wrong' } })).status).toBe(401);
  });

  it('answers a wrong password and an unknown user the same way', async () => {
    const unknown = await master.request('POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'whatever' } });
    const wrong = await master.request('POST', '/api/auth/login', { body: { username: 'admin', password: 'not-the-password' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.error).toEqual(wrong.body.error);
  });
});
