/**
 * Issue 11 acceptance for `distill audit`, through the built CLI: a full distro (mmdebstrap
 * minbase trixie, made here) shows its shell, dpkg/apt, setuid binaries and root user; distill's
 * nonroot images (static, python3, nodejs22, java21) show none of them; a :debug image shows
 * busybox's shell as its one, expected, finding. SARIF validates against the official SARIF 2.1.0
 * schema; gates exit 3; --vulns matches the minbase packages against tracker data from a file and
 * from a local tracker; bad inputs fail with their code and write nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chown,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { buildBase, distillAsync } from '../helpers/docker.ts';
import { minbaseImage } from '../helpers/minbase-image.ts';
import { sarifErrors } from '../helpers/sarif-schema.ts';
import { REPO_ROOT, requireDocker } from '../helpers/tools.ts';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/vulns/tracker.json');
const NONROOT = ['static:nonroot', 'python3:nonroot', 'nodejs22:nonroot', 'java21:nonroot'];
const BAD_IDS = ['DL-SHELL', 'DL-PACKAGE-MANAGER', 'DL-SETUID', 'DL-SETGID', 'DL-USER-ROOT', 'DL-BUSYBOX'];

interface Json {
  image: string;
  digest: string;
  platform: string;
  user: { raw: string; uid?: number; root: boolean };
  counts: Record<string, number>;
  findings: { id: string; severity: string; path?: string; expected?: boolean }[];
  vulnerabilities?: {
    release?: string;
    total: number;
    noData: number;
    packages: { name: string; status: string; vulns: { id: string }[] }[];
  };
}

let dir: string;
let minbase: string | undefined;
let skipMinbase = '';
const layouts: Record<string, string> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-e2e-audit-'));
  const m = await minbaseImage();
  minbase = m.ref;
  skipMinbase = m.skip ?? '';
  for (const ref of [...NONROOT, 'static:debug-nonroot']) {
    const out = join(dir, ref.replace(':', '-'));
    await buildBase(ref, ['--output', out]);
    layouts[ref] = `oci:${out}`;
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The minbase image's reference; skips locally, fails under CI=true, when it could not be made. */
function needMinbase(t: TestContext): string | undefined {
  if (minbase) return minbase;
  if (process.env.CI === 'true') assert.fail(skipMinbase);
  t.skip(skipMinbase);
  return undefined;
}

