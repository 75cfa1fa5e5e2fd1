// Bundles the compiled CLI (dist/src/cli/main.js) into one CommonJS file, dist/bundle/cli/main.cjs,
// which bin/load-cli.js compiles with a V8 code cache: one file instead of ~150 modules and their
// package lookups, and no compile on later runs (together ~110 ms off every start of `distill`).
// The code finds package.json, data/ and schema/ by walking up to the nearest package.json
// (src/package-root.ts), so it resolves to the package root from either place.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const outdir = 'dist/bundle/cli';
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['dist/src/cli/main.js'],
  outdir,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
  // Loaded only by some commands and large: they stay in node_modules, required when first used.
  external: ['openpgp', 'yaml', 'ajv', 'ajv/*'],
  // import() of those becomes require(), which the code cache's vm.Script can run as it is.
  supported: { 'dynamic-import': false },
  // The code finds package.json, data/ and schema/ relative to its own URL.
  define: { 'import.meta.url': '__distillModuleUrl' },
  banner: { js: "var __distillModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
