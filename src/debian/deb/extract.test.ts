import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { openCache } from '../../platform/cache.ts';
import { extractDeb, layerEntries } from './extract.ts';
import { type FixtureFile, makeDeb } from './reader-fixture.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function setup() {
  const d = await mkdtemp(join(tmpdir(), 'distill-extract-'));
  dirs.push(d);
  return { dir: d, cache: await openCache(join(d, 'cache')) };
}
/** Everything under the cache that is a finished blob or key, or a leftover temp file. */
async function cacheFiles(root: string) {
  return [
    ...(await readdir(join(root, 'blobs', 'sha256'))).map((f) => `blobs/${f}`),
    ...(await readdir(join(root, 'keys'))).map((f) => `keys/${f}`),
  ];
}
async function text(c: Readable | Buffer) {
  if (Buffer.isBuffer(c)) return c.toString();
  const parts: Buffer[] = [];
  for await (const b of c) parts.push(b as Buffer);
  return Buffer.concat(parts).toString();
}

const good: FixtureFile[] = [
  { name: './', type: 'directory' },
  { name: './usr/', type: 'directory' },
  { name: './usr/bin/', type: 'directory' },
  { name: './usr/bin/tool', content: 'TOOL', mode: 0o755, mtime: 1111 },
  { name: './usr/bin/tool2', type: 'link', linkname: './usr/bin/tool' },
  { name: './usr/bin/t', type: 'symlink', linkname: 'tool' },
  { name: './etc/', type: 'directory' },
  { name: './etc/conf', content: 'x=1\n', uid: 0, gid: 42 },
];

test('extracts into the cache; entries normalised; contents by ranged read; warm hit does not decompress', async () => {
  const { dir, cache } = await setup();
  const p = join(dir, 'tool.deb');
  await writeFile(p, await makeDeb({ package: 'tool', files: good, md5sums: 'm  usr/bin/tool\n' }));
  let spawns = 0;
  const counting = (cmd: string, args: readonly string[]): ChildProcess => {
    spawns++;
    return spawn(cmd, args);
  };
  const x = await extractDeb(p, { cache, spawn: counting });
  assert.equal(x.package, 'tool');
  assert.equal(x.md5sums, 'm  usr/bin/tool\n');
  assert.deepEqual(
    x.entries.map((e) => [e.path, e.type, e.linkname]),
    [
      ['usr', 'dir', undefined],
      ['usr/bin', 'dir', undefined],
      ['usr/bin/tool', 'file', undefined],
      ['usr/bin/tool2', 'hardlink', 'usr/bin/tool'],
      ['usr/bin/t', 'symlink', 'tool'],
      ['etc', 'dir', undefined],
      ['etc/conf', 'file', undefined],
    ],
  );
  const les = layerEntries(x);
  const tool = les.find((e) => e.path === 'usr/bin/tool');
  assert.equal(tool?.mode, 0o755);
  assert.equal(tool?.mtime, 1111);
  assert.equal(tool?.size, 4);
  assert.equal(await text(await tool!.content!()), 'TOOL');
  assert.equal(await text(await les.find((e) => e.path === 'etc/conf')!.content!()), 'x=1\n');
  assert.equal(les.find((e) => e.path === 'etc/conf')?.gid, 42);
  assert.equal(spawns, 2); // control + data

  const warm = await extractDeb(p, { cache: await openCache(cache.root), spawn: counting });
  assert.equal(spawns, 2);
  assert.deepEqual(warm.entries, x.entries);
  assert.equal(
    await text(await layerEntries(warm).find((e) => e.path === 'usr/bin/tool')!.content!()),
    'TOOL',
  );
});

test('a corrupted cached tar is noticed and the package re-extracted', async () => {
  const { dir, cache } = await setup();
  const p = join(dir, 'tool.deb');
  await writeFile(p, await makeDeb({ package: 'tool', files: good }));
  const x = await extractDeb(p, { cache });
  await writeFile(x.tarPath, 'garbage');
  const again = await extractDeb(p, { cache: await openCache(cache.root) });
  assert.equal(again.tarDigest, x.tarDigest);
  assert.equal(
    await text(await layerEntries(again).find((e) => e.path === 'usr/bin/tool')!.content!()),
    'TOOL',
  );
});

