import { loadConfig } from '@aigw/config';
import { Writable } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MasterApp, createMasterApp } from '../../apps/master/src/create-master-app';
import { TEST_REDIS_URL } from './environment';
import { TestDatabase, createTestDatabase } from './test-database';

export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
}

export interface TestMaster {
  master: MasterApp;
  database: TestDatabase;
  url: string;
  /** Every JSON log line the master wrote. */
  logs: string[];
  /** Banner lines (the one-time admin password). */
  printed: string[];
  adminToken: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResult<T>>;
  login(username: string, password: string): Promise<string>;
  /** Stop the app but keep the database (to start again on it). */
  stop(): Promise<void>;
  /** Stop and drop the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The YAML config file's content (port, data_dir, database_url are set by the helper). */
  config?: Record<string, unknown>;
  /** Reuse a database (to test restarts); default a fresh one. */
  database?: TestDatabase;
  /** Use Redis/BullMQ; default: in postgres mode yes, in pglite mode no. */
  redis?: boolean;
}

/**
 * Starts a real master (Fastify on an ephemeral port) on a fresh database:
 * Postgres + Redis/BullMQ or PGlite + in-process queue, by AIGW_TEST_DB.
 */
export async function startTestMaster(options: StartOptions = {}): Promise<TestMaster> {
  const database = options.database ?? (await createTestDatabase());
  const redis = options.redis ?? database.mode === 'postgres';
  const configPath = join(database.dataDir, 'config.yaml');
  writeFileSync(
    configPath,
    stringify({
      port: 0,
      host: '127.0.0.1',
      data_dir: database.dataDir,
      admin_password: TEST_ADMIN_PASSWORD,
      log_level: 'info',
      ...(database.url ? { database_url: database.url } : {}),
      ...(redis ? { redis_url: TEST_REDIS_URL, redis_prefix: `aigw-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}` } : {}),
      ...options.config,
    }),
  );
  const config = loadConfig({ env: { AIGW_CONFIG: configPath }, argv: [] });
  const logs: string[] = [];
  const printed: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const master = await createMasterApp(config, { logDestination, print: (line) => printed.push(line) });

  const request = async <T>(method: string, path: string, requestOptions: RequestOptions = {}): Promise<HttpResult<T>> => {
    const url = new URL(path, master.url);
    for (const [key, value] of Object.entries(requestOptions.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { ...requestOptions.headers };
    if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
    let body: string | undefined;
    if (requestOptions.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof requestOptions.body === 'string' ? requestOptions.body : JSON.stringify(requestOptions.body);
    }
    const response = await fetch(url, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  };
  const login = async (username: string, password: string): Promise<string> => {
    const result = await request<{ access_token: string }>('POST', '/api/auth/login', { body: { username, password } });
    if (result.status !== 200) throw new Error(`login as ${username} failed: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body.access_token;
  };
  const adminToken = await login('admin', TEST_ADMIN_PASSWORD);
  return {
    master,
    database,
    url: master.url,
    logs,
    printed,
    adminToken,
    request,
    login,
    stop: () => master.close(),
    close: async () => {
      await master.close();
      await database.drop();
    },
  };
}

/** Creates a user with a password and role and returns a JWT for it. */
export async function createUserAndLogin(
  master: TestMaster,
  username: string,
  role: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; token: string }> {
  const password = `${username}-password`;
  const created = await master.request('POST', '/api/users', {
    token: master.adminToken,
    body: { username, password, role, ...extra },
  });
  if (created.status !== 201) throw new Error(`creating ${username} failed: ${created.status} ${JSON.stringify(created.body)}`);
  return { id: created.body.id, token: await master.login(username, password) };
}
