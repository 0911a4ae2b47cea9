import { resolveRouting } from './routing.schema';
import { resolveMedia, resolveUpstreamNetwork } from './network.schema';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { YAMLParseError, parse } from 'yaml';
import { AppConfig } from './app-config';
import { ConfigError } from './config.error';
import { ConfigFile, LogLevel, SECRET_KEY_PATTERN } from './config.schema';

export interface LoadConfigOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  defaultPort?: number;
}

/** Environment variables that override a key of the file. */
const ENV_OVERRIDES: Record<string, keyof ConfigFile> = {
  PORT: 'port',
  HOST: 'host',
  DATABASE_URL: 'database_url',
  REDIS_URL: 'redis_url',
  AIGW_DATA_DIR: 'data_dir',
  AIGW_ADMIN_PASSWORD: 'admin_password',
  AIGW_JWT_SECRET: 'jwt_secret',
  AIGW_SECRET_KEY: 'secret_key',
  AIGW_LOG_LEVEL: 'log_level',
  AIGW_REDIS_PREFIX: 'redis_prefix',
  AIGW_MASTER_URL: 'master_url',
  AIGW_ENROLLMENT_TOKEN: 'enrollment_token',
  AIGW_AGENT_NAME: 'agent_name',
  AIGW_REGION: 'region',
  AIGW_SYNC_HEARTBEAT_MS: 'sync_heartbeat_ms',
  AIGW_CHANGE_LOG_RETENTION: 'change_log_retention',
  AIGW_LEASE_TTL_SECONDS: 'lease_ttl_seconds',
  AIGW_LEASE_OFFLINE: 'lease_offline',
};

/** Overrides that are integers. */
const INTEGER_KEYS = new Set<keyof ConfigFile>(['sync_heartbeat_ms', 'change_log_retention', 'lease_ttl_seconds']);

const SECRETS_FILE = 'secrets.json';

/**
 * Finds, parses and validates the configuration: `AIGW_CONFIG`, else
 * `--config <path>`, else `./config.yaml` when present, else defaults; then
 * environment overrides. Throws ConfigError with a one-line message.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const path = findConfigFile(options.argv ?? process.argv.slice(2), env, cwd);
  const raw = path ? readYaml(path) : {};
  const sourceNames = new Map<string, string>();

  for (const [variable, key] of Object.entries(ENV_OVERRIDES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    raw[key] = key === 'port' ? parsePort(variable, value) : INTEGER_KEYS.has(key) && /^\d+$/.test(value) ? Number(value) : value;
    sourceNames.set(key, variable);
  }

  const file = plainToInstance(ConfigFile, raw);
  const errors = validateSync(file, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const first = flattenErrors(errors)[0];
    const source = sourceNames.get(first.path.split(/[.[]/)[0]);
    throw new ConfigError(`${source ?? first.path}: ${first.messages[0]}${path && !source ? ` (in ${path})` : ''}`);
  }

  const dataDir = resolve(cwd, file.data_dir ?? './data');
  const secrets = resolveSecrets(dataDir, file);
  return new AppConfig({
    port: file.port ?? options.defaultPort ?? 8140,
    host: file.host ?? '0.0.0.0',
    dataDir,
    databaseUrl: file.database_url || null,
    redisUrl: file.redis_url || null,
    redisPrefix: file.redis_prefix ?? 'aigw',
    jwtSecret: secrets.jwtSecret,
    jwtTtlSeconds: file.jwt_ttl_seconds ?? 12 * 3600,
    adminPassword: file.admin_password ?? null,
    secretKey: secrets.secretKey,
    previousSecretKeys: (file.previous_secret_keys ?? []).map(decodeKey),
    logLevel: (file.log_level ?? 'info') as LogLevel,
    relayBodyLimitBytes: (file.relay_body_limit_mb ?? 32) * 1024 * 1024,
    relayUploadLimitBytes: (file.relay_upload_limit_mb ?? 25) * 1024 * 1024,
    relayMetering: file.relay_metering ?? true,
    routing: resolveRouting(file.routing),
    upstreamNetwork: resolveUpstreamNetwork(file.upstream_network),
    media: resolveMedia(file.media),
    masterUrl: file.master_url ?? null,
    enrollmentToken: file.enrollment_token ?? null,
    agentName: file.agent_name ?? null,
    region: file.region ?? null,
    syncHeartbeatMs: file.sync_heartbeat_ms ?? 10_000,
    changeLogRetention: file.change_log_retention ?? 10_000,
    usageSpoolMaxRecords: file.usage_spool_max_records ?? 1_000_000,
    usageSpoolMaxBytes: (file.usage_spool_max_mb ?? 256) * 1024 * 1024,
    usageSpoolSyncMs: file.usage_spool_sync_ms ?? 500,
    usageSpoolCommitMs: file.usage_spool_commit_ms ?? 50,
    leaseTtlSeconds: file.lease_ttl_seconds ?? 60,
    leaseOffline: (file.lease_offline ?? 'serve') as 'serve' | 'fail_closed',
    bootstrap: file.bootstrap ?? {},
    source: path,
  });
}

function findConfigFile(argv: string[], env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (env.AIGW_CONFIG) return requireFile(resolve(cwd, env.AIGW_CONFIG), 'AIGW_CONFIG');
  const flag = argv.findIndex((argument) => argument === '--config' || argument.startsWith('--config='));
  if (flag >= 0) {
    const value = argv[flag].includes('=') ? argv[flag].slice('--config='.length) : argv[flag + 1];
    if (!value) throw new ConfigError('--config: expects a path');
    return requireFile(resolve(cwd, value), '--config');
  }
  const implicit = resolve(cwd, 'config.yaml');
  return existsSync(implicit) ? implicit : null;
}

function requireFile(path: string, origin: string): string {
  if (!existsSync(path)) throw new ConfigError(`${origin}: no such file ${path}`);
  return path;
}

function readYaml(path: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parse(readFileSync(path, 'utf8'), { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new ConfigError(`${path}: malformed YAML${where}: ${reason}`);
    }
    throw new ConfigError(`${path}: cannot be read: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError(`${path}: the top level must be a mapping of keys`);
  }
  return document as Record<string, unknown>;
}

function parsePort(variable: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`${variable}: must be an integer between 0 and 65535`);
  }
  return Number(value);
}

interface FlatError {
  path: string;
  /** Type and membership checks first: "must be an integer" explains more than "must not be greater than". */
  messages: string[];
}

