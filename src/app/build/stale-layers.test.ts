/**
 * App layers follow content, never file times: a pipeline that resets mtimes (a CI checkout,
 * `touch -d`) must get the new bytes, and a file rewritten with the same bytes keeps its layer.
 */
import assert from 'node:assert/strict';
import { lstat, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Image } from '../../oci/index.ts';
import { buildApp } from './build.ts';
import { express, options } from './build-testing.ts';

const FIXED = 1e9; // whole seconds, as a CI checkout or `touch -d` sets them

/** Rewrites `f` with `content` (same size) and puts the fixed mtime back, as `touch -d` would. */
async function sameStamp(f: string, content: string): Promise<void> {
  const st = await lstat(f);
  assert.equal(Buffer.byteLength(content), st.size);
  await writeFile(f, content);
  await utimes(f, FIXED, FIXED);
  assert.equal((await lstat(f)).mtimeMs, st.mtimeMs, 'same mtime as before');
}

describe('stale app layers', () => {
  it('same size and mtime but new content: the app, deps and files: layers are rebuilt with the new bytes', async () => {
    const dir = await express();
    await writeFile(join(dir, 'conf.ini'), 'level=1');
    await writeFile(
      join(dir, 'distill.yaml'),
      'files:\n  - { source: conf.ini, destination: /etc/app.ini }\n',
    );
    for (const f of ['lib/util.js', 'node_modules/a/index.js', 'conf.ini'])
      await utimes(join(dir, f), FIXED, FIXED);
    const o = await options(dir);
    const first = (await buildApp(o)).artifact as Image;

    await sameStamp(join(dir, 'lib/util.js'), 'exports.x = 9');
    await sameStamp(join(dir, 'node_modules/a/index.js'), 'module.exports = 7');
    await sameStamp(join(dir, 'conf.ini'), 'level=2');
    const b = await buildApp(o);
    const second = b.artifact as Image;
    assert.ok((b.layers[0]?.length ?? 0) >= 3);
    assert.ok(
      b.layers[0]?.every((l) => !l.cached),
      JSON.stringify(b.layers[0]?.map((l) => [l.name, l.cached])),
    );
    const digests = (i: Image) => i.layers.map((l) => l.descriptor.digest);
    assert.notDeepEqual(digests(second).slice(1), digests(first).slice(1));

    // The same bytes again (new ctime, same content) give the first build's layers back.
    await sameStamp(join(dir, 'lib/util.js'), 'exports.x = 1');
    await sameStamp(join(dir, 'node_modules/a/index.js'), 'module.exports = 1');
    await sameStamp(join(dir, 'conf.ini'), 'level=1');
    const third = (await buildApp(o)).artifact as Image;
    assert.equal(third.descriptor.digest, first.descriptor.digest);
  });

  it('a file replaced by an identical copy (new inode and ctime) keeps the cached layer', async () => {
    const dir = await express();
    const o = await options(dir);
    const first = (await buildApp(o)).artifact as Image;
    await writeFile(join(dir, 'lib/util.js.new'), await readFile(join(dir, 'lib/util.js')));
    await rename(join(dir, 'lib/util.js.new'), join(dir, 'lib/util.js'));
    const b = await buildApp(o);
    assert.equal(b.artifact.descriptor.digest, first.descriptor.digest);
    assert.ok(b.layers[0]?.every((l) => l.cached));
  });
});
