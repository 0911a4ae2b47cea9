import { GatewayError } from '@aigw/providers';
import { PolicyToken, PolicyUser, RateLimits } from '@aigw/contracts';
import { PolicyIndex } from '@aigw/routing';
import { createHash } from 'node:crypto';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The gateway key, from wherever the client's SDK puts it:
 * `Authorization: Bearer` (OpenAI, and current Anthropic SDKs), `x-api-key`
 * (Anthropic), `x-goog-api-key` or `?key=` (Gemini).
 */
export function extractApiKey(headers: Headers, query: Record<string, unknown>): string | null {
  const authorization = first(headers.authorization);
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1].trim();
  }
  const key = first(headers['x-api-key']) ?? first(headers['x-goog-api-key']) ?? (typeof query.key === 'string' ? query.key : undefined);
  return key?.trim() || null;
}

export interface Caller {
  token: PolicyToken;
  groupId: string | null;
  groupRatioPpm: number;
  /** The group's model and channel restrictions (null: none). */
  groupModels: string[] | null;
  groupChannels: string[] | null;
  /** The owner is an admin (may ask for the route debug header). */
  admin: boolean;
  /** Rate limits of the owner (over all their tokens) and of their group. */
  userLimits?: RateLimits;
  groupLimits?: RateLimits;
}

/** Authenticates a key against the policy: status, expiry, owner, IP allow-list. No I/O. */
export function authenticate(policy: PolicyIndex, key: string | null, ip: string, now = Date.now()): Caller {
  if (!key) throw new GatewayError('authentication', 'missing API key: send it as "Authorization: Bearer <key>"');
  const token = policy.token(createHash('sha256').update(key).digest('hex'));
  if (!token) throw new GatewayError('authentication', 'invalid API key');
  if (token.status !== 'active') throw new GatewayError('authentication', 'this API key is disabled');
  if (token.expiresAt !== null && token.expiresAt <= now) throw new GatewayError('authentication', 'this API key has expired');
  const user = policy.user(token.userId);
  if (!user || user.status !== 'active') throw new GatewayError('authentication', 'the owner of this API key is disabled');
  if (token.ipAllowlist && token.ipAllowlist.length > 0 && !token.ipAllowlist.includes(normaliseIp(ip))) {
    throw new GatewayError('permission', 'this API key may not be used from this address');
  }
  return callerOf(policy, token, user);
}

/** The caller a token stands for (after authentication; also for the routing dry-run). */
export function callerOf(policy: PolicyIndex, token: PolicyToken, user: PolicyUser): Caller {
  const group = policy.group(user.groupId);
  return {
    token,
    groupId: user.groupId,
    groupRatioPpm: group?.ratioPpm ?? 1_000_000,
    groupModels: group?.models ?? null,
    groupChannels: group?.channels ?? null,
    admin: user.admin,
    userLimits: user.limits,
    groupLimits: group?.limits,
  };
}

/** Model allow-lists of the token and of its owner's group. */
export function assertModelAllowed(caller: Caller, model: string): void {
  if (caller.token.models && !caller.token.models.includes(model)) {
    throw new GatewayError('permission', `this API key may not use the model ${model}`, { param: 'model' });
  }
  if (caller.groupModels && !caller.groupModels.includes(model)) {
    throw new GatewayError('permission', `your group may not use the model ${model}`, { param: 'model' });
  }
}

/** Channel restrictions of the token and of its owner's group. */
export function channelAllowed(caller: Caller, channelId: string): boolean {
  return (!caller.token.channels || caller.token.channels.includes(channelId)) && (!caller.groupChannels || caller.groupChannels.includes(channelId));
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
