import { WireSnapshot } from '@aigw/contracts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file';

/**
 * The agent's last applied policy on disk, as it came over the wire (channel
 * secrets sealed with the agent's sync key): a restarted agent serves from it
 * at once, also while the master is away. Written whole to a temporary file,
 * fsynced and renamed over the old one, so a crash leaves the old or the new
 * snapshot, never half of one. Mode 0600.
 */
export class SnapshotFile {
  constructor(readonly path: string) {}

  static in(dataDir: string): SnapshotFile {
    return new SnapshotFile(join(dataDir, 'policy-snapshot.json'));
  }

  /** The stored snapshot, or null when there is none or it is unreadable (then the master sends a fresh one). */
  async read(): Promise<WireSnapshot | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = JSON.parse(text) as { format?: number; snapshot?: WireSnapshot };
      return parsed.format === 1 && parsed.snapshot && typeof parsed.snapshot.version === 'number' ? parsed.snapshot : null;
    } catch {
      return null;
    }
  }

  write(snapshot: WireSnapshot): Promise<void> {
    return writeFileAtomic(this.path, JSON.stringify({ format: 1, snapshot }));
  }

}
