import { AppConfig, ConfigError } from '@aigw/config';
import { ENROLL_PATH, EnrollmentResult } from '@aigw/contracts';
import { writeFileAtomic } from '@aigw/sync';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Who this agent is to its master: kept in `<data_dir>/agent.json`, mode 0600. */
export interface AgentIdentity extends EnrollmentResult {
  master_url: string;
}

const IDENTITY_FILE = 'agent.json';

export async function readIdentity(dataDir: string): Promise<AgentIdentity | null> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, IDENTITY_FILE), 'utf8')) as AgentIdentity;
    return parsed.agent_id && parsed.credential && parsed.sync_key ? parsed : null;
  } catch {
    return null;
  }
}

function writeIdentity(dataDir: string, identity: AgentIdentity): Promise<void> {
  return writeFileAtomic(join(dataDir, IDENTITY_FILE), `${JSON.stringify(identity, null, 2)}\n`);
}

export class EnrollmentRefused extends Error {
  override readonly name = 'EnrollmentRefused';
}

/**
 * The agent's identity: from its data directory, or — on its first start —
 * by presenting the enrollment token to the master once. An unreachable
 * master is retried (an agent that never enrolled has nothing to serve);
 * a refused token ends the process with the master's reason.
 */
export async function loadOrEnroll(config: AppConfig, build: string, log: (line: string) => void, signal?: AbortSignal): Promise<AgentIdentity> {
  const stored = await readIdentity(config.dataDir);
  if (stored) return stored;
  if (!config.masterUrl) throw new ConfigError('AIGW_MASTER_URL (master_url): required to run an agent');
  if (!config.enrollmentToken) throw new ConfigError(`AIGW_ENROLLMENT_TOKEN (enrollment_token): required on the first start (no ${IDENTITY_FILE} in ${config.dataDir})`);
  const name = config.agentName ?? hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128);
  for (let attempt = 0; ; attempt += 1) {
    signal?.throwIfAborted();
    let response: Response;
    try {
      response = await fetch(new URL(ENROLL_PATH, config.masterUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${config.enrollmentToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, ...(config.region ? { region: config.region } : {}), build }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2);
      log(`aigw agent: cannot reach the master at ${config.masterUrl} to enroll (${(error as Error).message}); retrying in ${Math.round(delay)} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      continue;
    }
    const body = (await response.json().catch(() => ({}))) as Partial<EnrollmentResult> & { error?: { message?: string } };
    if (!response.ok) throw new EnrollmentRefused(`the master refused enrollment (HTTP ${response.status}): ${body.error?.message ?? 'no reason given'}`);
    const identity: AgentIdentity = { ...(body as EnrollmentResult), master_url: config.masterUrl };
    await writeIdentity(config.dataDir, identity);
    log(`aigw agent: enrolled as "${identity.name}" (${identity.agent_id}) in region ${identity.region}`);
    return identity;
  }
}