const FUNDAMENTAL = /^(whitelistValidation|is[A-Z]\w*|matches|nestedValidation)$/;

export function flattenErrors(errors: ValidationError[], prefix = '', unknown = 'unknown key'): FlatError[] {
  const flat: FlatError[] = [];
  for (const error of errors) {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    if (error.constraints) {
      const messages = Object.entries(error.constraints)
        .sort(([a], [b]) => Number(FUNDAMENTAL.test(b)) - Number(FUNDAMENTAL.test(a)))
        .map(([name, message]) => (name === 'whitelistValidation' ? unknown : message.replace(new RegExp(`^${error.property} `), '')));
      flat.push({ path, messages });
    }
    if (error.children?.length) flat.push(...flattenErrors(error.children, path, unknown));
  }
  return flat;
}

interface ResolvedSecrets {
  jwtSecret: string;
  secretKey: Buffer;
}

/**
 * Secrets not given in config are generated once and kept in
 * `<data_dir>/secrets.json` (mode 0600), so restarts keep tokens valid and
 * channel keys decryptable. The JWT secret and the encryption key are distinct.
 */
function resolveSecrets(dataDir: string, file: ConfigFile): ResolvedSecrets {
  let stored: { jwt_secret?: string; secret_key?: string } = {};
  const path = resolve(dataDir, SECRETS_FILE);
  const needsFile = !file.jwt_secret || !file.secret_key;
  if (needsFile) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (existsSync(path)) {
      try {
        stored = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        throw new ConfigError(`${path}: is not valid JSON; restore it from backup or remove it only if no data exists yet`);
      }
      if (stored.secret_key && !SECRET_KEY_PATTERN.test(stored.secret_key)) {
        throw new ConfigError(`${path}: secret_key is malformed`);
      }
    }
    let changed = false;
    if (!file.jwt_secret && !stored.jwt_secret) {
      stored.jwt_secret = randomBytes(48).toString('base64url');
      changed = true;
    }
    if (!file.secret_key && !stored.secret_key) {
      stored.secret_key = randomBytes(32).toString('hex');
      changed = true;
    }
    if (changed) writeFileSync(path, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return {
    jwtSecret: file.jwt_secret ?? stored.jwt_secret!,
    secretKey: decodeKey(file.secret_key ?? stored.secret_key!),
  };
}

function decodeKey(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}
