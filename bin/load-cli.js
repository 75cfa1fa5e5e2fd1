// Loads the CLI with a V8 code cache, so a run does not compile ~750 KB of JavaScript again.
//
// The bundle (dist/bundle/cli/main.cjs, made by scripts/bundle-cli.mjs) is one CommonJS file; it is
// compiled through vm.Script with the code V8 produced for it on an earlier run, which takes ~50 ms
// off every `distill` start on a 2-core machine (Node 22's module.enableCompileCache does the same;
// Node 20 has no such switch). The code is written after the command ran, so it covers the functions
// that run, not only the top level.
//
// Where: <distill cache>/code/<node version>-<arch>-<sha1 of the bundle>-<command>.v8 — the user's
// own cache, never a shared temp directory (whoever can write the code cache runs code as the user).
// The name carries the source's hash because V8 checks only the source's length (and its own
// version and flags): an edited bundle of the same length would otherwise run the old code. A
// rejected, unreadable or corrupt file (each starts with its content's SHA-256, checked on read)
// only costs the compile and is written anew; writing one removes the files of other bundles not
// written for 30 days. DISTILL_CODE_CACHE=0 turns it off. Without the bundle (only tsc has run)
// the plain ES modules are loaded.
//
// This file and bin/distill.js are CommonJS (bin/package.json says so; the bin path stays the one
// npm links and npx caches) so that node does not start its ES module loader (about ten internal
// modules) for every run: ~10 ms of a 0.25 s warm build.
const { createHash } = require('node:crypto');
const {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} = require('node:fs');
const Module = require('node:module');
const { createRequire } = Module;
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const bundle = join(__dirname, '..', 'dist', 'bundle', 'cli', 'main.cjs');

/** The cache root, by the rule of src/platform/cache.ts (cacheRoot). */
function cacheRoot(env = process.env) {
  if (env.DISTILL_CACHE) return env.DISTILL_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'distill');
  return join(homedir(), '.cache', 'distill');
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest();

/**
 * The code kept in `path` when its SHA-256 (the file's first 32 bytes) checks out, as everything in
 * the cache is checked before use; a damaged file reads as none. V8 itself would only notice a
 * damaged header, not damaged code.
 */
function readCodeCache(path) {
  let file;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  const code = file.subarray(32);
  return file.length > 32 && sha256(code).equals(file.subarray(0, 32)) ? code : undefined;
}

const MONTH_MS = 30 * 24 * 3600 * 1000;

/**
 * Writes the code, after its SHA-256, beside and renames (a concurrent reader sees the old file or
 * the whole new one), then removes the code of other bundles (older distill versions) not written
 * for a month.
 */
function writeCodeCache(path, code) {
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, Buffer.concat([sha256(code), code]), { mode: 0o600 });
    renameSync(tmp, path);
    for (const name of readdirSync(dir)) {
      const other = join(dir, name);
      if (other !== path && Date.now() - statSync(other).mtimeMs > MONTH_MS) unlinkSync(other);
    }
  } catch {
    // A read-only or full cache only means the next run compiles again.
  }
}

/**
 * The CLI module ({ main }) and, when a code cache should be written, a function that writes it
 * (call it after the command ran).
 */
async function loadCli() {
  let source;
  try {
    source = readFileSync(bundle, 'utf8');
  } catch {
    return { cli: await import('../dist/src/cli/main.js'), saveCodeCache: () => {} };
  }
  const useCache = process.env.DISTILL_CODE_CACHE !== '0';
  const hash = createHash('sha1').update(source).digest('hex').slice(0, 20);
  // One file per command: the code V8 keeps is what the first run compiled, and `--version`
  // compiles far less than `base` (whose later runs would then compile the rest every time).
  const word = (process.argv[2] ?? '').replace(/^-+/, '');
  const command = /^[a-z][a-z0-9-]{0,30}$/.test(word) ? word : 'other';
  const name = `${process.version}-${process.arch}-${hash}-${command}.v8`;
  const cacheFile = join(cacheRoot(), 'code', name);
  const cachedData = useCache ? readCodeCache(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    // Dynamic import() is compiled to require() in the bundle; this keeps one working if it appears.
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  return {
    cli: module.exports,
    saveCodeCache: () => {
      if (useCache && stale) writeCodeCache(cacheFile, script.createCachedData());
    },
  };
}

module.exports = { loadCli };
