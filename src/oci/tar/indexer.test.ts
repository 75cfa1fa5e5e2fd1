import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTar } from '../../debian/deb/reader-fixture.ts';
import { type TarFail, TarIndexer } from './indexer.ts';

function index(tar: Buffer, chunk = 777) {
  const ix = new TarIndexer('t');
  for (let i = 0; i < tar.length; i += chunk) ix.write(tar.subarray(i, i + chunk));
  return ix.end();
}

const long = `./usr/share/${'d'.repeat(90)}/${'f'.repeat(80)}.txt`;

test('indexes ustar/pax entries with content offsets, whatever the chunking', async () => {
  const tar = await makeTar([
    { name: './', type: 'directory' },
    { name: './a', content: 'hello', mode: 0o4755, uid: 3, gid: 4, mtime: 1234 },
    { name: long, content: Buffer.alloc(1000, 1) },
    { name: './l', type: 'symlink', linkname: `/x/${'t'.repeat(150)}` },
    { name: './h', type: 'link', linkname: './a' },
    { name: './empty', content: '' },
  ]);
  for (const chunk of [1, 511, 512, 777, 1 << 20]) {
    const es = index(tar, chunk);
    assert.deepEqual(
      es.map((e) => [e.name, e.type]),
      [
        ['./', 'dir'],
        ['./a', 'file'],
        [long, 'file'],
        ['./l', 'symlink'],
        ['./h', 'hardlink'],
        ['./empty', 'file'],
      ],
    );
    const a = es[1]!;
    assert.deepEqual([a.mode, a.uid, a.gid, a.mtime, a.size], [0o4755, 3, 4, 1234, 5]);
    assert.equal(tar.toString('utf8', a.offset, a.offset + a.size), 'hello');
    const big = es[2]!;
    assert.ok(tar.subarray(big.offset, big.offset + 1000).every((b) => b === 1));
    assert.equal(es[3]!.linkname, `/x/${'t'.repeat(150)}`);
    assert.equal(es[4]!.linkname, './a');
  }
});

test('reads GNU tar (long names, long link targets) as GNU tar writes them', async (t) => {
  if (spawnSync('tar', ['--version']).status !== 0) return t.skip('tar missing (package tar)');
  const d = await mkdtemp(join(tmpdir(), 'distill-gnutar-'));
  try {
    const deep = join(d, 'root', 'x'.repeat(60), 'y'.repeat(60));
    await mkdir(deep, { recursive: true });
    await writeFile(join(deep, 'z'.repeat(70)), 'content!');
    await symlink('q'.repeat(120), join(d, 'root', 'ln'));
    await link(join(deep, 'z'.repeat(70)), join(d, 'root', 'hard'));
    const r = spawnSync('tar', ['--format=gnu', '--sort=name', '-C', join(d, 'root'), '-cf', '-', '.'], {
      maxBuffer: 1 << 26,
    });
    assert.equal(r.status, 0);
    const es = index(r.stdout);
    const byName = new Map(es.map((e) => [e.name, e]));
    const f = byName.get(`./${'x'.repeat(60)}/${'y'.repeat(60)}/${'z'.repeat(70)}`);
    const h = byName.get('./hard');
    assert.ok(f && h, es.map((e) => e.name).join(' '));
    // GNU tar stores whichever name it meets first as the file, the other as the hardlink
    const [file, hard] = f.type === 'file' ? [f, h] : [h, f];
    assert.equal(r.stdout.toString('utf8', file.offset, file.offset + file.size), 'content!');
    assert.equal(hard.type, 'hardlink');
    assert.equal(byName.get('./ln')?.linkname, 'q'.repeat(120));
  } finally {
    await rm(d, { recursive: true, force: true });
  }
});

test('a truncated tar or a damaged header is an error with a code', async () => {
  const tar = await makeTar([{ name: './a', content: Buffer.alloc(2000, 7) }]);
  assert.throws(() => index(tar.subarray(0, 1024)), { code: 'OCI_ARCHIVE_TRUNCATED' });
  assert.throws(() => index(tar.subarray(0, 300)), { code: 'OCI_ARCHIVE_TRUNCATED' });
  const bad = Buffer.from(tar);
  bad[10] = 0x41;
  assert.throws(() => index(bad), { code: 'OCI_ARCHIVE_INVALID' });
});

test('unsupported entry types are refused', async () => {
  const tar = await makeTar([{ name: './a', content: 'x' }]);
  const bad = Buffer.from(tar);
  bad[156] = 'S'.charCodeAt(0); // GNU sparse
  let sum = 0;
  bad.fill(0x20, 148, 156);
  for (const b of bad.subarray(0, 512)) sum += b;
  bad.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  assert.throws(() => index(bad), { code: 'OCI_ARCHIVE_INVALID' });
});

test('each caller names the problems in its own codes (a package: DEB_*), and an index may list unknown types', async () => {
  const tar = await makeTar([{ name: './a', content: 'x' }]);
  const bad = Buffer.from(tar);
  bad[156] = 'S'.charCodeAt(0);
  bad.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of bad.subarray(0, 512)) sum += b;
  bad.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const seen: string[] = [];
  const fail: TarFail = (p, m) => {
    seen.push(p);
    return Object.assign(new Error(m), { code: `X_${p}` });
  };
  const strict = new TarIndexer('pkg', fail);
  assert.throws(() => strict.write(bad), { code: 'X_unsupported' });
  const short = new TarIndexer('pkg', fail);
  short.write(tar.subarray(0, 1024));
  assert.throws(() => short.end(), { code: 'X_truncated' });
  const lenient = new TarIndexer('archive', fail, 'other');
  lenient.write(bad);
  assert.deepEqual(
    lenient.end().map((e) => [e.name, e.type]),
    [['./a', 'other']],
  );
  assert.deepEqual(seen, ['unsupported', 'truncated']);
});
