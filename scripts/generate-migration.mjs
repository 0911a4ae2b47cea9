// Usage: npm run build && node scripts/generate-migration.mjs <Name>
// Applies the existing migrations to a scratch database (DATABASE_URL, else an
// embedded PGlite in a temp dir), diffs it against the entities and writes
// migrations/<timestamp>-<Name>.ts. Read the result before committing it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  console.error('usage: node scripts/generate-migration.mjs <PascalCaseName>');
  process.exit(2);
}
const { Database, pendingSchemaChanges } = require('../dist/libs/persistence/src/index.js');
const { MIGRATIONS } = require('../dist/migrations/index.js');
const dataDir = mkdtempSync(join(tmpdir(), 'aigw-migration-'));
const database = await Database.open({ url: process.env.DATABASE_URL || null, dataDir, migrations: MIGRATIONS });
try {
  const { up, down } = await pendingSchemaChanges(database.dataSource);
  if (up.length === 0) {
    console.log('entities and migrations agree; nothing to generate');
    process.exit(0);
  }
  const timestamp = Date.now();
  const quote = (query) => `    await queryRunner.query(\`${query.replace(/[`\\$]/g, (c) => `\\${c}`)}\`);`;
  const source = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${timestamp} implements MigrationInterface {
  name = '${name}${timestamp}';

  async up(queryRunner: QueryRunner): Promise<void> {
${up.map(quote).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${down.reverse().map(quote).join('\n')}
  }
}
`;
  const file = join('migrations', `${timestamp}-${name}.ts`);
  writeFileSync(file, source);
  console.log(`wrote ${file}: ${up.length} statements; add it to migrations/index.ts`);
} finally {
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}