const auditJson = async (
  args: string[],
): Promise<{ status: number; json: Json | Json[]; stderr: string }> => {
  const r = await distillAsync(['audit', '--json', ...args]);
  return { status: r.status ?? -1, json: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
};

describe('distill audit: full distro vs distroless', { timeout: 900_000 }, () => {
  test('minbase trixie: shell, dpkg/apt, setuid su/passwd, root user', async (t) => {
    if (!needMinbase(t) || !minbase) return;
    const { status, json } = await auditJson([minbase]);
    assert.equal(status, 0);
    const r = json as Json;
    const paths = (id: string) => r.findings.filter((f) => f.id === id).map((f) => f.path);
    assert.ok(paths('DL-SHELL').includes('/usr/bin/bash') && paths('DL-SHELL').includes('/usr/bin/dash'));
    for (const p of ['/usr/bin/dpkg', '/usr/bin/apt', '/usr/bin/apt-get'])
      assert.ok(paths('DL-PACKAGE-MANAGER').includes(p), p);
    for (const p of ['/usr/bin/su', '/usr/bin/passwd', '/usr/bin/mount'])
      assert.ok(paths('DL-SETUID').includes(p), p);
    assert.ok(r.findings.some((f) => f.id === 'DL-USER-ROOT'));
    assert.equal(r.user.root, true);
    assert.equal(r.platform, 'linux/amd64');
    assert.match(r.digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok((r.counts.high ?? 0) >= 10);
  });

  for (const ref of NONROOT)
    test(`${ref}: none of them, user 65532`, async () => {
      const { status, json } = await auditJson([layouts[ref] as string]);
      assert.equal(status, 0);
      const r = json as Json;
      assert.deepEqual(
        r.findings.filter((f) => BAD_IDS.includes(f.id) || f.severity !== 'info'),
        [],
      );
      assert.deepEqual([r.user.uid, r.user.root], [65532, false]);
    });

  test('static:debug-nonroot: busybox’s shell is the one, expected, finding', async () => {
    const { status, json } = await auditJson([
      layouts['static:debug-nonroot'] as string,
      '--fail-on',
      'info',
    ]);
    assert.equal(status, 0);
    const r = json as Json;
    assert.deepEqual(
      r.findings.map((f) => [f.id, f.path, f.expected]),
      [['DL-SHELL', '/busybox/busybox', true]],
    );
  });

  test('several images at once; SARIF 2.1.0 valid against the official schema, to stdout and --sarif FILE', async () => {
    const images = [
      layouts['static:nonroot'] as string,
      layouts['static:debug-nonroot'] as string,
      ...(minbase ? [minbase] : []),
    ];
    const file = join(dir, 'audit.sarif');
    const r = await distillAsync(['audit', '--format', 'sarif', '--sarif', file, ...images]);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(sarifErrors(doc), []);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), doc);
    assert.equal(doc.version, '2.1.0');
    const results = doc.runs[0].results as { ruleId: string; suppressions?: unknown[] }[];
    assert.ok(results.some((x) => x.ruleId === 'DL-SHELL' && x.suppressions));
    if (minbase) assert.ok(results.some((x) => x.ruleId === 'DL-SETUID'));
    // The validator does fail an invalid log.
    assert.notDeepEqual(sarifErrors({ ...doc, version: '2.0.0' }), []);
    const multi = await auditJson(images);
    assert.equal((multi.json as Json[]).length, images.length);
  });

  test('--fail-on and --policy seed exit 3 after printing; a clean image exits 0', async (t) => {
    if (!needMinbase(t) || !minbase) return;
    const fail = distill(['audit', '--fail-on', 'high', minbase]);
    assert.equal(fail.status, 3);
    assert.match(fail.stderr, /AUDIT_FAILED/);
    assert.match(fail.stdout, /DL-SETUID/);
    const seed = distill(['audit', '--policy', 'seed', minbase]);
    assert.equal(seed.status, 3);
    assert.match(seed.stderr, /seed policy: no default user/);
    const ok = distill([
      'audit',
      '--fail-on',
      'low',
      '--policy',
      'seed',
      layouts['nodejs22:nonroot'] as string,
    ]);
    assert.equal(ok.status, 0, ok.stderr);
  });
});

describe('distill audit: every source gives the same audit', { timeout: 300_000 }, () => {
  test('oci:, docker-archive: and docker-daemon: of one python3:debug-nonroot build', async (t) => {
    const tag = 'distill-e2e/audit-py:1';
    const layout = join(dir, 'py-debug');
    const archive = join(dir, 'py-debug.tar');
    await buildBase('python3:debug-nonroot', ['--output', layout, '--archive', archive, '--tag', tag]);
    // A docker archive holds no manifest (one is made from its config), and the engine may rewrite
    // it: digests differ by source; what the audit finds may not.
    const strip = (j: Json) => ({ ...j, image: '', digest: '' });
    const fromLayout = (await auditJson([`oci:${layout}`])).json as Json;
    const fromArchive = (await auditJson([`docker-archive:${archive}`])).json as Json;
    assert.deepEqual(strip(fromArchive), strip(fromLayout));
    assert.deepEqual(
      fromLayout.findings.map((f) => [f.id, f.expected]),
      [['DL-SHELL', true]],
    );
    if (!requireDocker(t)) return;
    t.after(() => spawnSync('docker', ['rmi', '-f', tag]));
    assert.equal(spawnSync('docker', ['load', '-i', archive]).status, 0);
    const fromEngine = (await auditJson([`docker-daemon:${tag}`])).json as Json;
    assert.deepEqual({ ...strip(fromEngine), digest: '' }, { ...strip(fromLayout), digest: '' });
  });
});

