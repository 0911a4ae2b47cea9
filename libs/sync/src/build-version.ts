import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The gateway's release (package.json), reported by agents in hello and shown in GET /api/agents. */
export const BUILD_VERSION: string = (() => {
  for (const up of ['../../../..', '../../../../..', '../../..']) {
    try {
      const parsed = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'aigw' && parsed.version) return parsed.version;
    } catch {
      // try the next level (source tree vs dist/)
    }
  }
  return '0.0.0';
})();
