import { ChannelSettings, ModelRouting, RateLimits } from './routing';

/**
 * The policy an agent serves from: everything the relay needs, nothing more.
 * Built by the master from Postgres; in single-node mode handed to the
 * embedded agent in process, later synced to remote agents.
 * Tokens appear by key hash only; channel keys only for channels the agent
 * may serve.
 */
export interface PolicySnapshot {
  /** Monotonic version of the policy this snapshot reflects. */
  version: number;
  /** Epoch ms just before the snapshot's read transaction began (spend settled before it is included). */
  builtAt?: number;
  tokens: PolicyToken[];
  users: PolicyUser[];
  groups: PolicyGroup[];
  channels: PolicyChannel[];
  models: PolicyModel[];
  routes: PolicyRoute[];
}

export interface PolicyToken {
  id: string;
  /** SHA-256 hex of the API key. */
  keyHash: string;
  userId: string;
  status: 'active' | 'disabled';
  /** null: unlimited. */
  quotaMicros: number | null;
  usedMicros: number;
  /** null: all models. */
  models: string[] | null;
  ipAllowlist: string[] | null;
  /** Epoch milliseconds; null: never. */
  expiresAt: number | null;
  /** null: any channel; else only these channel ids serve this token. */
  channels: string[] | null;
  /** Answers carry the route debug header. */
  debug: boolean;
  limits?: RateLimits;
}

export interface PolicyUser {
  id: string;
  status: 'active' | 'disabled';
  groupId: string | null;
  balanceMicros: number;
  /** Admins may ask for the route debug header on any of their tokens. */
  admin: boolean;
  limits?: RateLimits;
}

export interface PolicyGroup {
  id: string;
  ratioPpm: number;
  /** null: every model; else only these logical models for the group's members. */
  models: string[] | null;
  /** null: any channel; else only these channel ids serve the group's members. */
  channels: string[] | null;
  limits?: RateLimits;
}

export interface PolicyChannel {
  id: string;
  name: string;
  type: string;
  baseUrl: string;
  /** Plaintext upstream key, in memory only. */
  key: string | null;
  headers: Record<string, string>;
  models: string[];
  modelMapping: Record<string, string>;
  priority: number;
  weight: number;
  region: string | null;
  status: 'enabled' | 'disabled' | 'auto_disabled';
  settings: ChannelSettings;
}

export interface PolicyModel {
  id: string;
  name: string;
  inputPriceMicros: number;
  outputPriceMicros: number;
  cachedInputPriceMicros: number | null;
  cacheWritePriceMicros: number | null;
  /** Micro-USD per generated image (images endpoints; only when the upstream reports no tokens). null or absent: free. */
  imagePriceMicros?: number | null;
  /** Micro-USD per second of audio (transcriptions and translations; only when the upstream reports no tokens). */
  audioSecondPriceMicros?: number | null;
  /** Micro-USD per 1M input characters (speech). */
  characterPriceMicros?: number | null;
  /** Micro-USD per search unit (rerank). */
  searchUnitPriceMicros?: number | null;
  createdAt: number;
  routing: ModelRouting;
}

export interface PolicyRoute {
  id: string;
  model: string;
  channelId: string;
  upstreamModel: string | null;
  priority: number;
  weight: number;
  enabled: boolean;
}
