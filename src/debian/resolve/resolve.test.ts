import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePackagesIndex } from '../archive/packages-index.ts';
import { DEFAULT_EXCLUSIONS } from './exclusions.ts';
import { parseDependencies } from './relations.ts';
import { resolve, Universe } from './resolve.ts';

interface P {
  name: string;
  version?: string;
  arch?: string;
  suite?: string;
  depends?: string;
  pre?: string;
  provides?: string;
  priority?: string;
}
const SUITES = ['trixie', 'trixie-updates', 'trixie-security'];
function universe(ps: P[], arch = 'amd64'): Universe {
  const entries = ps.flatMap((p, i) => {
    const text = [
      `Package: ${p.name}`,
      `Version: ${p.version ?? '1.0'}`,
      `Architecture: ${p.arch ?? 'amd64'}`,
      ...(p.pre ? [`Pre-Depends: ${p.pre}`] : []),
      ...(p.depends ? [`Depends: ${p.depends}`] : []),
      ...(p.provides ? [`Provides: ${p.provides}`] : []),
      ...(p.priority ? [`Priority: ${p.priority}`] : []),
      `Filename: pool/main/${p.name}_${i}.deb`,
      'Size: 10',
      `SHA256: ${String(i).padStart(64, '0')}`,
    ].join('\n');
    return parsePackagesIndex(text, {
      mirror: 'http://mirror.invalid/debian',
      suite: p.suite ?? 'trixie',
      component: 'main',
    });
  });
  return new Universe(entries, arch, SUITES);
}
const names = (r: ReturnType<typeof resolve>) => r.packages.map((p) => `${p.name}=${p.version}`);

test('follows Depends and Pre-Depends, and records the chain', () => {
  const u = universe([
    { name: 'app', depends: 'liba (>= 1.0)', pre: 'libc6' },
    { name: 'liba', depends: 'libc6' },
    { name: 'libc6' },
  ]);
  const r = resolve(u, ['app'], { arch: 'amd64' });
  assert.deepEqual(names(r), ['app=1.0', 'liba=1.0', 'libc6=1.0']);
  assert.deepEqual(r.packages.find((p) => p.name === 'liba')?.reason, ['app', 'liba']);
  assert.deepEqual(r.packages.find((p) => p.name === 'libc6')?.reason, ['app', 'libc6']);
});

test('takes the highest version across suites', () => {
  const u = universe([
    { name: 'libssl', version: '3.0.1-1' },
    { name: 'libssl', version: '3.0.1-1+deb13u1', suite: 'trixie-security' },
    { name: 'libssl', version: '3.0.1-0', suite: 'trixie-updates' },
  ]);
  const p = resolve(u, ['libssl'], { arch: 'amd64' }).packages[0];
  assert.equal(p?.version, '3.0.1-1+deb13u1');
  assert.equal(p?.suite, 'trixie-security');
});

test('version constraints pick an older version when the newest does not fit', () => {
  const u = universe([
    { name: 'app', depends: 'lib (<< 2)' },
    { name: 'lib', version: '2.0' },
    { name: 'lib', version: '1.5', suite: 'trixie-updates' },
  ]);
  assert.deepEqual(names(resolve(u, ['app'], { arch: 'amd64' })), ['app=1.0', 'lib=1.5']);
});

test('an unsatisfiable dependency fails with DEBIAN_UNSATISFIABLE naming the chain', () => {
  const u = universe([
    { name: 'app', depends: 'mid' },
    { name: 'mid', depends: 'lib (>= 3)' },
    { name: 'lib', version: '2' },
  ]);
  assert.throws(
    () => resolve(u, ['app'], { arch: 'amd64' }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DEBIAN_UNSATISFIABLE');
      assert.match(err.message, /app → mid/);
      assert.match(err.message, /lib \(>= 3\)/);
      return true;
    },
  );
});

test('a dependency cycle resolves', () => {
  const u = universe([
    { name: 'a', depends: 'b' },
    { name: 'b', depends: 'c' },
    { name: 'c', depends: 'a (= 1.0)' },
  ]);
  assert.deepEqual(names(resolve(u, ['a'], { arch: 'amd64' })), ['a=1.0', 'b=1.0', 'c=1.0']);
});

test('alternatives: when the first cannot be satisfied the second is taken', () => {
  const u = universe([
    { name: 'app', depends: 'missing | old (>= 2) | good' },
    { name: 'old', version: '1' },
    { name: 'good' },
  ]);
  assert.deepEqual(names(resolve(u, ['app'], { arch: 'amd64' })), ['app=1.0', 'good=1.0']);
});

test('alternatives: one already chosen satisfies the dependency', () => {
  const u = universe([
    { name: 'app', depends: 'x | y, z' },
    { name: 'x' },
    { name: 'y' },
    { name: 'z', depends: 'y' },
  ]);
  // x is first, so x is taken; y comes in through z anyway.
  assert.deepEqual(names(resolve(u, ['app'], { arch: 'amd64' })), ['app=1.0', 'x=1.0', 'y=1.0', 'z=1.0']);
  assert.deepEqual(names(resolve(u, ['z', 'app'], { arch: 'amd64' })), ['app=1.0', 'y=1.0', 'z=1.0']);
});

