import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunningProcess, freePort, startProcess } from '../support/child-process';
import { TEST_REDIS_URL } from '../support/environment';
import { createTestDatabase } from '../support/test-database';

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist/apps/master/src/main.js');
const NODE = join(ROOT, 'node_modules/.bin/node');

/** The machine's environment, minus anything that would configure the gateway. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AIGW_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|npm_|NODE_OPTIONS$|VITEST)/.test(key)),
  );
  return { ...env, ...extra };
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });
  return { status: response.status, body: await response.json() };
}

describe('npm start', () => {
  const running: RunningProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((process) => process.terminate()));
  });

  it('comes up with no config and no services, prints the admin password once, and keeps data across a restart', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aigw-start-'));
    const port = await freePort();
    const env = cleanEnv({ PORT: String(port), AIGW_LOG_LEVEL: 'warn' });
    // The README's command, with the machine's Node (20) first on the PATH: npm runs the pinned Node 24.
    const first = startProcess('npm', ['start', '--prefix', ROOT, '--silent'], { cwd, env: { ...env, AIGW_DATA_DIR: join(cwd, 'data') } });
    running.push(first);
    const banner = await first.waitForLine(/aigw master listening/);
    expect(banner).toContain(`:${port}`);
    expect(banner).toMatch(/embedded PGlite/);
    expect(banner).toMatch(/in-process queue/);
    expect(banner).toMatch(/node v24\./);

    expect(await json(`http://127.0.0.1:${port}/ping`)).toEqual({ status: 200, body: { status: 'ok' } });
    const passwordLines = first.stdout.filter((line) => /^\s+password: /.test(line));
    expect(passwordLines).toHaveLength(1);
    const password = passwordLines[0].trim().slice('password: '.length);
    expect(statSync(join(cwd, 'data', 'secrets.json')).mode & 0o777).toBe(0o600);

    const login = await json(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) });
    expect(login.status).toBe(200);
    const authorization = `Bearer ${login.body.access_token}`;
    const created = await json(`http://127.0.0.1:${port}/api/groups`, {
      method: 'POST',
      headers: { authorization },
      body: JSON.stringify({ name: 'survives-restart', ratio: 0.5 }),
    });
    expect(created.status).toBe(201);
    // SIGTERM goes to npm and the gateway together; npm reports the signal, the gateway closes cleanly.
    await first.terminate();
    expect(first.stdout).toContain('aigw: SIGTERM received, shutting down');

    const second = startProcess(NODE, [MAIN], { cwd, env: { ...env, AIGW_DATA_DIR: join(cwd, 'data') } });
    running.push(second);
    await second.waitForLine(/aigw master listening/);
    expect(second.stdout.some((line) => /password:/.test(line))).toBe(false);
    const again = await json(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'admin', password }) });
    expect(again.status).toBe(200);
    const groups = await json(`http://127.0.0.1:${port}/api/groups?name=survives-restart`, {
      headers: { authorization: `Bearer ${again.body.access_token}` },
    });
    expect(groups.body.data).toEqual([expect.objectContaining({ id: created.body.id, name: 'survives-restart', ratio: 0.5 })]);
    expect(await second.terminate()).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('runs on real Postgres and Redis/BullMQ with DATABASE_URL and REDIS_URL', async () => {
    const database = await createTestDatabase('postgres');
    try {
      const port = await freePort();
      const child = startProcess(NODE, [MAIN], {
        cwd: database.dataDir,
        env: cleanEnv({
          PORT: String(port),
          DATABASE_URL: database.url!,
          REDIS_URL: TEST_REDIS_URL,
          AIGW_REDIS_PREFIX: `aigw-process-${process.pid}`,
          AIGW_ADMIN_PASSWORD: 'process-test-admin',
          AIGW_DATA_DIR: join(database.dataDir, 'data'),
          AIGW_LOG_LEVEL: 'warn',
        }),
      });
      running.push(child);
      const banner = await child.waitForLine(/aigw master listening/);
      expect(banner).toMatch(/\(Postgres, BullMQ on Redis/);
      expect(child.stdout.some((line) => /password:/.test(line))).toBe(false);
      const health = await json(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
      expect(health.body.info).toMatchObject({ database: { status: 'up' }, queue: { status: 'up', kind: 'bullmq' } });
      const login = await json(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        body: JSON.stringify({ username: 'admin', password: 'process-test-admin' }),
      });
      expect(login.status).toBe(200);
      expect(await child.terminate()).toEqual({ code: 0, signal: null });
    } finally {
      await database.drop();
    }
  }, 120_000);

  it.each([
    ['an unknown key', 'prot: 8140\n', /^aigw: configuration error: prot: unknown key \(in .*config\.yaml\)$/],
    ['malformed YAML', 'port: [8140\n', /^aigw: configuration error: .*config\.yaml: malformed YAML at line \d+, column \d+: /],
    ['a bad value', 'bootstrap:\n  users: [{ username: xy, role: root }]\n', /^aigw: configuration error: bootstrap\.users\[0\]\.role: /],
  ])('stops on %s with one line and a non-zero exit, no stack trace', async (_name, content, expected) => {
    const cwd = mkdtempSync(join(tmpdir(), 'aigw-badconfig-'));
    writeFileSync(join(cwd, 'config.yaml'), content);
    const child = startProcess(NODE, [MAIN], { cwd, env: cleanEnv({}) });
    expect((await child.exited).code).toBe(1);
    expect(child.stderr.filter(Boolean)).toHaveLength(1);
    expect(child.stderr[0]).toMatch(expected);
    expect(child.stdout.filter(Boolean)).toEqual([]);
  });

  it('refuses a bootstrap that names a missing group, with one line and exit 1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aigw-badbootstrap-'));
    writeFileSync(join(cwd, 'config.yaml'), 'admin_password: bootstrap-refusal\nbootstrap:\n  users: [{ username: bob, group: ghosts }]\n');
    const child = startProcess(NODE, [MAIN], { cwd, env: cleanEnv({ PORT: String(await freePort()), AIGW_LOG_LEVEL: 'silent' }) });
    expect((await child.exited).code).toBe(1);
    expect(child.stderr.filter(Boolean)).toEqual(['aigw: configuration error: bootstrap.users[0].group: no group named ghosts']);
  }, 60_000);
});
