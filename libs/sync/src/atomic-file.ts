import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces a file whole: written to a temporary file beside it (mode 0600),
 * fsynced, renamed over it, the directory fsynced where the platform allows.
 * A crash leaves the old content or the new, never half of either.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  const directory = await open(dirname(path), 'r').catch(() => null);
  await directory?.sync().catch(() => undefined);
  await directory?.close();
}
