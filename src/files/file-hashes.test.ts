import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openFileHashes } from './file-hashes.ts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
const temp = async () => {
  const d = await mkdtemp(join(tmpdir(), 'distill-fh-'));
  roots.push(d);
  return d;
};
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const later = () => Date.now() + 10_000;

describe('file hashes remembered by stat stamp', () => {
  it('an unchanged file is not read again; same size, mtime restored by utimes: read again, new hash', async () => {
    const cache = await temp();
    const dir = await temp();
    const f = join(dir, 'a.js');
    await writeFile(f, 'exports.x = 1');
    await utimes(f, 1e9, 1e9); // whole seconds, so that restoring them below is exact
    const first = await openFileHashes(cache, dir, later);
    assert.equal(await first.of(f, await lstat(f)), sha('exports.x = 1'));
    assert.equal(first.hashed, 1);
    await first.save();

    const warm = await openFileHashes(cache, dir, later);
    assert.equal(await warm.of(f, await lstat(f)), sha('exports.x = 1'));
    assert.equal(warm.hashed, 0, 'taken from the stamp');

    const before = await lstat(f);
    await writeFile(f, 'exports.x = 2');
    await utimes(f, 1e9, 1e9);
    const after2 = await lstat(f);
    assert.equal(after2.mtimeMs, before.mtimeMs);
    assert.equal(after2.size, before.size);
    const again = await openFileHashes(cache, dir, later);
    assert.equal(await again.of(f, after2), sha('exports.x = 2'), 'new content despite same size and mtime');
    assert.equal(again.hashed, 1);
  });

  it('a replaced file (new inode) is read again; a racily new file is hashed but not remembered', async () => {
    const cache = await temp();
    const dir = await temp();
    const f = join(dir, 'a');
    await writeFile(f, 'one');
    const h = await openFileHashes(cache, dir, later);
    await h.of(f, await lstat(f));
    await h.save();
    await writeFile(join(dir, 'b'), 'two');
    await rename(join(dir, 'b'), f);
    const h2 = await openFileHashes(cache, dir, later);
    assert.equal(await h2.of(f, await lstat(f)), sha('two'));
    assert.equal(h2.hashed, 1);

    const racy = await openFileHashes(cache, dir, Date.now);
    await writeFile(f, 'three');
    await racy.of(f, await lstat(f));
    await racy.save();
    const h3 = await openFileHashes(cache, dir, later);
    await h3.of(f, await lstat(f));
    assert.equal(h3.hashed, 1, 'a file changed within 2 s was not remembered');
  });

  it('a damaged memo only costs a re-read; the memo holds only what the last build saw', async () => {
    const cache = await temp();
    const dir = await temp();
    const f = join(dir, 'a');
    await writeFile(f, 'x');
    const h = await openFileHashes(cache, dir, later);
    await h.of(f, await lstat(f));
    await h.save();
    const [memo] = await readdir(join(cache, 'file-hashes'));
    await writeFile(join(cache, 'file-hashes', memo as string), '{not json');
    const h2 = await openFileHashes(cache, dir, later);
    assert.equal(await h2.of(f, await lstat(f)), sha('x'));
    assert.equal(h2.hashed, 1);
    const none = await openFileHashes(undefined, dir, later);
    await none.of(f, await lstat(f));
    await none.save();
    assert.equal(none.hashed, 1);
  });
});
