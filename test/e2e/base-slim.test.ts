/**
 * `distill base --slim` in the Docker engine: nodejs22 with a stripped bin/node still does crypto,
 * full-ICU Intl and https; java21 without the opt-in CDS archives still runs; docs, man pages and
 * changelogs are gone while every copyright stays; the layers are smaller than without --slim.
 * Needs the Debian archive, the npm registry and the Docker engine.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBase, dockerLoad, dockerRemove, dockerRun, dockerRunOk } from '../helpers/docker.ts';
import { requireDocker, runOk, tempDir } from '../helpers/tools.ts';

/** The paths in the layout's top (runtime) layer. */
function topLayerPaths(layout: string, digest: string): string[] {
  const blob = (d: string) => join(layout, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(runOk('cat', [blob(digest)]));
  const top = manifest.layers.at(-1).digest as string;
  return runOk('tar', ['-tzf', blob(top)])
    .trim()
    .split('\n');
}

const runtimeLayer = (r: Awaited<ReturnType<typeof buildBase>>) =>
  r.platforms[0]?.layers.find((l) => l.kind === 'runtime');
const runtimeSize = (r: Awaited<ReturnType<typeof buildBase>>) => runtimeLayer(r)?.uncompressedSize ?? 0;

for (const [name, check] of [
  [
    'nodejs22',
    (tag: string) => {
      const js = `const c=require('crypto');require('https');console.log(c.createHash('sha256').update('x').digest('hex').slice(0,8), new Intl.DateTimeFormat('de-DE',{month:'long',timeZone:'UTC'}).format(0))`;
      assert.equal(dockerRunOk([tag, '-e', js]).trim(), '2d711642 Januar');
    },
  ],
  [
    'java21',
    (tag: string) => {
      const r = dockerRun(['--entrypoint', '/usr/bin/java', tag, '-Xshare:auto', '-version']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /openjdk version "21\./);
    },
  ],
] as const) {
  test(`${name} --slim: runs, smaller, copyrights kept, docs and opt-in files gone`, async (t) => {
    if (!requireDocker(t)) return;
    const dir = await tempDir(t, `distill-e2e-slim-${name}-`);
    const tag = `distill-e2e/slim-${name}:1`;
    t.after(() => dockerRemove([tag]));
    const full = await buildBase(name, ['--output', join(dir, 'full')]);
    const slim = await buildBase(name, [
      '--slim',
      '--output',
      join(dir, 'slim'),
      '--archive',
      join(dir, 'slim.tar'),
      '--tag',
      tag,
    ]);
    assert.ok(runtimeSize(slim) < runtimeSize(full), `${runtimeSize(slim)} < ${runtimeSize(full)}`);
    t.diagnostic(
      `${name} runtime layer: ${runtimeSize(full)} → ${runtimeSize(slim)} bytes uncompressed with --slim`,
    );
    const paths = topLayerPaths(join(dir, 'slim'), slim.digest);
    // The saved bytes reported are the runtime layer's shrinkage less the tar headers and padding
    // of the entries left out (a header, a PAX header and padding: under 3 KB each), give or take
    // the padding of the stripped bin/node (under 512 bytes).
    const shrunk = runtimeSize(full) - runtimeSize(slim);
    const droppedEntries = topLayerPaths(join(dir, 'full'), full.digest).length - paths.length;
    const saved = runtimeLayer(slim)?.slimSavedBytes ?? -1;
    assert.ok(
      saved < shrunk + 512 && saved >= shrunk - 3072 * (droppedEntries + 1),
      `reported ${saved} saved; the layer shrank by ${shrunk} with ${droppedEntries} entries left out`,
    );
    assert.ok((slim.slimSavedBytes ?? 0) >= saved, 'the total counts every layer');
    const licence = name === 'nodejs22' ? /^nodejs\/LICENSE$/ : /^usr\/share\/doc\/[^/]+\/copyright$/;
    assert.ok(
      paths.some((p) => licence.test(p)),
      'licences and copyrights stay',
    );
    assert.ok(!paths.some((p) => /^usr\/share\/(man|info)\/./.test(p) || /changelog/.test(p)), 'no docs');
    assert.ok(!paths.some((p) => /classes_nocoops\.jsa$/.test(p)), 'no opt-in CDS archive');
    await dockerLoad(join(dir, 'slim.tar'));
    check(tag);
  });
}
