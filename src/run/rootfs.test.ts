import assert from 'node:assert/strict';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { bytesLayer, createImage, type Image, type Layer, MediaTypes, sha256 } from '../oci/index.ts';
import { chainIds, ensureRootfs, rootfsStore } from './rootfs.ts';

type E =
  | { name: string; file: string; mode?: number; uid?: number }
  | { name: string; dir: true; mode?: number }
  | { name: string; symlink: string }
  | { name: string; hardlink: string };

/** A gzip layer made with tar-stream (an independent writer). */
async function layer(entries: E[], diffId?: string): Promise<Layer> {
  const p = pack();
  for (const e of entries) {
    const base = {
      name: e.name,
      uid: 'uid' in e ? (e.uid ?? 0) : 0,
      gid: 0,
      mtime: new Date(1_000_000_000_000),
    };
    if ('file' in e) p.entry({ ...base, mode: e.mode ?? 0o644 }, e.file);
    else if ('dir' in e) p.entry({ ...base, type: 'directory', mode: e.mode ?? 0o755 });
    else if ('symlink' in e) p.entry({ ...base, type: 'symlink', linkname: e.symlink });
    else p.entry({ ...base, type: 'link', linkname: e.hardlink });
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  const tar = Buffer.concat(chunks);
  const gz = gzipSync(tar);
  return bytesLayer(
    gz,
    { mediaType: MediaTypes.ociLayerGzip, digest: sha256(gz), size: gz.length },
    (diffId ?? sha256(tar)) as `sha256:${string}`,
    tar.length,
  );
}

function image(layers: Layer[]): Image {
  return createImage({ config: { architecture: 'amd64', os: 'linux', config: {} }, layers });
}

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function cacheDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'distill-rootfs-'));
  dirs.push(d);
  return d;
}
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { code?: string }) => e.code,
  );

describe('ensureRootfs (the unpacked chains in the cache)', () => {
  it('applies layers with whiteouts and opaque directories, keeps modes, links and times', async () => {
    const cacheRoot = await cacheDir();
    const l1 = await layer([
      { name: 'etc/', dir: true },
      { name: 'etc/keep', file: 'keep\n' },
      { name: 'etc/gone', file: 'gone\n' },
      { name: 'opq/', dir: true },
      { name: 'opq/old', file: 'old\n' },
      { name: 'bin/', dir: true, mode: 0o755 },
      { name: 'bin/tool', file: '#!x\n', mode: 0o4755 },
      { name: 'bin/alias', symlink: 'tool' },
      { name: 'bin/hard', hardlink: 'bin/tool' },
      { name: 'tree/sub/deep', file: 'deep\n' },
    ]);
    const l2 = await layer([
      { name: 'etc/.wh.gone', file: '' },
      { name: 'opq/new', file: 'new\n' },
      { name: 'opq/.wh..wh..opq', file: '' },
      { name: '.wh.tree', file: '' },
      { name: 'etc/keep', file: 'changed\n', mode: 0o600 },
    ]);
    const img = image([l1, l2]);
    const r = await ensureRootfs(img, { cacheRoot });
    assert.equal(r.unpackedLayers, 2);
    assert.equal(r.chainId, chainIds([l1.diffId, l2.diffId])[1]);
    assert.equal(r.path, join(rootfsStore(cacheRoot), r.chainId.slice(7)));
    assert.deepEqual((await readdir(join(r.path, 'etc'))).sort(), ['keep']);
    assert.equal(await readFile(join(r.path, 'etc/keep'), 'utf8'), 'changed\n');
    assert.equal((await stat(join(r.path, 'etc/keep'))).mode & 0o7777, 0o600);
    assert.deepEqual(await readdir(join(r.path, 'opq')), ['new']);
    assert.equal(await lstat(join(r.path, 'tree')).catch(() => 'absent'), 'absent');
    assert.equal((await stat(join(r.path, 'bin/tool'))).mode & 0o7777, 0o4755);
    assert.equal(await readlink(join(r.path, 'bin/alias')), 'tool');
    assert.equal((await stat(join(r.path, 'bin/hard'))).ino, (await stat(join(r.path, 'bin/tool'))).ino);
    assert.equal((await stat(join(r.path, 'bin/tool'))).mtimeMs, 1_000_000_000_000);

    // The parent chain is cached too, and untouched by the layer above it (no write through a shared inode).
    const parent = join(rootfsStore(cacheRoot), (chainIds([l1.diffId])[0] as string).slice(7));
    assert.equal(await readFile(join(parent, 'etc/keep'), 'utf8'), 'keep\n');
    assert.equal((await stat(join(parent, 'etc/keep'))).mode & 0o7777, 0o644);
    assert.equal(await readFile(join(parent, 'etc/gone'), 'utf8'), 'gone\n');
    assert.deepEqual(await readdir(join(parent, 'opq')), ['old']);

    // Reused: nothing unpacked again; another image on the same lower layer unpacks one layer.
    const again = await ensureRootfs(img, { cacheRoot });
    assert.equal(again.unpackedLayers, 0);
    assert.equal((await stat(again.path)).ino, (await stat(r.path)).ino);
    const other = await ensureRootfs(image([l1, await layer([{ name: 'app', file: 'v2' }])]), { cacheRoot });
    assert.equal(other.unpackedLayers, 1);
    assert.equal(await readFile(join(other.path, 'etc/keep'), 'utf8'), 'keep\n');
  });

  it('RUN_LAYER_UNSAFE for .. entries and for writes through a symlink out of the root; nothing outside is touched', async () => {
    const cacheRoot = await cacheDir();
    const outside = await cacheDir();
    assert.equal(
      await code(ensureRootfs(image([await layer([{ name: '../escape', file: 'x' }])]), { cacheRoot })),
      'RUN_LAYER_UNSAFE',
    );
    const evil = image([
      await layer([{ name: 'evil', symlink: outside }]),
      await layer([{ name: 'evil/pwned', file: 'x' }]),
    ]);
    assert.equal(await code(ensureRootfs(evil, { cacheRoot })), 'RUN_LAYER_UNSAFE');
    assert.deepEqual(await readdir(outside), []);
    const link = image([await layer([{ name: 'h', hardlink: '../../etc/passwd' }])]);
    assert.equal(await code(ensureRootfs(link, { cacheRoot })), 'RUN_LAYER_UNSAFE');
    // No temp directory and no chain of the failed layers is left.
    const left = (await readdir(rootfsStore(cacheRoot))).filter((n) => n.startsWith('.tmp-'));
    assert.deepEqual(left, []);
  });

  it('RUN_LAYER_DIGEST_MISMATCH when a layer is not the diffId its chain is named by; nothing is cached', async () => {
    const cacheRoot = await cacheDir();
    const lie = await layer([{ name: 'a', file: 'a' }], `sha256:${'0'.repeat(64)}`);
    assert.equal(await code(ensureRootfs(image([lie]), { cacheRoot })), 'RUN_LAYER_DIGEST_MISMATCH');
    assert.deepEqual(await readdir(rootfsStore(cacheRoot)), []);
  });
});
