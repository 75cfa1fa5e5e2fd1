import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  discoverMirrors,
  mirrorsFromApt,
  parseDebianRelease,
  readAptSources,
  releaseSpec,
} from './mirror.ts';
import { parseDeb822Sources, parseOneLineSources } from './mirror-sources.ts';

// Fixture apt configurations as in-memory files (the paths are parameters of discovery).
function fs(files: Record<string, string>) {
  return {
    sourcesList: '/apt/sources.list',
    sourcesDir: '/apt/sources.list.d',
    readFile: async (p: string) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return v;
    },
    readdir: async (d: string) =>
      Object.keys(files)
        .filter((p) => p.startsWith(`${d}/`))
        .map((p) => p.slice(d.length + 1)),
  };
}

const DEB822 = `Types: deb
# a comment
URIs: http://mirror.example.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.invalid/debian-security
Suites: bookworm-security
Components: main
`;

test('finds the main and security archives in deb822 .sources files', async () => {
  const m = await discoverMirrors({ env: {}, ...fs({ '/apt/sources.list.d/debian.sources': DEB822 }) });
  assert.deepEqual(m, {
    main: 'http://mirror.example.invalid/debian',
    security: 'http://mirror.example.invalid/debian-security',
    from: {
      main: 'apt:/apt/sources.list.d/debian.sources',
      security: 'apt:/apt/sources.list.d/debian.sources',
    },
  });
});

test('finds them in one-line sources.list entries, with options and comments', async () => {
  const list = `# deb http://old.invalid/debian buster main
deb [arch=amd64 signed-by=/x.gpg] http://one.invalid/debian/ trixie main contrib
deb-src http://src.invalid/debian trixie main
deb http://sec.invalid/debian-security trixie-security main
deb http://ubuntu.invalid/ubuntu noble main
`;
  const m = await discoverMirrors({ env: {}, ...fs({ '/apt/sources.list': list }) });
  assert.equal(m.main, 'http://one.invalid/debian');
  assert.equal(m.security, 'http://sec.invalid/debian-security');
});

test('ignores non-Debian suites, disabled entries and other file extensions', async () => {
  const files = {
    '/apt/sources.list.d/ubuntu.list': 'deb http://ubuntu.invalid/ubuntu noble main\n',
    '/apt/sources.list.d/off.sources': `Enabled: no\nTypes: deb\nURIs: http://off.invalid/debian\nSuites: trixie\nComponents: main\n`,
    '/apt/sources.list.d/x.list.disabled': 'deb http://disabled.invalid/debian trixie main\n',
  };
  await assert.rejects(discoverMirrors({ env: {}, ...fs(files) }), { code: 'DEBIAN_MIRROR_UNSET' });
});

test('precedence: flag, then env, then config, then apt; security derived beside /debian', async () => {
  const apt = fs({ '/apt/sources.list.d/debian.sources': DEB822 });
  const env = {
    DISTILL_DEBIAN_MIRROR: 'http://env.invalid/debian',
    DISTILL_DEBIAN_SECURITY_MIRROR: 'http://envsec.invalid/ds',
  };
  const config = { mirror: 'http://cfg.invalid/debian', securityMirror: 'http://cfgsec.invalid/ds' };
  assert.equal(
    (await discoverMirrors({ flag: 'http://flag.invalid/debian/', env, config, ...apt })).main,
    'http://flag.invalid/debian',
  );
  assert.equal((await discoverMirrors({ env, config, ...apt })).main, 'http://env.invalid/debian');
  assert.equal((await discoverMirrors({ env, config, ...apt })).security, 'http://envsec.invalid/ds');
  assert.equal((await discoverMirrors({ env: {}, config, ...apt })).security, 'http://cfgsec.invalid/ds');
  // A flag without a security mirror: apt's security archive fills in.
  const m = await discoverMirrors({ flag: 'http://flag.invalid/debian', env: {}, ...apt });
  assert.deepEqual(m.from, { main: 'flag', security: 'apt:/apt/sources.list.d/debian.sources' });
  // Nothing in apt: Debian's layout puts the security archive beside /debian.
  const d = await discoverMirrors({ flag: 'http://flag.invalid/debian', env: {}, ...fs({}) });
  assert.equal(d.security, 'http://flag.invalid/debian-security');
  assert.equal(d.from.security, 'derived');
  await assert.rejects(discoverMirrors({ flag: 'http://flag.invalid/pkgs', env: {}, ...fs({}) }), {
    code: 'DEBIAN_MIRROR_UNSET',
    message: /DISTILL_DEBIAN_SECURITY_MIRROR/,
  });
  await assert.rejects(discoverMirrors({ flag: 'ftp://x.invalid/debian', env: {}, ...fs({}) }), {
    code: 'DEBIAN_MIRROR_UNSET',
  });
});

test('no mirror anywhere: an error that says how to set one', async () => {
  await assert.rejects(discoverMirrors({ env: {}, ...fs({}) }), {
    code: 'DEBIAN_MIRROR_UNSET',
    message: /--mirror URL, set DISTILL_DEBIAN_MIRROR/,
  });
});

test('malformed apt sources fail with DEBIAN_SOURCES_INVALID', async () => {
  assert.throws(() => parseOneLineSources('deb\n', 'x.list'), { code: 'DEBIAN_SOURCES_INVALID' });
  assert.throws(() => parseDeb822Sources(' orphan continuation\n', 'x.sources'), {
    code: 'DEBIAN_SOURCES_INVALID',
  });
  await assert.rejects(readAptSources(fs({ '/apt/sources.list': 'rpm http://x/ y\n' })), {
    code: 'DEBIAN_SOURCES_INVALID',
  });
});

test('the old security layout (suite/updates) counts as security', () => {
  const s = parseOneLineSources('deb http://s.invalid/debian-security buster/updates main\n', 'l');
  assert.deepEqual(mirrorsFromApt(s), { security: { url: 'http://s.invalid/debian-security', file: 'l' } });
});

test('release specs: debian13 and debian12 suites over the two archives', () => {
  const s = releaseSpec(13, {
    main: 'http://m.invalid/debian',
    security: 'http://m.invalid/debian-security',
  });
  assert.deepEqual(s.suites, ['trixie', 'trixie-updates', 'trixie-security']);
  assert.deepEqual(
    s.sources.map((x) => [x.mirror, x.suites]),
    [
      ['http://m.invalid/debian', ['trixie', 'trixie-updates']],
      ['http://m.invalid/debian-security', ['trixie-security']],
    ],
  );
  assert.deepEqual(releaseSpec(12, { main: 'a', security: 'b' }).suites, [
    'bookworm',
    'bookworm-updates',
    'bookworm-security',
  ]);
  assert.equal(parseDebianRelease('debian12'), 12);
  assert.equal(parseDebianRelease('trixie'), 13);
  assert.throws(() => parseDebianRelease('11'), { code: 'DEBIAN_RELEASE_UNKNOWN' });
});

test("this host's apt sources (when present) give a Debian archive", async (t) => {
  const m = await discoverMirrors({ env: {} }).catch(() => undefined);
  if (!m) {
    t.skip('this host has no Debian apt sources');
    return;
  }
  assert.match(m.main, /^https?:\/\//);
  assert.match(m.security, /^https?:\/\//);
});
