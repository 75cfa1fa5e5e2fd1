// Bundles the compiled CLI (dist/src/cli/main.js) into dist/bundle/cli/: one file per lazily loaded
// command or library instead of ~150 modules, which takes ~60 ms off every start of `distill`.
// The directory is three levels deep like dist/src/<area>/, so the code's `../../../` paths to
// package.json, data/ and schema/ resolve to the package root from either place.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = 'dist/bundle/cli';
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['dist/src/cli/main.js'],
  outdir,
  bundle: true,
  splitting: true, // dynamic imports (each command, ...) stay separate chunks, loaded on use
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  // Dependencies stay in node_modules, loaded by node as in the plain build: bundling rewrites
  // CommonJS interop (a dynamic import of `yaml` lost its named exports), and they are few files.
  packages: 'external',
});