test('virtual packages resolve through Provides, versioned Provides honour constraints', () => {
  const u = universe([
    { name: 'app', depends: 'libfoo-abi (>= 2), mta' },
    { name: 'foo1', provides: 'libfoo-abi (= 1)' },
    { name: 'foo2', provides: 'libfoo-abi (= 2)' },
    { name: 'foo-unversioned', provides: 'libfoo-abi' },
    { name: 'exim', provides: 'mta', priority: 'optional' },
    { name: 'postfix', provides: 'mta', priority: 'important' },
  ]);
  const r = resolve(u, ['app'], { arch: 'amd64' });
  assert.deepEqual(names(r), ['app=1.0', 'foo2=1.0', 'postfix=1.0']);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] ?? '', /virtual mta has several providers \(postfix, exim\); chose postfix/);
});

test('a real package is preferred over a provider of the same name', () => {
  const u = universe([
    { name: 'app', depends: 'mta' },
    { name: 'mta' },
    { name: 'postfix', provides: 'mta' },
  ]);
  assert.deepEqual(names(resolve(u, ['app'], { arch: 'amd64' })), ['app=1.0', 'mta=1.0']);
});

test(':any and :native qualifiers, arch all, and other arches are ignored', () => {
  const u = universe(
    [
      { name: 'app', depends: 'python3:any, libc6:native, data' },
      { name: 'python3', arch: 'arm64' },
      { name: 'python3', arch: 'amd64', version: '3.13' },
      { name: 'libc6' },
      { name: 'data', arch: 'all' },
    ],
    'amd64',
  );
  const r = resolve(u, ['app'], { arch: 'amd64' });
  assert.deepEqual(names(r), ['app=1.0', 'data=1.0', 'libc6=1.0', 'python3=3.13']);
  assert.equal(r.packages.find((p) => p.name === 'data')?.architecture, 'all');
});

test('the default exclusion set leaves install-time machinery out and reports it', () => {
  const u = universe([
    { name: 'tzdata', depends: 'debconf (>= 0.5) | debconf-2.0' },
    { name: 'python3-minimal', pre: 'python3.13-minimal', depends: 'dpkg (>= 1.13.20)' },
    { name: 'python3.13-minimal' },
    { name: 'debconf', provides: 'debconf-2.0', depends: 'perl-base' },
    { name: 'cdebconf', provides: 'debconf-2.0' },
    { name: 'dpkg' },
    { name: 'perl-base' },
    { name: 'app', depends: 'debconf-2.0' },
  ]);
  const r = resolve(u, ['tzdata', 'python3-minimal', 'app'], { arch: 'amd64' });
  assert.deepEqual(names(r), ['app=1.0', 'python3-minimal=1.0', 'python3.13-minimal=1.0', 'tzdata=1.0']);
  assert.deepEqual(
    r.excluded.map((x) => [x.name, x.neededBy.map((n) => n.package)]),
    [
      ['debconf', ['tzdata']],
      ['debconf-2.0', ['app']],
      ['dpkg', ['python3-minimal']],
    ],
  );
  assert.equal(r.excluded[0]?.reason, DEFAULT_EXCLUSIONS.debconf);
  // Install-time machinery only: reported, not warned about.
  assert.ok(r.excluded.every((x) => !x.runtime));
  assert.deepEqual(r.warnings, []);
  assert.match(r.excluded[1]?.reason ?? '', /providers \(cdebconf, debconf\) are all left out/);
});

test("leaveOut: the caller's own exclusions, with its reason, take what only they pull in, and warn of nothing", () => {
  const u = universe([
    { name: 'jre', depends: 'libnss, libz' },
    { name: 'libnss', depends: 'libsqlite' },
    { name: 'libsqlite' },
    { name: 'libz' },
  ]);
  const r = resolve(u, ['jre'], { arch: 'amd64', leaveOut: { libnss: 'no provider uses it' } });
  assert.deepEqual(names(r), ['jre=1.0', 'libz=1.0']);
  assert.deepEqual(
    r.excluded.map((x) => [x.name, x.reason, x.runtime, x.neededBy.map((n) => n.package)]),
    [['libnss', 'no provider uses it', false, ['jre']]],
  );
  assert.deepEqual(r.warnings, []);
  // Asked for by name, it is still installed.
  assert.deepEqual(names(resolve(u, ['jre', 'libnss'], { arch: 'amd64', leaveOut: { libnss: 'x' } })), [
    'jre=1.0',
    'libnss=1.0',
    'libsqlite=1.0',
    'libz=1.0',
  ]);
});

