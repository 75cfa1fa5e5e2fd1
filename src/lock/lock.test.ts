import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { releaseSpec } from '../debian/archive/mirror.ts';
import type { Resolution } from '../debian/resolve/resolve.ts';
import type { ResolvedPackage } from '../debian/types.ts';
import {
  assertLockCurrent,
  configChecksum,
  lockDrift,
  lockedPackages,
  makeLock,
  packagesFromLock,
  parseLock,
  readLock,
  serialiseLock,
  writeLock,
} from './lock.ts';
import type { LockInputs } from './types.ts';

const spec = releaseSpec(13, {
  main: 'http://m.invalid/debian',
  security: 'http://m.invalid/debian-security',
});
const pkg = (name: string, suite = 'trixie', arch = 'amd64'): ResolvedPackage => ({
  name,
  version: '1.0-1',
  architecture: arch,
  filename: `pool/main/${name[0]}/${name}/${name}_1.0-1_${arch}.deb`,
  sha256: name.length.toString(16).padStart(64, 'a'),
  size: 100 + name.length,
  suite,
  component: 'main',
  mirror: suite.endsWith('-security') ? (spec.sources[1]?.mirror ?? '') : (spec.sources[0]?.mirror ?? ''),
  stanza: `Package: ${name}`,
  reason: [name],
});
const res = (arch: string): Resolution => ({
  packages: [pkg('zlib1g', 'trixie', arch), pkg('libc6', 'trixie-security', arch)],
  excluded: [
    {
      name: 'dpkg',
      reason: 'r',
      runtime: false,
      neededBy: [{ package: 'x', dependency: 'dpkg', field: 'Depends' }],
    },
  ],
  warnings: [],
});
const inputs: LockInputs = { debian: 13, architectures: ['arm64', 'amd64'], packages: ['zlib1g', 'libc6'] };

test("a lock lists each arch's packages sorted, with archive, path, hash, size, suite and why", () => {
  const lock = makeLock(inputs, spec, { amd64: res('amd64'), arm64: res('arm64') });
  assert.deepEqual(Object.keys(lock.architectures), ['amd64', 'arm64']);
  const a = lock.architectures.amd64?.packages ?? [];
  assert.deepEqual(
    a.map((p) => [p.name, p.archive, p.suite]),
    [
      ['libc6', 'security', 'trixie-security'],
      ['zlib1g', 'main', 'trixie'],
    ],
  );
  assert.deepEqual(Object.keys(a[0] ?? {}), [
    'name',
    'version',
    'architecture',
    'sha256',
    'filename',
    'size',
    'suite',
    'component',
    'archive',
    'why',
  ]);
  assert.deepEqual(lock.architectures.amd64?.excluded, [{ name: 'dpkg', reason: 'r', neededBy: ['x'] }]);
});

test('the same inputs give the same bytes, whatever the order they came in', () => {
  const one = serialiseLock(makeLock(inputs, spec, { amd64: res('amd64'), arm64: res('arm64') }));
  const two = serialiseLock(
    makeLock({ ...inputs, architectures: ['amd64', 'arm64'], packages: ['libc6', 'zlib1g', 'libc6'] }, spec, {
      arm64: res('arm64'),
      amd64: { ...res('amd64'), packages: [...res('amd64').packages].reverse() },
    }),
  );
  assert.equal(one, two);
  assert.equal(
    configChecksum(inputs),
    configChecksum({ ...inputs, packages: ['libc6', 'zlib1g'], exclude: [] }),
  );
});

test('drift: a changed configuration is detected and described', () => {
  const lock = makeLock(inputs, spec, { amd64: res('amd64'), arm64: res('arm64') });
  assert.deepEqual(lockDrift(lock, inputs), []);
  assertLockCurrent(lock, inputs);
  assert.deepEqual(lockDrift(lock, { ...inputs, packages: ['libc6', 'tzdata'] }), [
    'packages added: tzdata',
    'packages removed: zlib1g',
  ]);
  assert.deepEqual(lockDrift(lock, { ...inputs, debian: 12 }), ['debian changed from 13 to 12']);
  assert.deepEqual(lockDrift(lock, { ...inputs, exclude: ['libx'] }), ['exclude added: libx']);
  assert.throws(() => assertLockCurrent(lock, { ...inputs, architectures: ['amd64'] }), {
    code: 'LOCK_STALE',
    message: /architectures removed: arm64.*distill lock/,
  });
});

test("write, read back, and use exactly the locked files from this machine's mirrors", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'distill-lock-'));
  try {
    const path = join(dir, 'distill.lock');
    const lock = makeLock(inputs, spec, { amd64: res('amd64'), arm64: res('arm64') });
    await writeLock(path, lock);
    assert.deepEqual(await readdir(dir), ['distill.lock']);
    assert.equal(await readFile(path, 'utf8'), serialiseLock(lock));
    const back = await readLock(path);
    assert.deepEqual(back, JSON.parse(serialiseLock(lock)));
    const mirrors = { main: 'http://here.invalid/debian', security: 'http://here.invalid/sec' };
    const pkgs = lockedPackages(back, 'arm64', mirrors);
    assert.deepEqual(
      pkgs.map((p) => [p.name, p.mirror, p.filename, p.sha256, p.size]),
      lock.architectures.arm64?.packages.map((p) => [
        p.name,
        p.archive === 'security' ? mirrors.security : mirrors.main,
        p.filename,
        p.sha256,
        p.size,
      ]),
    );
    assert.throws(() => lockedPackages(back, 's390x', mirrors), { code: 'LOCK_ARCH_MISSING' });
    assert.deepEqual(await packagesFromLock(path, inputs, 'arm64', mirrors), pkgs);
    await assert.rejects(packagesFromLock(path, { ...inputs, packages: ['libc6'] }, 'arm64', mirrors), {
      code: 'LOCK_STALE',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing or malformed lock fails with LOCK_MISSING or LOCK_INVALID', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'distill-lock-'));
  try {
    await assert.rejects(readLock(join(dir, 'nope.lock')), { code: 'LOCK_MISSING' });
    await writeFile(join(dir, 'bad.lock'), '{not json');
    await assert.rejects(readLock(join(dir, 'bad.lock')), { code: 'LOCK_INVALID' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const good = JSON.parse(
    serialiseLock(makeLock(inputs, spec, { amd64: res('amd64'), arm64: res('arm64') })),
  );
  assert.doesNotThrow(() => parseLock(JSON.stringify(good)));
  const tamper = (f: (l: typeof good) => void) => {
    const l = structuredClone(good);
    f(l);
    return JSON.stringify(l);
  };
  for (const bad of [
    tamper((l) => (l.lockVersion = 2)),
    tamper((l) => (l.configChecksum = 'md5:x')),
    tamper((l) => (l.architectures.amd64.packages[0].sha256 = 'xyz')),
    tamper((l) => (l.architectures.amd64.packages[0].filename = '../../etc/passwd')),
    tamper((l) => (l.architectures.amd64.packages[0].archive = 'elsewhere')),
  ])
    assert.throws(() => parseLock(bad), { code: 'LOCK_INVALID' });
});
