import { DEFAULT_ROUTING } from '@aigw/contracts';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFile } from './config.schema';
import { loadConfig } from './load-config';

describe('config.example.yaml', () => {
  it('is a valid configuration', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aigw-example-'));
    copyFileSync(resolve(__dirname, '../../../config.example.yaml'), join(cwd, 'config.yaml'));
    const config = loadConfig({ cwd, env: {}, argv: [] });
    expect(config.bootstrap.users?.[0].username).toBe('alice');
    expect(config.port).toBe(8140);
    // The example documents the defaults: what it says is what an empty file gets.
    expect(config.routing).toEqual(DEFAULT_ROUTING);
    expect(loadConfig({ cwd: mkdtempSync(join(tmpdir(), 'aigw-empty-')), env: {}, argv: [] }).routing).toEqual(DEFAULT_ROUTING);
  });

  it('documents every top-level key', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(resolve(__dirname, '../../../config.example.yaml'), 'utf8');
    const { getMetadataStorage } = await import('class-validator');
    const keys = new Set(getMetadataStorage().getTargetValidationMetadatas(ConfigFile, '', true, false).map((meta) => meta.propertyName));
    for (const key of keys) expect(text, key).toMatch(new RegExp(`^#? ?${key}:`, 'm'));
  });
});
