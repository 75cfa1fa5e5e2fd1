/**
 * `distill packages resolve` and `distill lock` end to end, as a user runs them, against the
 * signed fixture archive (its throwaway key given through DISTILL_DEBIAN_KEYS).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  buildArchive,
  type FixtureArchive,
  type FixtureServer,
  serveFiles,
} from './fixtures/debian-archive.ts';

const BIN = fileURLToPath(new URL('../../bin/distill.js', import.meta.url));
let server: FixtureServer;
let dir: string;
let env: NodeJS.ProcessEnv;

const PACKAGES = [
  { name: 'libc6', version: '2.41-12' },
  { name: 'libc6', version: '2.41-12', architecture: 'arm64' },
  { name: 'libc6', version: '2.41-12+deb13u1', suite: 'trixie-security' },
  { name: 'tzdata', version: '2026a-1', architecture: 'all', depends: 'debconf (>= 0.5) | debconf-2.0' },
  { name: 'debconf', version: '1.5.91', architecture: 'all', preDepends: 'perl-base' },
  { name: 'app', version: '1', depends: 'libc6 (>= 2.41), tzdata' },
  { name: 'app', version: '1', architecture: 'arm64', depends: 'libc6 (>= 2.41), tzdata' },
];
let archive: FixtureArchive;

before(async () => {
  const a = await buildArchive(PACKAGES);
  archive = a;
  server = await serveFiles(a.files);
  dir = await mkdtemp(join(tmpdir(), 'distill-cli-'));
  await writeFile(join(dir, 'fixture.asc'), a.privateKey.toPublic().armor());
  env = {
    ...process.env,
    DISTILL_DEBIAN_MIRROR: server.mirrors.main,
    DISTILL_DEBIAN_SECURITY_MIRROR: server.mirrors.security,
    DISTILL_DEBIAN_KEYS: dir,
    DISTILL_CACHE: join(dir, 'cache'),
  };
});
after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function run(
  args: string[],
  cwd = dir,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('packages resolve --json prints the set, the chains and what was left out', async () => {
  const r = await run(['packages', 'resolve', 'app', '--debian', '13', '--arch', 'amd64', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(
    out.packages.map((p: { name: string; version: string; suite: string; reason: string[] }) => [
      p.name,
      p.version,
      p.suite,
      p.reason.join(' '),
    ]),
    [
      ['app', '1', 'trixie', 'app'],
      ['libc6', '2.41-12+deb13u1', 'trixie-security', 'app libc6'],
      ['tzdata', '2026a-1', 'trixie', 'app tzdata'],
    ],
  );
  assert.deepEqual(
    out.excluded.map((x: { name: string }) => x.name),
    ['debconf'],
  );
  assert.equal(out.arch, 'amd64');
  assert.equal(typeof out.packages[0].sha256, 'string');
  assert.equal(out.packages[0].stanza, undefined);
});

test('packages resolve: human output, and clear errors with stable codes', async () => {
  const ok = await run(['packages', 'resolve', 'app', '--arch', 'arm64']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /libc6 +2\.41-12\b/);
  assert.match(ok.stdout, /left out:\n {2}debconf: /);
  const unknown = await run(['packages', 'resolve', 'nosuch']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^distill: error DEBIAN_PACKAGE_UNKNOWN: /);
  const badArch = await run(['packages', 'resolve', 'app', '--arch', 'mips']);
  assert.equal(badArch.code, 2);
  const badRelease = await run(['packages', 'resolve', 'app', '--debian', '11']);
  assert.match(badRelease.stderr, /DEBIAN_RELEASE_UNKNOWN/);
});

test('lock writes distill.lock, --check reports drift, a re-lock reports the change', async () => {
  const work = await mkdtemp(join(dir, 'proj-'));
  const first = await run(['lock', 'app', '--arch', 'amd64,arm64'], work);
  assert.equal(first.code, 0, first.stderr);
  const text = await readFile(join(work, 'distill.lock'), 'utf8');
  const lock = JSON.parse(text);
  assert.deepEqual(Object.keys(lock.architectures), ['amd64', 'arm64']);
  assert.deepEqual(
    lock.architectures.arm64.packages.map((p: { name: string; archive: string }) => [p.name, p.archive]),
    [
      ['app', 'main'],
      ['libc6', 'main'],
      ['tzdata', 'main'],
    ],
  );
  assert.equal(lock.architectures.amd64.packages[1].archive, 'security');
  // Locking again from the same inputs gives the same bytes.
  assert.equal((await run(['lock'], work)).code, 0);
  assert.equal(await readFile(join(work, 'distill.lock'), 'utf8'), text);
  assert.equal((await run(['lock', '--check'], work)).code, 0);
  const stale = await run(['lock', '--check', 'app', 'tzdata'], work);
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /error LOCK_STALE: .*packages added: tzdata/);
  const relock = await run(['lock', 'tzdata', '--arch', 'amd64'], work);
  assert.equal(relock.code, 0, relock.stderr);
  assert.match(relock.stderr, /configuration changed: architectures removed: arm64/);
  assert.match(relock.stdout, /amd64: - app 1/);
});

test('a relock against re-signed indexes with the same files leaves distill.lock as it was', async () => {
  const work = await mkdtemp(join(dir, 'resigned-'));
  assert.equal((await run(['lock', 'app', '--arch', 'amd64'], work)).code, 0);
  const text = await readFile(join(work, 'distill.lock'), 'utf8');
  // The same packages, signed again later: other InRelease bytes, the same Packages and .debs.
  const again = await buildArchive(PACKAGES, {
    signingKey: archive.privateKey,
    validUntil: new Date('2099-01-01T00:00:00Z'),
  });
  const later = await serveFiles(again.files);
  try {
    const mirrors = {
      DISTILL_DEBIAN_MIRROR: later.mirrors.main,
      DISTILL_DEBIAN_SECURITY_MIRROR: later.mirrors.security,
    };
    const fresh = await run(['lock', 'app', '--arch', 'amd64', '--output', 'fresh.lock'], work, mirrors);
    assert.equal(fresh.code, 0, fresh.stderr);
    const digests = (t: string) => JSON.parse(t).releases.map((r: { sha256: string }) => r.sha256);
    const freshText = await readFile(join(work, 'fresh.lock'), 'utf8');
    assert.notDeepEqual(digests(freshText), digests(text), 'the indexes were re-signed');
    assert.deepEqual(JSON.parse(freshText).architectures, JSON.parse(text).architectures);
    const relock = await run(['lock', '--json'], work, mirrors);
    assert.equal(relock.code, 0, relock.stderr);
    assert.equal(JSON.parse(relock.stdout).written, false);
    assert.equal(await readFile(join(work, 'distill.lock'), 'utf8'), text, 'no churn');
  } finally {
    await later.close();
  }
});

test('packages exclusions lists the default set with reasons', async () => {
  const r = await run(['packages', 'exclusions', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { name: string; reason: string; runtime: boolean }[];
  for (const n of [
    'dpkg',
    'debconf',
    'perl-base',
    'install-info',
    'ca-certificates-java',
    'java-common',
    'util-linux',
  ])
    assert.ok(
      rows.some((x) => x.name === n && x.reason.length > 10),
      n,
    );
  assert.equal(rows.find((x) => x.name === 'bash')?.runtime, true);
  assert.equal(rows.find((x) => x.name === 'dpkg')?.runtime, false);
});
