import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { freePort, startProcess } from '../support/child-process';

const ROOT = resolve(__dirname, '../..');

it('npm run start:agent serves /ping on its own port with the pinned Node', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'aigw-agent-'));
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AIGW_|npm_|PORT$|VITEST)/.test(key)));
  const agent = startProcess('npm', ['run', 'start:agent', '--prefix', ROOT, '--silent'], {
    cwd,
    env: { ...env, PORT: String(port), AIGW_DATA_DIR: join(cwd, 'data'), AIGW_LOG_LEVEL: 'warn' },
  });
  try {
    expect(await agent.waitForLine(/aigw agent listening/)).toMatch(new RegExp(`:${port} \\(node v24\\.`));
    const response = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(await response.json()).toEqual({ status: 'ok', role: 'agent' });
  } finally {
    await agent.terminate();
  }
}, 60_000);
