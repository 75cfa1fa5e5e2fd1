import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { packagePath } from '../package-root.ts';
import { openCache } from '../platform/index.ts';
import type { Inventory, PackageRecord } from '../scan/index.ts';
import { loadVulnDb, matchVulns, parseVulnDb, releaseOf, urgencySeverity } from './index.ts';

const FIXTURE = packagePath('test', 'fixtures', 'vulns', 'tracker.json');
const deb = (name: string, version: string, source?: [string, string]): PackageRecord => ({
  ecosystem: 'deb',
  name,
  version,
  ...(source ? { source: { name: source[0], version: source[1] } } : {}),
  licenses: [],
  purl: `pkg:deb/debian/${name}@${version}`,
  locations: ['/var/lib/dpkg/status'],
});
// The versions of a trixie minbase image (mmdebstrap, December 2026).
const INV: Inventory = {
  distro: { id: 'debian', versionId: '13', versionCodename: 'trixie' },
  packages: [
    deb('libc6', '2.41-12+deb13u5', ['glibc', '2.41-12+deb13u5']),
    deb('libc-bin', '2.41-12+deb13u5', ['glibc', '2.41-12+deb13u5']),
    deb('libssl3t64', '3.5.9-1~deb13u1', ['openssl', '3.5.9-1~deb13u1']),
    deb('zlib1g', '1:1.3.dfsg+really1.3.1-1+deb13u1', ['zlib', '1:1.3.dfsg+really1.3.1-1+deb13u1']),
    deb('passwd', '1:4.17.4-2+deb13u1', ['shadow', '1:4.17.4-2+deb13u1']),
    deb('bash', '5.2.37-2+b10', ['bash', '5.2.37-2']),
    deb('tar', '1.35+dfsg-3.1'),
    deb('hostname', '3.25'),
  ],
};

describe('matching against the tracker', async () => {
  const db = parseVulnDb(await readFile(FIXTURE), FIXTURE);
  const r = matchVulns(INV, db);
  const pkg = (n: string) => r.packages.find((p) => p.name === n);

  test('by source package and source version, in the image’s release', () => {
    assert.equal(r.release, 'trixie');
    assert.deepEqual(
      pkg('libc6')?.vulns.map((v) => [v.id, v.state, v.severity, v.fixedVersion]),
      [
        ['CVE-2099-1003', 'open', 'high', undefined],
        ['CVE-2099-1001', 'fixed', 'medium', '2.41-12+deb13u9'],
        ['CVE-2010-4756', 'open', 'info', undefined],
      ],
    );
    assert.deepEqual(pkg('libc-bin')?.vulns.length, 3);
  });

  test('fixed_version 0 and older fixes are clean; epochs and tildes ordered as dpkg does', () => {
    assert.equal(pkg('libssl3t64')?.status, 'clean');
    assert.deepEqual(
      pkg('zlib1g')?.vulns.map((v) => [v.id, v.severity]),
      [['CVE-2099-3001', 'medium']],
    );
    assert.deepEqual(
      pkg('tar')?.vulns.map((v) => v.id),
      ['CVE-2005-2541'],
    );
  });

  test('no data is not clean: a source the tracker lacks, or lists for other releases only', () => {
    assert.equal(pkg('hostname')?.status, 'no-data');
    assert.equal(pkg('bash')?.status, 'no-data');
    assert.equal(r.noData, 2);
  });

  test('undetermined is listed but not counted; an issue of two binaries counts once', () => {
    assert.deepEqual(
      pkg('passwd')?.vulns.map((v) => [v.state, v.severity]),
      [['undetermined', 'info']],
    );
    assert.equal(r.total, 5);
    assert.deepEqual(r.counts, { critical: 0, high: 1, medium: 2, low: 0, info: 2 });
  });

  test('an image that does not say its Debian release, or is not Debian, has no data', () => {
    const none = matchVulns({ ...INV, distro: { id: 'alpine', versionId: '3.20' } }, db);
    assert.equal(none.noData, INV.packages.length);
    assert.match(none.note ?? '', /not a Debian image/);
    assert.equal(releaseOf({ id: 'debian', versionId: '12' }), 'bookworm');
    assert.equal(releaseOf({ id: 'debian' }), undefined);
  });

  test('urgency → severity', () => {
    assert.deepEqual(
      ['high', 'high**', 'medium', 'low', 'unimportant', 'end-of-life', 'not yet assigned', undefined].map(
        urgencySeverity,
      ),
      ['high', 'high', 'medium', 'low', 'info', 'info', 'medium', 'medium'],
    );
  });
});

