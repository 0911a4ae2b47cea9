import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'sk-aigw-';

/** A new gateway API key: `sk-aigw-` and 43 base64url characters (256 bits). */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * API keys are stored and looked up by SHA-256 only. Keys carry 256 bits of
 * entropy, so a fast unsalted hash is safe and lets agents authenticate with a
 * map lookup on the hot path.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `sk-aigw-AbCd…WxYz`: enough to recognise a key, not to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 12) return `${secret.slice(0, 3)}…`;
  const head = secret.startsWith(API_KEY_PREFIX) ? API_KEY_PREFIX.length + 4 : 6;
  return `${secret.slice(0, head)}…${secret.slice(-4)}`;
}

/**
 * The hint of a channel key. A JSON credential (an AWS key pair, a Google
 * service-account key) is named by its public half — the access key id
 * masked, or the service account's e-mail — never by characters of the JSON
 * text, whose last ones belong to the secret; any other key as maskSecret.
 * At most 32 characters (the column's width).
 */
export function maskChannelKey(key: string): string {
  if (!key.trimStart().startsWith('{')) return maskSecret(key);
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    return 'JSON…';
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  if (typeof fields.access_key_id === 'string') return `aws:${maskSecret(fields.access_key_id)}`;
  if (typeof fields.client_email === 'string') {
    // Hints are at most 32 characters: the account without Google's suffix, cut with an ellipsis.
    const account = `sa:${fields.client_email.replace(/\.iam\.gserviceaccount\.com$/, '')}`;
    return account.length <= 32 ? account : `${account.slice(0, 31)}…`;
  }
  return 'JSON…';
}
