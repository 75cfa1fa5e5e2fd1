/**
 * Issue 11 acceptance for `distill sbom`: for every debian13 catalogue image (and a debug variant),
 * built with `distill base --sbom`, the SBOM's Debian packages are exactly the records of the
 * image's /var/lib/dpkg/status.d — read here independently, by the host's `tar`, from the layer
 * blobs — each with its version; the nodejs images add one pkg:generic/node at the runtime
 * version with its CPE, and nothing else is listed. Every SBOM validates against the official
 * SPDX 2.3 schema; `distill sbom` of the layout and of a docker archive give the same packages,
 * in CycloneDX 1.6 too. Needs the Debian archive and (nodejsNN) the npm registry.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { catalogue } from '../../src/catalogue/index.ts';
import { distill, needTools } from '../helpers/cli.ts';
import { buildBase } from '../helpers/docker.ts';
import { cyclonedxErrors, semanticErrors, spdxErrors } from '../helpers/sbom-schemas.ts';
import { run } from '../helpers/tools.ts';

const IMAGES = [...catalogue(13).map((s) => s.name), 'base:debug'];
let work: Promise<string> | undefined;
const dir = () => (work ??= mkdtemp(join(tmpdir(), 'distill-e2e-sbom-')));
after(async () => {
  if (work) await rm(await work, { recursive: true, force: true });
});

/** `name version` of every status.d record, from the layers by the host's tar (whiteout-free images). */
async function statusD(layout: string): Promise<string[]> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const blob = (d: string) => join(layout, 'blobs', 'sha256', d.slice(7));
  const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8'));
  const out = await mkdtemp(join(layout, 'rootfs-'));
  for (const l of manifest.layers as { digest: string }[]) {
    const r = run('tar', ['-xf', blob(l.digest), '-C', out, '--wildcards', 'var/lib/dpkg/status.d/*']);
    // A layer without status.d: tar says the pattern is "Not found in archive" (exit 2).
    if (r.status !== 0 && !/Not found in archive/.test(r.stderr)) throw new Error(`tar: ${r.stderr}`);
  }
  const sd = join(out, 'var/lib/dpkg/status.d');
  const names = (await readdir(sd).catch(() => [] as string[])).filter((n) => !n.endsWith('.md5sums'));
  const recs: string[] = [];
  for (const n of names) {
    const t = await readFile(join(sd, n), 'utf8');
    recs.push(`${/^Package: (.+)$/m.exec(t)?.[1]} ${/^Version: (.+)$/m.exec(t)?.[1]}`);
  }
  return recs.sort();
}

interface SpdxPackage {
  name: string;
  versionInfo: string;
  externalRefs: { referenceType: string; referenceLocator: string }[];
}
const refs = (p: SpdxPackage, type: string) =>
  p.externalRefs.filter((r) => r.referenceType === type).map((r) => r.referenceLocator);

describe('distill sbom: every catalogue image lists exactly its status.d', () => {
  for (const ref of IMAGES) {
    test(ref, { timeout: 600_000 }, async (t) => {
      if (!needTools(t, ['tar'])) return;
      const layout = join(await dir(), ref.replace(':', '-'));
      const built = await buildBase(ref, ['--output', layout, '--sbom', '-q']);
      const doc = JSON.parse(await readFile(join(layout, 'sbom.spdx.json'), 'utf8'));
      assert.deepEqual(spdxErrors(doc), [], 'valid SPDX 2.3');
      assert.deepEqual(semanticErrors(doc), []);
      const pkgs = (doc.packages as SpdxPackage[]).slice(1);
      const debs = pkgs.filter((p) => refs(p, 'purl')[0]?.startsWith('pkg:deb/debian/'));
      assert.deepEqual(debs.map((p) => `${p.name} ${p.versionInfo}`).sort(), await statusD(layout));
      for (const p of debs)
        assert.match(
          refs(p, 'purl')[0] as string,
          /^pkg:deb\/debian\/[a-z0-9.%A-F-]+@[A-Za-z0-9.~%-]+\?arch=(amd64|all)&distro=debian-13\.\d+(&upstream=[a-z0-9.%A-F-]+)?$/,
        );
      const others = pkgs.filter((p) => !debs.includes(p));
      if (ref.startsWith('nodejs')) {
        const v = built.runtimeVersion as string;
        assert.deepEqual(
          others.map((p) => [refs(p, 'purl'), refs(p, 'cpe23Type')]),
          [[[`pkg:generic/node@${v}`], [`cpe:2.3:a:nodejs:node.js:${v}:*:*:*:*:*:*:*`]]],
        );
      } else
        assert.deepEqual(
          others.map((p) => refs(p, 'purl')),
          [],
          'only Debian packages',
        );

      // The command on the layout and on a docker archive: same packages, CycloneDX valid too.
      const archive = `${layout}.tar`;
      await buildBase(ref, ['--archive', archive, '-q']);
      const cdx = distill(['sbom', `docker-archive:${archive}`, '--format', 'cyclonedx-json']);
      assert.equal(cdx.status, 0, cdx.stderr);
      const bom = JSON.parse(cdx.stdout);
      assert.deepEqual(cyclonedxErrors(bom), [], 'valid CycloneDX 1.6');
      assert.deepEqual(semanticErrors(bom), []);
      const purls = (bom.components as { purl?: string }[]).flatMap((c) => (c.purl ? [c.purl] : []));
      assert.deepEqual(purls.sort(), pkgs.flatMap((p) => refs(p, 'purl')).sort());
      const again = distill(['sbom', `oci:${layout}`, '--format', 'cyclonedx-json']);
      assert.equal(again.status, 0, again.stderr);
      const again2 = distill(['sbom', `oci:${layout}`, '--format', 'cyclonedx-json']);
      assert.equal(again.stdout, again2.stdout, 'two runs, same bytes');
    });
  }
});
