import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { sha256 } from '../oci/digest.ts';
import { cacheRoot, openCache, toDigest } from './cache.ts';

const dirs: string[] = [];
async function fresh() {
  const d = await mkdtemp(join(tmpdir(), 'distill-cache-'));
  dirs.push(d);
  return openCache(d);
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const blobFiles = async (root: string) => readdir(join(root, 'blobs', 'sha256'));

test('cacheRoot: DISTILL_CACHE, then XDG_CACHE_HOME/distill, then ~/.cache/distill', () => {
  assert.equal(cacheRoot({ DISTILL_CACHE: '/c', XDG_CACHE_HOME: '/x' }, '/h'), '/c');
  assert.equal(cacheRoot({ XDG_CACHE_HOME: '/x' }, '/h'), '/x/distill');
  assert.equal(cacheRoot({}, '/h'), '/h/.cache/distill');
});

test('toDigest accepts bare hex and rejects junk', () => {
  const hex = 'a'.repeat(64);
  assert.equal(toDigest(hex), `sha256:${hex}`);
  assert.throws(() => toDigest('xyz'), { code: 'CACHE_DIGEST_INVALID' });
});

test('putBytes stores by sha256; get verifies; has', async () => {
  const c = await fresh();
  const s = await c.putBytes('hello');
  assert.equal(s.digest, sha256('hello'));
  assert.equal(s.size, 5);
  assert.equal(await c.get(s.digest), c.path(s.digest));
  assert.equal(await c.has(sha256('other')), false);
});

test('a mismatching put leaves nothing behind', async () => {
  const c = await fresh();
  await assert.rejects(c.putBytes('hello', { sha256: sha256('nope') }), { code: 'CACHE_DIGEST_MISMATCH' });
  await assert.rejects(c.putBytes('hello', { size: 4 }), { code: 'CACHE_SIZE_MISMATCH' });
  await assert.rejects(c.putBytes('hello', { size: 6 }), { code: 'CACHE_SIZE_MISMATCH' });
  assert.deepEqual(await blobFiles(c.root), []);
});

test('a stream that fails mid-way leaves nothing behind', async () => {
  const c = await fresh();
  const src = new Readable({ read() {} });
  src.push(Buffer.alloc(1000));
  setImmediate(() => src.destroy(new Error('connection reset')));
  await assert.rejects(c.putStream(src), /connection reset/);
  assert.deepEqual(await blobFiles(c.root), []);
});

test('a corrupted blob is never returned and is removed', async () => {
  const c = await fresh();
  const s = await c.putBytes('payload');
  const c2 = await openCache(c.root); // a new process: nothing memoised
  await writeFile(s.path, 'tampered');
  assert.equal(await c2.get(s.digest), undefined);
  assert.deepEqual(await blobFiles(c.root), []);
  // the instance that wrote it notices the changed stat too
  await c.putBytes('payload');
  await writeFile(s.path, 'payloaX');
  assert.equal(await c.get(s.digest), undefined);
});

test('a later process trusts a blob whose stat matches the stamp of its last hash, and only then', async () => {
  const c = await fresh();
  const s = await c.putBytes('payload');
  const stampFile = join(c.root, 'stamps', s.digest.slice(7));
  const st = await stat(s.path);
  assert.equal(await readFile(stampFile, 'utf8'), `${st.size} ${st.mtimeMs} ${st.ctimeMs} ${st.ino}`);
  // Proof that the stamp, not a hash, decides: forge one for tampered bytes and they are believed.
  await writeFile(s.path, 'tampere');
  const t = await stat(s.path);
  await writeFile(stampFile, `${t.size} ${t.mtimeMs} ${t.ctimeMs} ${t.ino}`);
  assert.equal(await (await openCache(c.root)).get(s.digest), s.path);
  // A stale stamp (the file changed after it) means a re-hash, which catches the tampering.
  await writeFile(s.path, 'tampered!'); // another size: a same-size rewrite within one clock tick can keep mtime and ctime
  assert.equal(await (await openCache(c.root)).get(s.digest), undefined);
  assert.deepEqual(await blobFiles(c.root), []);
});

test('keyed store: JSON values by key, re-checked', async () => {
  const c = await fresh();
  assert.equal(await c.getJson('k'), undefined);
  const d = await c.putJson('deb-index:v1:abc', { entries: [1, 2] });
  assert.deepEqual(await c.getJson('deb-index:v1:abc'), { entries: [1, 2] });
  assert.equal(await c.getKey('deb-index:v1:abc'), d);
  await writeFile(c.path(d), '{"entries":[9]}');
  const c2 = await openCache(c.root);
  assert.equal(await c2.getJson('deb-index:v1:abc'), undefined);
});

test('concurrent writers of the same content (several processes) all succeed', async () => {
  const c = await fresh();
  const data = Buffer.alloc(2 << 20, 7);
  const src = join(c.root, 'src.bin');
  await writeFile(src, data);
  const script = `import('${new URL('./cache.js', import.meta.url).href}').then(async ({ openCache }) => {
    const c = await openCache(${JSON.stringify(c.root)});
    const s = await c.putFile(${JSON.stringify(src)});
    process.stdout.write(s.digest);
  })`;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      const p = spawn(process.execPath, ['-e', script]);
      let out = '';
      p.stdout.on('data', (b) => {
        out += b;
      });
      p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    });
  const outs = await Promise.all([run(), run(), run(), c.putFile(src).then((s) => s.digest)]);
  for (const o of outs) assert.equal(o, sha256(data));
  assert.deepEqual(await blobFiles(c.root), [sha256(data).slice(7)]);
});

test('cleanTemp removes stale temp files only', async () => {
  const c = await fresh();
  const dir = join(c.root, 'blobs', 'sha256');
  await writeFile(join(dir, '.tmp-1-old'), 'x');
  await writeFile(join(dir, '.tmp-1-new'), 'x');
  await utimes(join(dir, '.tmp-1-old'), new Date(0), new Date(0));
  assert.equal(await c.cleanTemp(3600_000), 1);
  assert.deepEqual(await blobFiles(c.root), ['.tmp-1-new']);
});

test('a cache path that is a file is CACHE_UNUSABLE, and the file is left as it was', async () => {
  const d = await mkdtemp(join(tmpdir(), 'distill-cache-file-'));
  dirs.push(d);
  const f = join(d, 'cache');
  await writeFile(f, 'not a directory');
  await assert.rejects(
    openCache(f),
    (e: unknown) =>
      (e as { code?: string }).code === 'CACHE_UNUSABLE' && /DISTILL_CACHE/.test((e as Error).message),
  );
  await assert.rejects(openCache(join(f, 'sub')), { code: 'CACHE_UNUSABLE' });
  assert.equal(await readFile(f, 'utf8'), 'not a directory');
});