test('config exclude: adds to the set, keep: takes a default out of it, a request always wins', () => {
  const u = universe([{ name: 'app', depends: 'libx, bash' }, { name: 'libx' }, { name: 'bash' }]);
  const r = resolve(u, ['app'], { arch: 'amd64', exclude: ['libx'] });
  assert.deepEqual(names(r), ['app=1.0']);
  assert.deepEqual(
    r.excluded.map((x) => [x.name, x.reason]),
    [
      ['bash', DEFAULT_EXCLUSIONS.bash],
      ['libx', 'excluded by the configuration (exclude:)'],
    ],
  );
  assert.deepEqual(
    r.excluded.map((x) => x.runtime),
    [true, true],
  );
  assert.equal(r.warnings.length, 2);
  assert.match(
    r.warnings[0] ?? '',
    /^app depends on bash \(Depends: bash\), which is left out: .*--keep bash\)$/,
  );
  assert.deepEqual(names(resolve(u, ['app'], { arch: 'amd64', keep: ['bash'] })), [
    'app=1.0',
    'bash=1.0',
    'libx=1.0',
  ]);
  assert.deepEqual(names(resolve(u, ['bash'], { arch: 'amd64' })), ['bash=1.0']);
});

test('unknown requests, and virtual ones with several providers, fail with DEBIAN_PACKAGE_UNKNOWN', () => {
  const u = universe([
    { name: 'mawk', provides: 'awk' },
    { name: 'gawk', provides: 'awk' },
    { name: 'libssl3t64', provides: 'libssl3 (= 3.5)' },
  ]);
  assert.throws(() => resolve(u, ['nope'], { arch: 'amd64' }), { code: 'DEBIAN_PACKAGE_UNKNOWN' });
  assert.throws(() => resolve(u, ['awk'], { arch: 'amd64' }), /provided by gawk, mawk; ask for one/);
  // A single provider is taken, as apt does, with a note.
  const r = resolve(u, ['libssl3'], { arch: 'amd64' });
  assert.deepEqual(names(r), ['libssl3t64=1.0']);
  assert.deepEqual(r.warnings, ['libssl3 is a virtual package; selected libssl3t64, its only provider']);
});

test('name=version pins a request', () => {
  const u = universe([
    { name: 'lib', version: '1' },
    { name: 'lib', version: '2' },
  ]);
  assert.deepEqual(names(resolve(u, ['lib=1'], { arch: 'amd64' })), ['lib=1']);
});

test('resolution is deterministic regardless of index order', () => {
  const ps: P[] = [
    { name: 'app', depends: 'a | b, c' },
    { name: 'a', depends: 'c (>= 1)' },
    { name: 'b' },
    { name: 'c', version: '1' },
    { name: 'c', version: '2', suite: 'trixie-updates' },
    { name: 'c', version: '2', suite: 'trixie-security' },
  ];
  const one = resolve(universe(ps), ['app'], { arch: 'amd64' });
  const two = resolve(universe([...ps].reverse()), ['app'], { arch: 'amd64' });
  const view = (r: typeof one) => r.packages.map((p) => [p.name, p.version, p.suite, p.reason.join('>')]);
  assert.deepEqual(view(one), view(two));
  // Equal versions: the earlier suite in release order wins.
  assert.equal(one.packages.find((p) => p.name === 'c')?.suite, 'trixie-updates');
});

test('relation parsing handles qualifiers, obsolete operators and junk', () => {
  assert.deepEqual(parseDependencies('a:any (>= 1.0) | b, c (< 2), d [amd64] <!nocheck>'), [
    [{ name: 'a', arch: 'any', op: '>=', version: '1.0' }, { name: 'b' }],
    [{ name: 'c', op: '<=', version: '2' }],
    [{ name: 'd' }],
  ]);
  assert.throws(() => parseDependencies('a (>= )'), { code: 'DEBIAN_RELATION_INVALID' });
});

test('a default-excluded virtual name drops the dependency instead of picking another provider', () => {
  const u = universe([
    { name: 'base-files', pre: 'awk' },
    { name: 'mawk', provides: 'awk', priority: 'required' },
    { name: 'gawk', provides: 'awk', priority: 'optional' },
  ]);
  const r = resolve(u, ['base-files'], { arch: 'amd64' });
  assert.deepEqual(names(r), ['base-files=1.0']);
  assert.deepEqual(
    r.excluded.map((x) => [x.name, x.neededBy[0]?.field]),
    [['awk', 'Pre-Depends']],
  );
});

test('a later constraint on an already-chosen package makes it take an older version that fits all', () => {
  const u = universe([
    { name: 'app', depends: 'a, b' },
    { name: 'a', depends: 'lib' },
    { name: 'b', depends: 'lib (<< 3)' },
    { name: 'lib', version: '3' },
    { name: 'lib', version: '2', suite: 'trixie-updates' },
  ]);
  assert.deepEqual(names(resolve(u, ['app'], { arch: 'amd64' })), ['a=1.0', 'app=1.0', 'b=1.0', 'lib=2']);
  // Constraints no single version meets are still unsatisfiable.
  const v = universe([
    { name: 'app', depends: 'a, b' },
    { name: 'a', depends: 'lib (>= 3)' },
    { name: 'b', depends: 'lib (<< 3)' },
    { name: 'lib', version: '3' },
    { name: 'lib', version: '2' },
  ]);
  assert.throws(() => resolve(v, ['app'], { arch: 'amd64' }), { code: 'DEBIAN_UNSATISFIABLE' });
});