test('data that is not the tracker’s is refused with VULN_DB_INVALID', () => {
  for (const bad of [
    'not json',
    '[]',
    '{"glibc": []}',
    '{"glibc": {"CVE-1": {}}}',
    '{"glibc": {"CVE-1": {"releases": {"trixie": {}}}}}',
    '{"glibc": {"CVE-1": {"releases": {}}}',
    '{"glibc": {"CVE-1": {"releases": {}}}} x',
    '{"glibc": {"CVE-1": {"releases": {}}}, }',
    '{"glibc": {"CVE-1": "un\\"terminated}}',
  ])
    assert.throws(() => parseVulnDb(bad, 'x.json'), { code: 'VULN_DB_INVALID' }, bad);
  assert.equal(parseVulnDb(' {} ', 'empty.json').sources, 0);
  // Strings with escaped quotes and braces do not confuse the index.
  const db = parseVulnDb(
    '{"a": {"C-1": {"description": "x \\"}{\\\\", "releases": {}}}, "b": {"C-2": {"releases": {"trixie": {"status": "open"}}}}}',
    'esc',
  );
  assert.equal(db.sources, 2);
  assert.equal(db.issues('b')?.['C-2']?.releases.trixie?.status, 'open');
  // A later source of the wrong shape fails when it is read.
  const late = parseVulnDb('{"a": {}, "b": []}', 'late.json');
  assert.throws(() => late.issues('b'), { code: 'VULN_DB_INVALID' });
  assert.equal(late.issues('zzz'), undefined);
});

describe('downloading the tracker data, with HTTP caching', async () => {
  const body = await readFile(FIXTURE);
  const seen: { inm?: string | undefined; path: string }[] = [];
  let mode: 'ok' | 'garbage' | '404' = 'ok';
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ inm: req.headers['if-none-match'], path: req.url ?? '' });
    if (mode === '404') return res.writeHead(404).end('gone');
    if (mode === 'garbage') return res.writeHead(200, { etag: '"g"' }).end('<html>');
    if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304).end();
    res.writeHead(200, { etag: '"v1"', 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tracker/data/json`;
  const dir = await mkdtemp(join(tmpdir(), 'distill-vulns-'));
  const cache = await openCache(join(dir, 'cache'));
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('first a 200, then a conditional GET answered 304 from the cache', async () => {
    const a = await loadVulnDb({ url, cache });
    const b = await loadVulnDb({ url, cache });
    assert.equal(b.sources, a.sources);
    assert.ok(a.sources > 0);
    assert.deepEqual(
      seen.map((s) => s.inm),
      [undefined, '"v1"'],
    );
    assert.equal(seen[0]?.path, '/tracker/data/json');
  });

  test('an error answer or a body that is not tracker data fails, and is not cached', async () => {
    const fresh = await openCache(join(dir, 'cache2'));
    mode = '404';
    await assert.rejects(loadVulnDb({ url, cache: fresh }), { code: 'VULN_DB_DOWNLOAD' });
    mode = 'garbage';
    await assert.rejects(loadVulnDb({ url, cache: fresh }), { code: 'VULN_DB_INVALID' });
    mode = 'ok';
    seen.length = 0;
    await loadVulnDb({ url, cache: fresh });
    assert.deepEqual(
      seen.map((s) => s.inm),
      [undefined],
    );
  });

  test('an unreachable tracker is VULN_DB_DOWNLOAD', async () => {
    await assert.rejects(loadVulnDb({ url: 'http://127.0.0.1:1/json' }), { code: 'VULN_DB_DOWNLOAD' });
  });

  test('a file: read and checked; a missing file is VULN_DB_UNREADABLE', async () => {
    assert.ok((await loadVulnDb({ file: FIXTURE })).issues('glibc'));
    await assert.rejects(loadVulnDb({ file: join(dir, 'nope.json') }), { code: 'VULN_DB_UNREADABLE' });
    await writeFile(join(dir, 'bad.json'), '{"x": 1}');
    await assert.rejects(loadVulnDb({ file: join(dir, 'bad.json') }), { code: 'VULN_DB_INVALID' });
  });
});
