// Compiles apps/, libs/ and migrations/ to dist/ with SWC (decorators + metadata,
// CommonJS) and rewrites the @aigw/* aliases to relative paths. Type checking
// is a separate step (`npm run typecheck`) so that a start stays fast.
import { transformFile } from '@swc/core';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const sourceDirs = ['apps', 'libs', 'migrations'];
const libs = ['contracts', 'config', 'persistence', 'providers', 'routing', 'quota', 'metering', 'sync', 'telemetry'];
const paths = {
  ...Object.fromEntries(libs.map((lib) => [`@aigw/${lib}`, [`./libs/${lib}/src/index.ts`]])),
  '@aigw/migrations': ['./migrations/index.ts'],
};

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '__fixtures__') yield* walk(path);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

const started = Date.now();
await rm(outDir, { recursive: true, force: true });
const files = [];
for (const dir of sourceDirs) for await (const file of walk(join(root, dir))) files.push(file);

await Promise.all(
  files.map(async (file) => {
    const output = await transformFile(file, {
      swcrc: false,
      sourceMaps: true,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2023',
        keepClassNames: true,
        baseUrl: root,
        paths,
      },
      module: { type: 'commonjs', strictMode: true },
    });
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, `${output.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (output.map) await writeFile(`${target}.map`, output.map);
  }),
);
console.log(`built ${files.length} files into dist/ in ${Date.now() - started} ms`);
