import { SecretCipher } from '@aigw/config';
import { PolicyChannel, PolicyKind, PolicySnapshot, WireChannel, WireDelta, WirePolicyRows, WireSnapshot } from '@aigw/contracts';
import { PolicyDeltaRead, PolicyRead, PolicyRows } from './policy-snapshot.builder';

export const POLICY_KINDS: PolicyKind[] = ['tokens', 'users', 'groups', 'channels', 'models', 'routes'];

/** Who receives policy: which channels it may serve, and the key its channel secrets are sealed with. */
export interface PolicyAudience {
  /** null: every channel (the master's embedded agent). */
  region: string | null;
  cipher: SecretCipher;
}

/** A channel with no region serves everywhere; one with a region only agents of that region. */
export function mayServe(audience: PolicyAudience, channel: { region: string | null }): boolean {
  return audience.region === null || channel.region === null || channel.region === audience.region;
}

function sealChannel(channel: PolicyChannel, cipher: SecretCipher): WireChannel {
  const { key, headers, ...rest } = channel;
  return {
    ...rest,
    key_sealed: key === null ? null : cipher.seal(key, channel.id),
    headers_sealed: Object.keys(headers).length === 0 ? null : cipher.seal(JSON.stringify(headers), `${channel.id}:headers`),
  };
}

/** Opens a channel's sealed secrets (in memory only). Throws SecretDecryptionError under the wrong key. */
export function openChannel(channel: WireChannel, cipher: SecretCipher): PolicyChannel {
  const { key_sealed, headers_sealed, ...rest } = channel;
  return {
    ...rest,
    key: key_sealed === null ? null : cipher.open(key_sealed, channel.id),
    headers: headers_sealed === null ? {} : JSON.parse(cipher.open(headers_sealed, `${channel.id}:headers`)),
  };
}

function wireRows(rows: PolicyRows, audience: PolicyAudience): { rows: WirePolicyRows; withheld: string[] } {
  const withheld: string[] = [];
  const channels: WireChannel[] = [];
  for (const channel of rows.channels) {
    if (mayServe(audience, channel)) channels.push(sealChannel(channel, audience.cipher));
    else withheld.push(channel.id);
  }
  return { rows: { ...rows, channels }, withheld };
}

/** A snapshot for one audience: only channels it may serve, their secrets sealed with its key. */
export function toWireSnapshot(read: PolicyRead, audience: PolicyAudience): WireSnapshot {
  const { version, builtAt, ...policy } = read;
  const { rows } = wireRows(policy, audience);
  return { version, built_at: builtAt, ...rows };
}

/** A delta for one audience: a channel it may no longer serve (moved region) is a deletion. */
export function toWireDelta(read: PolicyDeltaRead, audience: PolicyAudience): WireDelta {
  const { rows, withheld } = wireRows(read.upserts, audience);
  const upserts: Partial<WirePolicyRows> = {};
  const deletes: Partial<Record<PolicyKind, string[]>> = {};
  for (const kind of POLICY_KINDS) {
    if (rows[kind].length > 0) (upserts as Record<PolicyKind, unknown[]>)[kind] = rows[kind];
    const gone = kind === 'channels' ? [...read.deletes.channels, ...withheld] : read.deletes[kind];
    if (gone.length > 0) deletes[kind] = gone;
  }
  return { from: read.from, to: read.to, built_at: read.builtAt, upserts, deletes };
}

/** Rows after a delta: upserts replace or add by id (in place of the old row), deletions drop. */
export function mergeRows<T extends { id: string }>(rows: T[], upserts: T[] = [], deletes: string[] = []): T[] {
  if (upserts.length === 0 && deletes.length === 0) return rows;
  const replaced = new Map(upserts.map((row) => [row.id, row]));
  const dropped = new Set(deletes);
  const merged: T[] = [];
  for (const row of rows) {
    if (dropped.has(row.id)) continue;
    const next = replaced.get(row.id);
    if (next) replaced.delete(row.id);
    merged.push(next ?? row);
  }
  for (const row of replaced.values()) merged.push(row);
  return merged;
}

/** The wire snapshot after a delta (what the agent keeps on disk). */
export function mergeWireSnapshot(snapshot: WireSnapshot, delta: WireDelta): WireSnapshot {
  const next = { ...snapshot, version: delta.to, built_at: delta.built_at };
  for (const kind of POLICY_KINDS) {
    (next as unknown as Record<PolicyKind, Array<{ id: string }>>)[kind] = mergeRows(
      snapshot[kind] as Array<{ id: string }>,
      delta.upserts[kind] as Array<{ id: string }> | undefined,
      delta.deletes[kind],
    );
  }
  return next;
}

/** The relay's policy from a wire snapshot, channel secrets opened. */
export function openSnapshot(snapshot: WireSnapshot, cipher: SecretCipher): PolicySnapshot {
  return {
    version: snapshot.version,
    builtAt: snapshot.built_at,
    tokens: snapshot.tokens,
    users: snapshot.users,
    groups: snapshot.groups,
    channels: snapshot.channels.map((channel) => openChannel(channel, cipher)),
    models: snapshot.models,
    routes: snapshot.routes,
  };
}
