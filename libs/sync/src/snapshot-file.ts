import { WireSnapshot } from '@aigw/contracts';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

  async write(snapshot: WireSnapshot): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ format: 1, snapshot }));
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await handle.close();
    await rename(temporary, this.path);
    const directory = await open(dirname(this.path), 'r').catch(() => null);
    await directory?.sync().catch(() => undefined);
    await directory?.close();
  }
}