describe('distill audit --sbom: the SBOM from the same scan', { timeout: 300_000 }, () => {
  test('the same bytes as distill sbom, in both formats; one image only', async () => {
    const ref = layouts['nodejs22:nonroot'] as string;
    for (const format of ['spdx-json', 'cyclonedx-json']) {
      const a = join(dir, `alone.${format}`);
      const b = join(dir, `with-audit.${format}`);
      const alone = await distillAsync(['sbom', ref, '--format', format, '-o', a]);
      assert.equal(alone.status, 0, alone.stderr);
      const both = await distillAsync(['audit', ref, '--sbom', b, '--sbom-format', format]);
      assert.equal(both.status, 0, both.stderr);
      assert.equal(await readFile(b, 'utf8'), await readFile(a, 'utf8'));
    }
    const two = join(dir, 'two.json');
    const r = await distillAsync(['audit', ref, ref, '--sbom', two]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /CLI_USAGE/);
    await assert.rejects(readFile(two), { code: 'ENOENT' });
    const bad = await distillAsync(['audit', ref, '--sbom', two, '--sbom-format', 'xml']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /SBOM_FORMAT_UNKNOWN/);
    await assert.rejects(readFile(two), { code: 'ENOENT' });
  });
});

describe('distill audit: the read-only root of the seed policy', { timeout: 300_000 }, () => {
  test('distill build carries distill.yaml writable: declared, so --policy seed passes', async () => {
    const app = join(dir, 'app-src');
    await mkdir(app, { recursive: true });
    await writeFile(join(app, 'package.json'), '{"name":"x","version":"1.0.0","main":"index.js"}');
    await writeFile(join(app, 'index.js'), 'console.log(1)\n');
    await writeFile(join(app, 'distill.yaml'), 'writable: [/app/data]\n');
    const out = join(dir, 'app');
    const b = await distillAsync(['build', app, '--output', out, '-q']);
    assert.equal(b.status, 0, b.stderr);
    const r = await distillAsync(['audit', '--json', '--policy', 'seed', `oci:${out}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      (JSON.parse(r.stdout) as Json).findings.map((f) => [f.id, f.path]),
      [['DL-WRITABLE-DECLARED', '/app/data']],
    );
  });

  test('a directory the user owns but nobody declared fails --policy seed', async () => {
    const root = join(dir, 'rootfs');
    await mkdir(join(root, 'data'), { recursive: true });
    await chown(join(root, 'data'), 1000, 1000);
    const out = join(dir, 'owned');
    const img = distill(['image', 'from-dir', root, '--preserve-owner', '--user', '1000', '--output', out]);
    assert.equal(img.status, 0, img.stderr);
    const r = distill(['audit', '--policy', 'seed', `oci:${out}`]);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /seed policy: \/data is written outside the declared writable dirs/);
  });
});

describe('distill audit --platform', { timeout: 300_000 }, () => {
  test('an index: the host’s architecture by default, --platform picks another', async () => {
    const out = join(dir, 'multi');
    await buildBase('static:nonroot', ['--arch', 'amd64,arm64', '--output', out]);
    const byDefault = (await auditJson([`oci:${out}`])).json as Json;
    const arm = (await auditJson(['--platform', 'linux/arm64', `oci:${out}`])).json as Json;
    assert.equal(byDefault.platform, process.arch === 'arm64' ? 'linux/arm64/v8' : 'linux/amd64');
    assert.equal(arm.platform, 'linux/arm64/v8');
    assert.notEqual(arm.digest, byDefault.digest);
    assert.deepEqual(arm.findings, []);
  });
});

describe('distill audit --vulns', { timeout: 300_000 }, () => {
  test('minbase packages against tracker data from --vuln-db FILE', async (t) => {
    if (!needMinbase(t) || !minbase) return;
    const { status, json } = await auditJson(['--vuln-db', FIXTURE, minbase]);
    assert.equal(status, 0);
    const v = (json as Json).vulnerabilities;
    assert.equal(v?.release, 'trixie');
    const libc = v?.packages.find((p) => p.name === 'libc6');
    assert.equal(libc?.status, 'affected');
    assert.ok(libc?.vulns.some((x) => x.id === 'CVE-2010-4756'));
    assert.equal(v?.packages.find((p) => p.name === 'bash')?.status, 'no-data');
    assert.ok((v?.noData ?? 0) > 50, 'most minbase sources are not in the small fixture: no data, not clean');
    const gate = distill([
      'audit',
      '--vuln-db',
      FIXTURE,
      '--fail-on',
      'high',
      layouts['static:nonroot'] as string,
    ]);
    assert.equal(gate.status, 0, 'static has base-files etc.: the fixture has no issue for them');
  });

  test('downloaded from a tracker URL (a local server), cached with its ETag', async (t) => {
    if (!needMinbase(t) || !minbase) return;
    const body = await readFile(FIXTURE);
    const inm: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      inm.push(req.headers['if-none-match'] as string | undefined);
      if (req.headers['if-none-match'] === '"e1"') return res.writeHead(304).end();
      res.writeHead(200, { etag: '"e1"' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tracker/data/json`;
    const env = { DISTILL_CACHE: join(dir, 'cache') };
    try {
      // Async runs: a blocking spawnSync would leave this process's server unable to answer.
      const a = await distillAsync(['audit', '--json', '--vuln-db-url', url, minbase], env);
      assert.equal(a.status, 0, a.stderr);
      const b = await distillAsync(['audit', '--json', '--vulns', minbase], {
        ...env,
        DISTILL_VULN_DB_URL: url,
      });
      assert.equal(b.status, 0, b.stderr);
      assert.deepEqual(JSON.parse(b.stdout).vulnerabilities, JSON.parse(a.stdout).vulnerabilities);
      assert.deepEqual(inm, [undefined, '"e1"']);
    } finally {
      server.close();
    }
  });
});

describe('distill audit: bad input gets its code, and nothing is written', { timeout: 300_000 }, () => {
  const noSarif = async (args: string[], code: RegExp, exit = 1) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.sarif`);
    const r = distill(['audit', '--sarif', file, ...args]);
    assert.equal(r.status, exit, r.stderr);
    assert.match(r.stderr, code);
    assert.equal(r.stdout, '');
    await assert.rejects(stat(file), { code: 'ENOENT' });
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith('bad-')),
      [],
    );
  };
  test('a missing image', () =>
    noSarif([`oci:${join(dir, 'nothing-here')}`], /error OCI_LAYOUT_INVALID: .*nothing-here/));
  test('a bad reference', () => noSarif(['no-transport-here'], /error IMAGE_REF_INVALID/));
  test('an unknown --fail-on and --format', async () => {
    await noSarif(
      ['--fail-on', 'severe', layouts['static:nonroot'] as string],
      /error CLI_USAGE: unknown --fail-on/,
      2,
    );
    await noSarif(
      ['--format', 'xml', layouts['static:nonroot'] as string],
      /error CLI_USAGE: unknown --format/,
      2,
    );
    await noSarif(
      ['--policy', 'strict', layouts['static:nonroot'] as string],
      /error CLI_USAGE: unknown --policy/,
      2,
    );
  });
  test('--vuln-db not JSON, of the wrong shape, or missing', async () => {
    const notJson = join(dir, 'x.txt');
    const wrong = join(dir, 'wrong.json');
    await writeFile(notJson, 'hello');
    await writeFile(wrong, '{"glibc": ["CVE-1"]}');
    const img = layouts['static:nonroot'] as string;
    await noSarif(['--vuln-db', notJson, img], /error VULN_DB_INVALID: .* is not JSON/);
    await noSarif(['--vuln-db', wrong, img], /error VULN_DB_INVALID: .* not Debian security tracker data/);
    await noSarif(['--vuln-db', join(dir, 'absent.json'), img], /error VULN_DB_UNREADABLE/);
  });
  test('a corrupt layer', async () => {
    const copy = join(dir, 'corrupt');
    await cp(layouts['python3:nonroot']?.slice(4) as string, copy, { recursive: true });
    const index = JSON.parse(await readFile(join(copy, 'index.json'), 'utf8'));
    const blob = (d: string) => join(copy, 'blobs', 'sha256', d.slice(7));
    const manifest = JSON.parse(await readFile(blob(index.manifests[0].digest), 'utf8'));
    const layer = manifest.layers[manifest.layers.length - 1];
    await truncate(blob(layer.digest), Math.floor(layer.size / 2));
    await noSarif([`oci:${copy}`], /error OCI_SIZE_MISMATCH: layer/);
  });
  test('--sarif into a directory that does not exist: AUDIT_WRITE_FAILED, nothing printed', () => {
    const r = distill([
      'audit',
      '--sarif',
      join(dir, 'no', 'such', 'dir', 'a.sarif'),
      layouts['static:nonroot'] as string,
    ]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error AUDIT_WRITE_FAILED/);
    assert.equal(r.stdout, '');
  });
  test('--platform the image does not have', () =>
    noSarif(
      ['--platform', 'linux/s390x', layouts['static:nonroot'] as string],
      /error OCI_PLATFORM_NOT_FOUND/,
    ));
});
