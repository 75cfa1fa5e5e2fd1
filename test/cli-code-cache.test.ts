// bin/load-cli.js: the CLI bundle runs with a V8 code cache kept in the distill cache; a missing,
// corrupt or foreign cache file costs only a compile and is written anew.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { distill } from './helpers/cli.ts';
import { REPO_ROOT, tempDir } from './helpers/tools.ts';

const bundle = join(REPO_ROOT, 'dist', 'bundle', 'cli', 'main.cjs');

async function codeFiles(cache: string): Promise<string[]> {
  return existsSync(join(cache, 'code')) ? (await readdir(join(cache, 'code'))).sort() : [];
}

function versionOk(cache: string, env: Record<string, string> = {}): void {
  const r = distill(['--version'], { DISTILL_CACHE: cache, ...env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
}

test('the first run writes the code cache (0600, named for node, the bundle and the command); later runs keep it', async (t) => {
  assert.ok(existsSync(bundle), 'npm test builds the bundle first');
  const cache = await tempDir(t);
  versionOk(cache);
  const files = await codeFiles(cache);
  assert.equal(files.length, 1);
  assert.match(files[0] ?? '', new RegExp(`^${process.version}-${process.arch}-[0-9a-f]{20}-version\\.v8$`));
  const file = join(cache, 'code', files[0] ?? '');
  const first = await stat(file);
  assert.equal(first.mode & 0o777, 0o600);
  assert.ok(first.size > 10_000, `a real code cache, not ${first.size} bytes`);
  versionOk(cache);
  const second = await stat(file);
  assert.equal(second.mtimeMs, first.mtimeMs, 'an accepted cache is not rewritten');
});

test('a corrupt code cache is ignored and replaced; the command still works', async (t) => {
  const cache = await tempDir(t);
  versionOk(cache);
  const [name] = await codeFiles(cache);
  const file = join(cache, 'code', name ?? '');
  await writeFile(file, Buffer.alloc(4096, 0x5a));
  versionOk(cache);
  const bytes = await readFile(file);
  assert.ok(bytes.length > 10_000 && bytes.some((b) => b !== 0x5a), 'rewritten from the compile');
  const r = distill(['base', '--list'], { DISTILL_CACHE: cache });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /nodejs22/);
  assert.equal((await codeFiles(cache)).filter((f) => f.endsWith('-base.v8')).length, 1, 'one per command');
});

test("code damaged past V8's header (one byte flipped mid-file) fails its SHA-256 and is replaced", async (t) => {
  const cache = await tempDir(t);
  versionOk(cache);
  const [name] = await codeFiles(cache);
  const file = join(cache, 'code', name ?? '');
  const bytes = await readFile(file);
  const checks = (b: Buffer) =>
    createHash('sha256').update(b.subarray(32)).digest().equals(b.subarray(0, 32));
  assert.ok(checks(bytes), 'the file starts with the SHA-256 of the code');
  const mid = bytes.length >> 1;
  bytes[mid] = (bytes[mid] ?? 0) ^ 0xff;
  await writeFile(file, bytes);
  versionOk(cache);
  const after = await readFile(file);
  assert.ok(checks(after), 'rewritten whole');
});

test("writing the cache removes other bundles' files untouched for a month, not recent ones", async (t) => {
  const cache = await tempDir(t);
  await mkdir(join(cache, 'code'), { recursive: true });
  const old = join(cache, 'code', 'v0.0.0-x64-00000000000000000000.v8');
  const recent = join(cache, 'code', 'v0.0.1-x64-00000000000000000000.v8');
  await writeFile(old, 'old');
  await writeFile(recent, 'recent');
  const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
  await utimes(old, longAgo, longAgo);
  versionOk(cache);
  const files = await codeFiles(cache);
  assert.ok(!files.includes('v0.0.0-x64-00000000000000000000.v8'), 'the stale file is gone');
  assert.ok(files.includes('v0.0.1-x64-00000000000000000000.v8'), 'the recent one stays');
  assert.equal(files.length, 2);
});

test('DISTILL_CODE_CACHE=0 writes nothing', async (t) => {
  const cache = await tempDir(t);
  versionOk(cache, { DISTILL_CODE_CACHE: '0' });
  assert.deepEqual(await codeFiles(cache), []);
});
