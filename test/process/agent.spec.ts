import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { freePort, startProcess } from '../support/child-process';

const ROOT = resolve(__dirname, '../..');

it('npm run start:agent without a master to enroll with exits with a clear configuration error', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'aigw-agent-'));
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AIGW_|npm_|PORT$|VITEST)/.test(key)));
  const agent = startProcess('npm', ['run', 'start:agent', '--prefix', ROOT, '--silent'], {
    cwd,
    env: { ...env, PORT: String(port), AIGW_DATA_DIR: join(cwd, 'data'), AIGW_LOG_LEVEL: 'warn' },
  });
  expect(await agent.exited).toEqual({ code: 1, signal: null });
  expect(agent.stderr.join('\n')).toContain('aigw agent: configuration error: AIGW_MASTER_URL (master_url): required to run an agent');
}, 60_000);
