/**
 * `distill sbom` and `--sbom` on bad input: each gets its error code and exit status, and no
 * file is left behind. Uses the static catalogue image (needs the Debian archive; warm cache: 1 s).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { buildBase } from '../helpers/docker.ts';

let dir = '';
let layout = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-e2e-sbom-cli-'));
  layout = join(dir, 'static');
  await buildBase('static', ['--output', layout, '-q']);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('distill sbom: errors, platforms, --json', () => {
  it('an unknown --format is SBOM_FORMAT_UNKNOWN', () => {
    const r = distill(['sbom', `oci:${layout}`, '--format', 'spdx-tag-value']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error SBOM_FORMAT_UNKNOWN: .*spdx-json or cyclonedx-json/);
  });

  it('-o into a missing directory is SBOM_WRITE_FAILED and leaves nothing', async () => {
    const r = distill(['sbom', `oci:${layout}`, '-o', join(dir, 'nope', 'x.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error SBOM_WRITE_FAILED: cannot write the SBOM to /);
    assert.equal(existsSync(join(dir, 'nope')), false);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });

  it('a platform the image lacks is OCI_PLATFORM_NOT_FOUND, naming what it has', () => {
    const r = distill(['sbom', `oci:${layout}`, '--platform', 'linux/s390x']);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /error OCI_PLATFORM_NOT_FOUND: .* has no linux\/s390x image \(it has linux\/amd64\)/,
    );
  });

  it('a missing image fails with a code, not a stack', () => {
    const r = distill(['sbom', `oci:${join(dir, 'absent')}`]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /distill: error [A-Z_]+: /);
    assert.doesNotMatch(r.stderr, /INTERNAL/);
  });

  it('--sbom with only --push is a usage error before anything is built', () => {
    const r = distill(['base', 'static', '--push', 'localhost:1/x:y', '--sbom']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error CLI_USAGE: --sbom writes next to the image/);
  });

  it('an index: the host architecture by default, --platform picks another', async () => {
    const multi = join(dir, 'multi');
    await buildBase('static', ['--arch', 'amd64,arm64', '--output', multi, '-q']);
    const host = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const other = host === 'amd64' ? 'arm64' : 'amd64';
    const byDefault = distill(['sbom', `oci:${multi}`, '--format', 'cyclonedx-json']);
    assert.equal(byDefault.status, 0, byDefault.stderr);
    assert.match(byDefault.stdout, new RegExp(`pkg:deb/debian/base-files@[^"]*arch=${host}`));
    const picked = distill([
      'sbom',
      `oci:${multi}`,
      '--platform',
      `linux/${other}`,
      '--format',
      'cyclonedx-json',
    ]);
    assert.equal(picked.status, 0, picked.stderr);
    assert.match(picked.stdout, new RegExp(`pkg:deb/debian/base-files@[^"]*arch=${other}`));
  });

  it('-o FILE with --json prints a summary; the file is the SBOM', () => {
    const file = join(dir, 'static.cdx.json');
    const r = distill(['sbom', `oci:${layout}`, '--format', 'cyclonedx-json', '-o', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.file, file);
    assert.equal(s.format, 'cyclonedx-json');
    assert.match(s.digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(s.packages >= 5, `${s.packages} packages`);
  });
});