const bad: Array<[string, FixtureFile[], string, string?]> = [
  ['../ in a path', [{ name: './usr/../../etc/passwd', content: 'x' }], 'DEB_PATH_UNSAFE'],
  ['a leading ../', [{ name: '../evil', content: 'x' }], 'DEB_PATH_UNSAFE'],
  ['an absolute path', [{ name: '/etc/passwd', content: 'x' }], 'DEB_PATH_UNSAFE'],
  [
    'a symlink out of the root, then a file written through it',
    [
      { name: './etc/', type: 'directory' },
      { name: './etc/evil', type: 'symlink', linkname: '../../../../tmp' },
      { name: './etc/evil/pwned', content: 'x' },
    ],
    'DEB_SYMLINK_TRAVERSAL',
  ],
  [
    'a file replacing a symlink',
    [
      { name: './x', type: 'symlink', linkname: '/etc/shadow' },
      { name: './x', content: 'x' },
    ],
    'DEB_SYMLINK_TRAVERSAL',
  ],
  [
    'a hardlink out of the package',
    [{ name: './h', type: 'link', linkname: '../../etc/shadow' }],
    'DEB_HARDLINK_INVALID',
  ],
  [
    'a hardlink to a path it does not have',
    [{ name: './h', type: 'link', linkname: './etc/shadow' }],
    'DEB_HARDLINK_INVALID',
  ],
  [
    'the same file twice',
    [
      { name: './a', content: 'x' },
      { name: './a', content: 'y' },
    ],
    'DEB_PATH_CONFLICT',
  ],
];
for (const [name, files, code] of bad) {
  test(`bad data.tar: ${name} → ${code}, nothing in the cache`, async () => {
    const { dir, cache } = await setup();
    const p = join(dir, 'bad.deb');
    await writeFile(p, await makeDeb({ package: 'bad', files }));
    await assert.rejects(extractDeb(p, { cache }), { code });
    assert.deepEqual(await cacheFiles(cache.root), []);
  });
}

test('unknown compression and truncation leave nothing in the cache', async () => {
  const { dir, cache } = await setup();
  const p = join(dir, 'bz.deb');
  await writeFile(p, await makeDeb({ package: 'bz', files: good, dataCompression: 'bz2' }));
  await assert.rejects(extractDeb(p, { cache }), { code: 'DEB_COMPRESSION_UNKNOWN' });
  const full = await makeDeb({ package: 'cut', files: good, dataCompression: 'gzip' });
  await writeFile(p, full.subarray(0, full.length - 40));
  await assert.rejects(extractDeb(p, { cache }), { code: 'DEB_TRUNCATED' });
  assert.deepEqual(await cacheFiles(cache.root), []);
});

test('merged-/usr option rewrites paths of a debian13 package', async () => {
  const { dir, cache } = await setup();
  const p = join(dir, 'm.deb');
  await writeFile(
    p,
    await makeDeb({
      package: 'm',
      files: [
        { name: './bin/', type: 'directory' },
        { name: './bin/sh', content: 'sh', mode: 0o755 },
        { name: './lib64/', type: 'directory' },
        { name: './lib64/ld.so', type: 'symlink', linkname: '/lib/x86_64-linux-gnu/ld.so' },
      ],
    }),
  );
  const x = await extractDeb(p, { cache, mergedUsr: true });
  assert.deepEqual(
    x.entries.map((e) => e.path),
    ['usr/bin', 'usr/bin/sh', 'usr/lib64', 'usr/lib64/ld.so'],
  );
  const plain = await extractDeb(p, { cache });
  assert.deepEqual(
    plain.entries.map((e) => e.path),
    ['bin', 'bin/sh', 'lib64', 'lib64/ld.so'],
  );
});

test('several processes extracting the same package at once agree and leave one clean entry', async () => {
  const { dir, cache } = await setup();
  const p = join(dir, 'tool.deb');
  await writeFile(p, await makeDeb({ package: 'tool', files: good }));
  const mod = new URL('./extract.js', import.meta.url).href;
  const cacheMod = new URL('../../platform/cache.js', import.meta.url).href;
  const script = `const [{ extractDeb }, { openCache }] = await Promise.all([import(${JSON.stringify(mod)}), import(${JSON.stringify(cacheMod)})]);
    const x = await extractDeb(${JSON.stringify(p)}, { cache: await openCache(${JSON.stringify(cache.root)}) });
    process.stdout.write(JSON.stringify([x.tarDigest, x.entries.length]));`;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--input-type=module', '-e', script]);
      let out = '';
      c.stdout.on('data', (b) => {
        out += b;
      });
      c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    });
  const outs = await Promise.all([run(), run(), run()]);
  const x = await extractDeb(p, { cache });
  for (const o of outs) assert.equal(o, JSON.stringify([x.tarDigest, x.entries.length]));
  const files = await cacheFiles(cache.root);
  assert.ok(
    files.every((f) => !f.includes('.tmp-')),
    files.join(' '),
  );
  assert.equal(files.filter((f) => f.startsWith('keys/')).length, 1);
});
