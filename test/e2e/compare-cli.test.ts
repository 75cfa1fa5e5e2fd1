/**
 * `distill compare` on bad input: an unreadable image among several, a bad reference, an
 * unwritable --html path, clashing flags, a missing --vuln-db — each a coded error, with nothing
 * printed as a result and no report file (or temp file) left. And --vuln-db with tracker data in
 * its real format: the CVE line appears. Uses the static and python3 catalogue images (warm cache: 1 s).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { buildBase, distillAsync } from '../helpers/docker.ts';
import { hasTool, run } from '../helpers/tools.ts';

let dir = '';
let stat = '';
let py = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-e2e-compare-cli-'));
  await Promise.all([
    buildBase('static', ['--output', join(dir, 'static'), '-q']),
    buildBase('python3', ['--output', join(dir, 'python3'), '-q']),
    buildBase('static', ['--arch', 'amd64,arm64', '--output', join(dir, 'multi'), '-q']),
  ]);
  stat = `oci:${join(dir, 'static')}`;
  py = `oci:${join(dir, 'python3')}`;
  await mkdir(join(dir, 'out'));
});
after(() => rm(dir, { recursive: true, force: true }));

const outFiles = () => readdirSync(join(dir, 'out'));

describe('distill compare: errors leave nothing behind', () => {
  it('one unreadable image among several: COMPARE_IMAGE_UNREADABLE naming it, no table, no report', () => {
    const html = join(dir, 'out', 'r.html');
    const r = distill(['compare', stat, `oci:${join(dir, 'missing')}`, py, '--html', html]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /error COMPARE_IMAGE_UNREADABLE: cannot read oci:\S+missing \(image 2 of 3\): [A-Z_]+: /,
    );
    assert.equal(r.stdout, '');
    assert.deepEqual(outFiles(), []);
  });

  it('a missing docker-daemon image among several: COMPARE_IMAGE_UNREADABLE with the engine’s code', (t) => {
    if (!hasTool('docker') || run('docker', ['info']).status !== 0) {
      if (process.env.CI === 'true') throw new Error('the Docker engine is needed under CI=true');
      return void t.skip('no Docker engine (.ci/run starts it)');
    }
    const r = distill(['compare', stat, 'docker-daemon:distill-e2e-no-such-image:never']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error COMPARE_IMAGE_UNREADABLE: .*\(image 2 of 2\): DOCKER_IMAGE_NOT_FOUND/);
    assert.equal(r.stdout, '');
  });

  it('a reference no transport reads fails before any image is read', () => {
    const r = distill(['compare', stat, 'busybox', '--html', join(dir, 'out', 'r.html')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error IMAGE_REF_INVALID: unsupported image reference "busybox"/);
    assert.deepEqual([r.stdout, outFiles()], ['', []]);
  });

  it('--html into a missing directory: COMPARE_WRITE_FAILED, nothing printed, no temp file', () => {
    const r = distill(['compare', stat, '--html', join(dir, 'out', 'no-dir', 'r.html')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error COMPARE_WRITE_FAILED: cannot write the report to .*no-dir\/r\.html/);
    assert.deepEqual([r.stdout, outFiles()], ['', []]);
  });

  it('--json with --markdown is a usage error (exit 2)', () => {
    const r = distill(['compare', stat, '--json', '--markdown']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /error CLI_USAGE: --json and --markdown/);
  });

  it('a missing --vuln-db is VULN_DB_UNREADABLE', () => {
    const r = distill(['compare', stat, '--vuln-db', join(dir, 'nope.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error VULN_DB_UNREADABLE: /);
    assert.equal(r.stdout, '');
  });
});

describe('distill compare: outputs', () => {
  it('--vuln-db: CVEs per image from tracker data (glibc open in trixie: python3 has libc6, static has none)', () => {
    const db = {
      glibc: {
        'CVE-2099-0001': { description: 'test', releases: { trixie: { status: 'open', urgency: 'high' } } },
      },
      'base-files': {
        'CVE-2099-0002': { releases: { trixie: { status: 'resolved', fixed_version: '0', urgency: 'low' } } },
      },
    };
    writeFileSync(join(dir, 'db.json'), JSON.stringify(db));
    const r = distill(['compare', stat, py, '--vuln-db', join(dir, 'db.json'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const [s, p] = JSON.parse(r.stdout).images;
    assert.equal(p.cves.total, 1);
    assert.equal(s.cves.total, 0);
    assert.ok(p.cves.noData > 0, 'packages the fixture does not list are "no data", not clean');
    const text = distill(['compare', stat, py, '--vuln-db', join(dir, 'db.json')]);
    assert.match(text.stdout, /^CVEs +0 \(\d+ packages? without data\) +1 \(\d+ packages without data\)$/m);
  });

  it('--platform picks the image of an index; a platform it lacks is OCI_PLATFORM_NOT_FOUND', () => {
    const multi = `oci:${join(dir, 'multi')}`;
    const r = distill(['compare', multi, multi, '--platform', 'linux/arm64', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const platforms = JSON.parse(r.stdout).images.map((i: { platform: string }) => i.platform);
    assert.deepEqual(platforms, ['linux/arm64/v8', 'linux/arm64/v8']);
    const def = distill(['compare', multi, '--json']);
    assert.equal(
      JSON.parse(def.stdout).images[0].platform,
      'linux/amd64',
      'the host architecture by default',
    );
    const bad = distill(['compare', multi, '--platform', 'linux/s390x']);
    assert.equal(bad.status, 1);
    assert.match(
      bad.stderr,
      /COMPARE_IMAGE_UNREADABLE: .*OCI_PLATFORM_NOT_FOUND: .*has no linux\/s390x image/,
    );
  });

  it('--vulns downloads the tracker data (DISTILL_VULN_DB_URL, a local server); a failed download is VULN_DB_DOWNLOAD', async () => {
    const body = JSON.stringify({ glibc: { 'CVE-2099-0003': { releases: { trixie: { status: 'open' } } } } });
    const server = createServer((req, res) => {
      if (req.url === '/json')
        res.writeHead(200, { 'content-type': 'application/json', etag: '"v1"' }).end(body);
      else res.writeHead(500).end('down');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const env = { DISTILL_CACHE: join(dir, 'cache'), DISTILL_VULN_DB_URL: `${base}/json` };
    try {
      const r = await distillAsync(['compare', py, '--vulns', '--json'], env);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).images[0].cves.total, 1);
      const bad = await distillAsync(['compare', py, '--vuln-db-url', `${base}/gone`], env);
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /error VULN_DB_DOWNLOAD: .*answered 500/);
      assert.equal(bad.stdout, '');
    } finally {
      server.close();
    }
  });

  it('--markdown prints a table with a column per image; --html alone still prints the text table', () => {
    const md = distill(['compare', stat, py, '--markdown']);
    assert.equal(md.status, 0, md.stderr);
    const lines = md.stdout.trimEnd().split('\n');
    assert.equal(lines[1], '|---|---|---|');
    assert.match(md.stdout, /^\| Shell \| no \| no \|$/m);
    const html = join(dir, 'out', 'ok.html');
    const r = distill(['compare', stat, '--html', html]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Shell +no$/m);
    assert.ok(existsSync(html));
    assert.deepEqual(outFiles(), ['ok.html']);
  });
});
