import { PROVIDER_CATALOG } from '@aigw/contracts';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDERS_DOC, PROVIDERS_DOC_SPEC, renderProviderBlocks, replaceBlocks } from '../support/providers-doc';

const PAGE = resolve(__dirname, '../..', PROVIDERS_DOC);

/**
 * docs/providers.md shows the provider catalog; its tables are generated.
 * Regenerate them with: WRITE_DOCS=1 npx vitest run test/unit/providers-doc.spec.ts
 */
describe(PROVIDERS_DOC, () => {
  it('lists every provider of the catalog as the catalog says (regenerate with WRITE_DOCS=1)', () => {
    const page = readFileSync(PAGE, 'utf8');
    const expected = replaceBlocks(page, renderProviderBlocks(PROVIDER_CATALOG));
    if (process.env.WRITE_DOCS === '1') writeFileSync(PAGE, expected);
    expect(page, `${PROVIDERS_DOC} is out of date with the provider catalog: WRITE_DOCS=1 npx vitest run ${PROVIDERS_DOC_SPEC}`).toBe(expected);
  });

  it('names every provider type in its table', () => {
    const page = readFileSync(PAGE, 'utf8');
    for (const entry of PROVIDER_CATALOG) expect(page, entry.id).toContain(`| \`${entry.id}\` |`);
  });
});
