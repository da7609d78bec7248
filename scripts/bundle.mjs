// The last step of `npm run build`: tsc has compiled src/ into dist/, one
// file per module; this joins the modules of each entry the package runs
// into one file, and removes the per-module JavaScript (the declarations
// stay as tsc wrote them, for the types).
//
// Why: Node's ES module loader costs memory for every module it loads, far
// beyond the module's code. Measured with bench/process-footprint.ts, the
// package's 164 modules cost each idle process (the master and every child)
// 8.5 MB of RSS and 4.7 MB of anonymous memory that the same code in one
// file does not; 150 near-empty modules cost about as much.
//
// Entries, each one file:
//   dist/index.js                  the package (package.json "exports")
//   dist/start-failure-report.js   loaded with --import into every child
//                                  the master forks; the master names it
//                                  beside its own module (process/master.ts),
//                                  which is now dist/index.js
//   dist/cli/bin.js                the workerman-ts command
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');

const entries = {
  index: 'index.js',
  'start-failure-report': 'process/start-failure-report.js',
  'cli/bin': 'cli/bin.js',
};

const result = await build({
  entryPoints: Object.fromEntries(
    Object.entries(entries).map(([out, input]) => [out, join(dist, input)]),
  ),
  outdir: dist,
  absWorkingDir: root,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // Optional peers (ioredis, memcache-client) are imported when first used;
  // no package is copied in.
  packages: 'external',
  // Class and function names stay as written (they show in stack traces
  // and errors).
  keepNames: true,
  // Maps back to src/ through tsc's maps.
  sourcemap: true,
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

// The per-module JavaScript and its maps are now inside the bundles.
const kept = new Set(Object.keys(result.metafile.outputs).map((file) => join(root, file)));
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  const file = join(entry.parentPath, entry.name);
  if (!entry.isFile() || !/\.js(\.map)?$/.test(entry.name) || kept.has(file)) continue;
  rmSync(file);
}
for (const out of Object.keys(entries)) {
  if (!kept.has(join(dist, `${out}.js`))) throw new Error(`dist/${out}.js was not written`);
}
