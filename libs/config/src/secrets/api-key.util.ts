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
