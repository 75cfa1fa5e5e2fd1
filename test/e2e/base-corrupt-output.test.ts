/**
 * Issue 10 item 8 end to end: an output layout whose layer and config blobs were corrupted in
 * place (one byte flipped, same size, mtime put back) makes `skopeo copy` fail with "Digest did
 * not match"; `distill base static --output` into it again exits 0, rewrites both blobs to their
 * right bytes, keeps the layout's other tag, leaves no temporary file, and skopeo copies the result.
 * Needs the Debian archive (through the host's apt sources) and skopeo.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';
import { run, tempDir } from '../helpers/tools.ts';

interface Manifest {
  config: { digest: string };
  layers: Array<{ digest: string }>;
}

const blob = (layout: string, digest: string) => join(layout, 'blobs', ...digest.split(':'));

/** Flips one byte in the middle of a file, keeping its size and its mtime. */
async function corrupt(path: string): Promise<void> {
  const before = await stat(path);
  const bytes = await readFile(path);
  const i = bytes.length >> 1;
  bytes[i] = (bytes[i] as number) ^ 0xff;
  await writeFile(path, bytes);
  await utimes(path, before.atime, before.mtime);
  assert.equal((await stat(path)).size, before.size);
}

describe('distill base --output into a layout with corrupted blobs', () => {
  it('rewrites a same-size corrupted blob; skopeo copy then succeeds', async (t) => {
    if (!needTools(t, ['skopeo'])) return;
    const dir = await tempDir(t);
    const layout = join(dir, 'layout');
    const first = distill(['base', 'static', '--output', layout, '--tag', 'kept', '--json']);
    assert.equal(first.status, 0, first.stderr);
    const digest = (JSON.parse(first.stdout) as { digest: string }).digest;
    const manifest = JSON.parse(await readFile(blob(layout, digest), 'utf8')) as Manifest;
    const targets = [manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
    const good = await Promise.all(targets.map((d) => readFile(blob(layout, d))));
    for (const d of targets) await corrupt(blob(layout, d));

    // What the issue reports: the corruption is real, and skopeo refuses it.
    const broken = run('skopeo', ['copy', `oci:${layout}:kept`, `oci:${join(dir, 'copy-broken')}:x`]);
    assert.notEqual(broken.status, 0);
    assert.match(broken.stderr, /[Dd]igest did not match/);

    const again = distill(['base', 'static', '--output', layout, '--tag', 'latest', '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { digest: string }).digest, digest);
    for (const [i, d] of targets.entries())
      assert.deepEqual(await readFile(blob(layout, d)), good[i], `${d} was rewritten`);

    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    };
    const tags = index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).sort();
    assert.deepEqual(tags, ['kept', 'latest'], 'the earlier tag is kept');
    const names = await readdir(layout, { recursive: true });
    assert.deepEqual(
      names.map(String).filter((n) => /\.tmp-/.test(n)),
      [],
    );

    for (const tag of ['kept', 'latest']) {
      const c = run('skopeo', ['copy', `oci:${layout}:${tag}`, `oci:${join(dir, `copy-${tag}`)}:x`]);
      assert.equal(c.status, 0, c.stderr);
    }
    const arch = run('skopeo', ['copy', `oci:${layout}:latest`, `docker-archive:${join(dir, 'a.tar')}:s:1`]);
    assert.equal(arch.status, 0, arch.stderr);
  });
});
