import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { openCache } from '../platform/cache.ts';
import { extractNodeFiles, packagePath } from './node-tarball.ts';
import { fakeElf, sri } from './testing/fake-npm-registry.ts';

describe('node tarball extraction', () => {
  const dirs: string[] = [];
  const tempCache = async () => {
    const root = await mkdtemp(join(tmpdir(), 'distill-node-tgz-'));
    dirs.push(root);
    return { root, cache: await openCache(root) };
  };
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('package paths drop the top directory; anything with `..` or absolute is never taken', () => {
    assert.equal(packagePath('package/bin/node'), 'bin/node');
    assert.equal(packagePath('./node-v22-linux-x64/LICENSE'), 'LICENSE');
    assert.equal(packagePath('package/./bin//node'), 'bin/node');
    assert.equal(packagePath('package/../bin/node'), undefined);
    assert.equal(packagePath('package/x/../LICENSE'), undefined);
    assert.equal(packagePath('package'), undefined);
  });

  async function tgzOf(entries: [string, Buffer | string, ('file' | 'symlink')?][]): Promise<Buffer> {
    const p = pack();
    for (const [name, body, type] of entries)
      if (type === 'symlink') p.entry({ name, type: 'symlink', linkname: String(body) });
      else p.entry({ name, mode: 0o755 }, body);
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    return gzipSync(Buffer.concat(chunks));
  }

  it('when a path repeats in the tarball the last one wins, as when npm unpacks it', async () => {
    const { root, cache } = await tempCache();
    const tgz = await tgzOf([
      ['package/bin/node', fakeElf(62, { extra: 1 })],
      ['package/LICENSE', 'L'],
      ['package/bin/node', fakeElf(62, { extra: 2 })],
    ]);
    const file = join(root, 'dup.tgz');
    await writeFile(file, tgz);
    const files = await extractNodeFiles(file, sri(tgz), cache);
    assert.equal(files.node.size, fakeElf(62, { extra: 2 }).length);
  });

  it('a bin/node that is a symlink, or a `..` path posing as it, is NPM_TARBALL_INVALID', async () => {
    const { root, cache } = await tempCache();
    const cases = [
      await tgzOf([
        ['package/bin/node', '/usr/bin/node', 'symlink'],
        ['package/LICENSE', 'L'],
      ]),
      await tgzOf([
        ['package/x/../bin/node', fakeElf(62)],
        ['package/LICENSE', 'L'],
      ]),
      Buffer.from('not gzip at all'),
    ];
    for (const [i, tgz] of cases.entries()) {
      const file = join(root, `bad-${i}.tgz`);
      await writeFile(file, tgz);
      await assert.rejects(
        extractNodeFiles(file, sri(tgz), cache),
        (err: unknown) => (err as { code?: string }).code === 'NPM_TARBALL_INVALID',
        `case ${i}`,
      );
    }
  });
});
