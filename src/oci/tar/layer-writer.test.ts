import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { LayerEntry } from './entry.ts';
import { writeLayer } from './layer-writer.ts';

const file = (path: string, content: string | Buffer, extra: Partial<LayerEntry> = {}): LayerEntry => {
  const b = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: b.length, content: () => b, ...extra };
};

interface ReadEntry {
  name: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string | null;
  uname: string;
  body: Buffer;
}

async function readWithTarStream(path: string): Promise<ReadEntry[]> {
  const out: ReadEntry[] = [];
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    const bufs: Buffer[] = [];
    stream.on('data', (b: unknown) => {
      bufs.push(b as Buffer);
    });
    stream.on('end', () => {
      out.push({
        name: h.name,
        type: h.type ?? '',
        size: h.size ?? 0,
        mode: h.mode ?? 0,
        uid: h.uid ?? -1,
        gid: h.gid ?? -1,
        mtime: (h.mtime?.getTime() ?? -1) / 1000,
        linkname: h.linkname ?? null,
        uname: h.uname ?? '',
        body: Buffer.concat(bufs),
      });
      next();
    });
  });
  await pipeline(createReadStream(path), createGunzip(), ex);
  return out;
}

describe('writeLayer', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'distill-layer-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const longName = `${'d'.repeat(120)}/${'f'.repeat(120)}.txt`;
  const veryLong = `${'x'.repeat(240)}.bin`;
  const unicode = 'usr/share/zoneinfo/Amérique/São_Paulo-日本';
  const entries = (): LayerEntry[] => [
    file('./usr/bin/hello', '#!hello\n', { mode: 0o755 }),
    file(longName, 'long'),
    file(veryLong, 'very long'),
    file(unicode, 'unicode'),
    { path: 'usr/bin/hello-again', type: 'hardlink', linkname: 'usr/bin/hello', mode: 0o755, uid: 0, gid: 0 },
    { path: 'a/link-to-hello', type: 'hardlink', linkname: 'usr/bin/hello', mode: 0o755, uid: 0, gid: 0 },
    { path: 'empty', type: 'dir', mode: 0o700, uid: 65532, gid: 65532 },
    { path: 'tmp', type: 'dir', mode: 0o1777, uid: 0, gid: 0 },
    { path: 'etc/escape', type: 'symlink', linkname: '../../etc', mode: 0o777, uid: 0, gid: 0 },
    {
      path: 'etc/long-target',
      type: 'symlink',
      linkname: `/${'t'.repeat(150)}`,
      mode: 0o777,
      uid: 0,
      gid: 0,
    },
    file('big/zeros', Buffer.alloc(3 * 1024 * 1024 + 17)),
  ];

  it('writes sorted entries with parents, exact attributes, hardlinks after their target', async () => {
    const layer = await writeLayer(entries(), { dir, mtime: 1700000000 });
    const got = await readWithTarStream(layer.path);
    const names = got.map((e) => e.name);
    const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(names, sorted);
    for (const p of ['usr/', 'usr/bin/', 'usr/share/zoneinfo/', 'etc/', 'big/', `${'d'.repeat(120)}/`]) {
      assert.ok(names.includes(p), `parent ${p} added`);
    }
    const byName = new Map(got.map((e) => [e.name, e]));
    // The hardlink group's first path in archive order carries the content.
    assert.equal(byName.get('a/link-to-hello')?.type, 'file');
    assert.equal(byName.get('a/link-to-hello')?.body.toString(), '#!hello\n');
    assert.equal(byName.get('usr/bin/hello')?.type, 'link');
    assert.equal(byName.get('usr/bin/hello')?.linkname, 'a/link-to-hello');
    assert.equal(byName.get('usr/bin/hello-again')?.linkname, 'a/link-to-hello');
    assert.equal(byName.get(longName)?.body.toString(), 'long');
    assert.equal(byName.get(veryLong)?.body.toString(), 'very long');
    assert.equal(byName.get(unicode)?.body.toString(), 'unicode');
    assert.equal(byName.get('etc/escape')?.linkname, '../../etc');
    assert.equal(byName.get('etc/long-target')?.linkname, `/${'t'.repeat(150)}`);
    assert.equal(byName.get('empty/')?.mode, 0o700);
    assert.equal(byName.get('empty/')?.uid, 65532);
    assert.equal(byName.get('tmp/')?.mode, 0o1777);
    assert.equal(byName.get('big/zeros')?.size, 3 * 1024 * 1024 + 17);
    for (const e of got) {
      assert.equal(e.mtime, 1700000000, `${e.name} mtime`);
      assert.equal(e.uname, '', `${e.name} has no user name`);
    }
    assert.equal(layer.entries, got.length);
  });

  it('is read by GNU tar the same way', async () => {
    const layer = await writeLayer(entries(), { dir, mtime: 0 });
    const listing = execFileSync('tar', ['-tvzf', layer.path, '--numeric-owner'], { encoding: 'utf8' });
    assert.match(listing, /^drwx------ 65532\/65532 .* empty\/$/m);
    assert.match(listing, /^drwxrwxrwt 0\/0 .* tmp\/$/m);
    assert.ok(listing.includes(longName));
    assert.ok(listing.includes(veryLong));
    assert.ok(listing.includes(unicode));
    assert.match(listing, /usr\/bin\/hello link to a\/link-to-hello/);
    assert.match(listing, /etc\/escape -> \.\.\/\.\.\/etc/);
    assert.match(listing, /1970-01-01 00:00 /);
    // GNU tar extracts it completely, hardlinks included.
    const out = await mkdtemp(join(tmpdir(), 'distill-x-'));
    execFileSync('tar', ['-xzf', layer.path, '-C', out]);
    assert.ok((await readdir(join(out, 'usr/bin'))).includes('hello-again'));
    await rm(out, { recursive: true, force: true });
  });

  it('gives the same digest for the same entries in any order, another for another mtime', async () => {
    const a = await writeLayer(entries(), { dir, mtime: 5 });
    const b = await writeLayer(entries().reverse(), { dir, mtime: 5 });
    const c = await writeLayer(entries(), { dir, mtime: 6 });
    assert.equal(a.descriptor.digest, b.descriptor.digest);
    assert.equal(a.diffId, b.diffId);
    assert.notEqual(a.descriptor.digest, c.descriptor.digest);
    assert.equal(a.descriptor.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  });

  it('computes digest and diffID of what is on disk', async () => {
    const layer = await writeLayer(entries(), { dir });
    const sha = (args: string[]) =>
      execFileSync('sh', ['-c', args.join(' ')], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(layer.descriptor.digest, `sha256:${sha(['sha256sum', layer.path])}`);
    assert.equal(layer.diffId, `sha256:${sha(['gzip -dc', layer.path, '| sha256sum'])}`);
    assert.equal(
      layer.uncompressedSize,
      Number(execFileSync('sh', ['-c', `gzip -dc ${layer.path} | wc -c`], { encoding: 'utf8' })),
    );
  });

  it('writes zstd layers when asked', async (t) => {
    try {
      execFileSync('zstd', ['--version']);
    } catch {
      if (process.env.CI === 'true') throw new Error('zstd missing (Debian package zstd)');
      t.skip('zstd missing (Debian package zstd)');
      return;
    }
    const layer = await writeLayer(entries(), { dir, compression: 'zstd' });
    assert.equal(layer.descriptor.mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
    const listing = execFileSync('sh', ['-c', `zstd -dc ${layer.path} | tar -tf -`], { encoding: 'utf8' });
    assert.ok(listing.includes('usr/bin/hello'));
  });

  it('rejects paths that escape the root, and leaves nothing behind', async () => {
    for (const bad of ['../etc/passwd', 'a/../../b', 'usr/./bin', '']) {
      const before = await readdir(dir);
      await assert.rejects(writeLayer([file(bad, 'x')], { dir }), { code: 'LAYER_PATH_INVALID' });
      assert.deepEqual(await readdir(dir), before);
    }
  });

  it('rejects a file under a non-directory, and content of the wrong size', async () => {
    await assert.rejects(writeLayer([file('a', 'x'), file('a/b', 'y')], { dir }), {
      code: 'LAYER_PATH_INVALID',
    });
    const before = await readdir(dir);
    const liar: LayerEntry = {
      path: 'x',
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 10,
      content: () => Readable.from([Buffer.from('short')]),
    };
    await assert.rejects(writeLayer([liar], { dir }), { code: 'LAYER_SOURCE_INVALID' });
    assert.deepEqual(await readdir(dir), before, 'no temporary file left');
  });

  it('rejects a hardlink to a path not in the layer', async () => {
    await assert.rejects(
      writeLayer([{ path: 'l', type: 'hardlink', linkname: 'nowhere', mode: 0o644, uid: 0, gid: 0 }], {
        dir,
      }),
      { code: 'LAYER_SOURCE_INVALID' },
    );
  });
});

it('entries are ordered by the bytes of their UTF-8 paths, also with characters above U+D800', async () => {
  const { normalizeEntries } = await import('./normalize.ts');
  const paths = ['b', 'a\uFFFD', 'a\u{1F600}', 'a~', 'aé'];
  const byBytes = [...paths].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  const out = normalizeEntries(
    paths.map((p) => ({ path: p, type: 'dir' as const, mode: 0o755, uid: 0, gid: 0 })),
    { mtime: 0 },
  ).map((e) => e.path);
  assert.deepEqual(out, byBytes);
  assert.deepEqual(
    normalizeEntries(
      ['b', 'a/c', 'a'].map((p) => ({ path: p, type: 'dir' as const, mode: 0o755, uid: 0, gid: 0 })),
      { mtime: 0 },
    ).map((e) => e.path),
    ['a', 'a/c', 'b'],
  );
});
