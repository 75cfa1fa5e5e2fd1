/**
 * The InRelease digests a lock records, against the signed fixture archive (throwaway key,
 * served on loopback): each suite's entry is the sha256 of the bytes served, with the codename
 * and Date / Valid-Until as the Release states them; the same archive gives the same lock bytes;
 * locks written before the field existed still read and build; a malformed one does not; and a
 * suite whose InRelease changed between two architectures' resolutions stops the lock.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  buildArchive,
  type FixtureArchive,
  type FixtureServer,
  serveFiles,
} from '../../test/fixtures/debian-archive.ts';
import type { ArchiveOptions } from '../debian/archive/indexes.ts';
import { releaseSpec } from '../debian/archive/mirror.ts';
import { type ReleaseResolution, resolveFromRelease } from '../debian/resolve/from-release.ts';
import { type AppLockFile, appLockChanged, readAppLock } from './app-lock.ts';
import { makeBaseLock, readBaseLock } from './base-lock.ts';
import { lockChanged, lockedPackages, makeLock, parseLock, serialiseLock, writeLock } from './lock.ts';
import { lockedReleases } from './releases.ts';
import type { LockInputs } from './types.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const inputs: LockInputs = { debian: 13, architectures: ['amd64', 'arm64'], packages: ['app'] };
const PACKAGES = [
  { name: 'app', version: '1.0-1', depends: 'libz' },
  { name: 'app', version: '1.0-1', architecture: 'arm64', depends: 'libz' },
  { name: 'libz', version: '1:1.3-1', architecture: 'all' },
  { name: 'libz', version: '1:1.3-1+deb13u1', architecture: 'all', suite: 'trixie-security' },
];

describe('the lock records the InRelease files the resolution verified', () => {
  let archive: FixtureArchive;
  let server: FixtureServer;
  let work: string;
  const options = (): ArchiveOptions => ({
    fetch: (url, init) => fetch(url, init),
    keyring: archive.keyring,
  });
  const spec = () => releaseSpec(13, server.mirrors);
  const resolveAll = async (): Promise<Record<string, ReleaseResolution>> => {
    const out: Record<string, ReleaseResolution> = {};
    for (const arch of inputs.architectures)
      out[arch] = await resolveFromRelease(spec(), inputs.packages, { arch, archive: options() });
    return out;
  };
  const lockOf = (r: Record<string, ReleaseResolution>) =>
    makeLock(
      inputs,
      spec(),
      r,
      Object.values(r).flatMap((x) => x.verified),
    );

  before(async () => {
    archive = await buildArchive(PACKAGES, { validUntil: new Date('2099-01-01T00:00:00Z') });
    server = await serveFiles(archive.files);
    work = await mkdtemp(join(tmpdir(), 'distill-lock-releases-'));
  });
  after(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it('one entry per suite: the sha256 and size of the InRelease served, its codename, Date and Valid-Until verbatim', async () => {
    const lock = lockOf(await resolveAll());
    const served = (path: string) => archive.files.get(path) as Uint8Array;
    assert.deepEqual(
      lock.releases,
      [
        ['main', 'debian', 'trixie'],
        ['main', 'debian', 'trixie-updates'],
        ['security', 'debian-security', 'trixie-security'],
      ].map(([a, root, suite]) => ({
        archive: a,
        suite,
        codename: suite,
        components: ['main'],
        file: 'InRelease',
        sha256: sha(served(`${root}/dists/${suite}/InRelease`)),
        size: served(`${root}/dists/${suite}/InRelease`).length,
        date: 'Thu, 01 Jan 2026 00:00:00 GMT',
        validUntil: 'Thu, 01 Jan 2099 00:00:00 GMT',
      })),
    );
    // The lock took the security libz; the digest named is the one that vouched for it.
    assert.equal(lock.architectures.amd64?.packages.find((p) => p.name === 'libz')?.suite, 'trixie-security');
    const text = serialiseLock(lock);
    assert.ok(!text.includes('127.0.0.1') && !text.includes('http'), 'no mirror host in the lock');
    assert.deepEqual(parseLock(text), JSON.parse(text));
  });

  it('the same archive state gives the same bytes, whatever order the suites were verified in', async () => {
    const a = serialiseLock(lockOf(await resolveAll()));
    const r = await resolveAll();
    const reversed = makeLock(
      inputs,
      spec(),
      r,
      Object.values(r)
        .flatMap((x) => x.verified)
        .reverse(),
    );
    assert.equal(serialiseLock(reversed), a);
    assert.equal(serialiseLock(lockOf(await resolveAll())), a);
  });

  it('a lock without releases (written before they were recorded) still reads and builds; a malformed one is LOCK_INVALID', async () => {
    const { releases: _, ...old } = lockOf(await resolveAll());
    const path = join(work, 'old.lock');
    await writeLock(path, old);
    const parsed = parseLock(await readFile(path, 'utf8'));
    assert.equal(parsed.releases, undefined);
    assert.equal(lockedPackages(parsed, 'amd64', server.mirrors).length, 2);
    const withBad = { ...old, releases: [{ archive: 'main', suite: 'trixie', sha256: 'nope' }] };
    assert.throws(() => parseLock(JSON.stringify(withBad)), {
      code: 'LOCK_INVALID',
      message: /malformed release entry "trixie"/,
    });
    assert.throws(() => parseLock(JSON.stringify({ ...old, releases: {} })), { code: 'LOCK_INVALID' });
  });

  it('base and app locks: releases written, read back; older ones read; malformed ones refused, the file kept', async () => {
    const r = await resolveAll();
    const verified = Object.values(r).flatMap((x) => x.verified);
    const baseInputs = { image: 'static', debian: 13 as const, architectures: ['amd64'] };
    const base = makeBaseLock(baseInputs, [], server.mirrors.security, verified);
    assert.deepEqual(base.releases, lockedReleases(verified, server.mirrors.security));
    assert.deepEqual(Object.keys(base), [
      'lockVersion',
      'kind',
      'configChecksum',
      'inputs',
      'releases',
      'architectures',
    ]);
    const path = join(work, 'static.lock');
    await writeLock(path, base);
    assert.deepEqual((await readBaseLock(path, baseInputs))?.releases, base.releases);
    const { releases: _, ...old } = base;
    await writeLock(path, old);
    assert.equal((await readBaseLock(path, baseInputs))?.releases, undefined);
    const bad = JSON.stringify({ ...base, releases: [{ ...base.releases?.[0], file: 'Release.gpg' }] });
    await writeFile(path, bad);
    await assert.rejects(readBaseLock(path, baseInputs), { code: 'LOCK_INVALID' });
    assert.equal(await readFile(path, 'utf8'), bad, 'the lock is left as it was');
    const appPath = join(work, 'app.lock');
    const app = {
      lockVersion: 1,
      kind: 'app',
      configChecksum: `sha256:${'0'.repeat(64)}`,
      inputs: { base: 'static', debian: 13, architectures: ['amd64'], packages: [] },
      base: { ...base, releases: [{ ...base.releases?.[0], sha256: 'x' }] },
      architectures: {},
    };
    await writeFile(appPath, JSON.stringify(app));
    await assert.rejects(
      readAppLock(appPath, { base: 'static', debian: 13, architectures: ['amd64'], packages: [] }),
      { code: 'LOCK_INVALID' },
    );
  });

  it('an InRelease that changed between two architectures` resolutions is LOCK_RELEASE_CHANGED', async () => {
    const amd64 = await resolveFromRelease(spec(), inputs.packages, { arch: 'amd64', archive: options() });
    // The mirror syncs: a newer, validly signed trixie-updates.
    const newer = await buildArchive(PACKAGES, {
      signingKey: archive.privateKey,
      date: new Date('2026-02-01T00:00:00Z'),
    });
    const path = 'debian/dists/trixie-updates/InRelease';
    const was = archive.files.get(path) as Uint8Array;
    // The server serves archive.files (a live map): replacing an entry is the mirror changing it.
    archive.files.set(path, newer.files.get(path) as Uint8Array);
    try {
      const arm64 = await resolveFromRelease(spec(), inputs.packages, { arch: 'arm64', archive: options() });
      assert.throws(
        () => makeLock(inputs, spec(), { amd64, arm64 }, [...amd64.verified, ...arm64.verified]),
        { code: 'LOCK_RELEASE_CHANGED', message: /dists\/trixie-updates\/InRelease changed while resolving/ },
      );
    } finally {
      archive.files.set(path, was);
    }
  });

  it('a package relock that only saw re-signed indexes is no change; other packages or new digests are', async () => {
    const lock = lockOf(await resolveAll());
    const resigned = {
      ...lock,
      releases: lock.releases?.map((r) => ({
        ...r,
        sha256: 'e'.repeat(64),
        date: 'Mon, 02 Feb 2026 00:00:00 GMT',
      })),
    };
    assert.equal(lockChanged(lock, resigned), false);
    const { releases: _, ...rest } = lock;
    const older: typeof lock = rest;
    assert.equal(lockChanged(older, lock), true, 'an older lock gains the digests');
    assert.equal(lockChanged(lock, older), false);
    const amd64 = lock.architectures.amd64 as (typeof lock.architectures)[string];
    const moved = {
      ...resigned,
      architectures: {
        ...lock.architectures,
        amd64: { ...amd64, packages: amd64.packages.map((p) => ({ ...p, version: `${p.version}+b1` })) },
      },
    };
    assert.equal(lockChanged(lock, moved), true);
  });

  it('an app relock that only saw re-signed indexes is no change; one that adds digests to an older lock is', async () => {
    const verified = Object.values(await resolveAll()).flatMap((x) => x.verified);
    const baseInputs = { image: 'static', debian: 13 as const, architectures: ['amd64'] };
    const base = makeBaseLock(baseInputs, [], server.mirrors.security, verified);
    const app = (b: typeof base): AppLockFile => ({
      lockVersion: 1,
      kind: 'app',
      configChecksum: `sha256:${'0'.repeat(64)}`,
      inputs: { base: 'static', debian: 13, architectures: ['amd64'], packages: [] },
      base: b,
      architectures: { amd64: { roots: [], added: [], packages: [] } },
    });
    const resigned = {
      ...base,
      releases: base.releases?.map((r) => ({
        ...r,
        sha256: 'f'.repeat(64),
        date: 'Sun, 01 Feb 2026 00:00:00 GMT',
      })),
    };
    assert.equal(appLockChanged(app(base), app(resigned)), false);
    const { releases: _, ...older } = base;
    assert.equal(appLockChanged(app(older), app(base)), true, 'an older lock gains the digests');
    assert.equal(appLockChanged(app(base), app(older)), false);
    const otherPackages = {
      ...app(base),
      architectures: { amd64: { roots: ['x'], added: [], packages: [] } },
    };
    assert.equal(appLockChanged(app(base), otherPackages), true);
    // --jlink's JDK pin carries InRelease digests too: re-signed, no change; gained, a change.
    const withJdk = (b: typeof base, jdk: typeof base | typeof older): AppLockFile => ({ ...app(b), jdk });
    assert.equal(appLockChanged(withJdk(base, base), withJdk(base, resigned)), false);
    assert.equal(appLockChanged(withJdk(base, older), withJdk(base, base)), true);
  });
});
