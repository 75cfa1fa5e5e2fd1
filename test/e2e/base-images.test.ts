/**
 * Issue 4 acceptance: every debian13 amd64 catalogue image × variant, built by `distill base
 * --archive`, loaded into the real Docker engine and run. Builds start all at once (a few at a
 * time, as child processes) when the first test asks, in catalogue order, so later images build
 * while earlier ones are checked; each test waits only for its own image's four variants.
 * Needs the Debian archive and (nodejsNN) the npm registry; docker, gcc, g++, libssl-dev and a JDK.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { catalogue } from '../../src/catalogue/index.ts';
import { needTools } from '../helpers/cli.ts';
import {
  type BaseResult,
  buildBase,
  dockerInspect,
  dockerLoad,
  dockerRemove,
  dockerRun,
  dockerRunOk,
  limiter,
  needFile,
  testPrograms,
} from '../helpers/docker.ts';

// Every debian13 image of the catalogue, in catalogue order.
const NAMES = catalogue(13).map((s) => s.name);
const VARIANTS = ['latest', 'nonroot', 'debug', 'debug-nonroot'] as const;
type Variant = (typeof VARIANTS)[number];
const TOOLS = ['docker.io:docker', 'gcc', 'g++', 'default-jdk-headless:javac', 'default-jdk-headless:jar'];
const REPO = `distill-e2e-${process.pid}`;
/** Concurrent builds: the CLI waits on the network about half the time on 2 cores. */
const BUILDS = 3;

interface Built {
  tag: string;
  result: BaseResult & { ms: number };
  loadMs: number;
}
interface State {
  dir: string;
  images: Map<string, Promise<Record<Variant, Built>>>;
  loaded: string[];
}
let state: Promise<State> | undefined;

/** Compiles the test programs and starts every build (once); false when a tool is missing. */
function ready(t: TestContext): boolean {
  if (!needTools(t, TOOLS) || !needFile(t, '/usr/include/openssl/ssl.h', 'libssl-dev')) return false;
  state ??= start();
  return true;
}

async function start(): Promise<State> {
  const dir = await mkdtemp(join(tmpdir(), 'distill-e2e-base-'));
  for (const p of ['tool', 'ssl', 'cpp', 'jar'] as const) testPrograms[p](dir);
  const limit = limiter(BUILDS);
  const s: State = { dir, images: new Map(), loaded: [] };
  const one = async (name: string, variant: Variant): Promise<[Variant, Built]> => {
    const archive = join(dir, `${name}-${variant}.tar`);
    const tag = `${REPO}/${name}:${variant}`;
    const result = await buildBase(`${name}:${variant}`, ['--archive', archive, '--tag', tag]);
    const loadStart = performance.now();
    const tags = await dockerLoad(archive);
    const loadMs = performance.now() - loadStart;
    s.loaded.push(tag);
    await rm(archive, { force: true });
    assert.deepEqual(tags, [tag]);
    return [variant, { tag, result, loadMs }];
  };
  // Each name's `latest` builds after the previous name's, so a new layer is built by one
  // process at a time (the next image's lower layers are then in the cache); the other three
  // variants of a name only add the debug layer or change the config, and run alongside (the
  // next `latest` goes to the front of the queue).
  let previous: Promise<unknown> = Promise.resolve();
  for (const name of NAMES) {
    const latest = previous.then(() => limit(() => one(name, 'latest'), true));
    previous = latest.catch(() => {});
    const others = VARIANTS.slice(1).map((v) => latest.then(() => limit(() => one(name, v))));
    const all = Promise.all([latest, ...others]).then((v) => Object.fromEntries(v) as Record<Variant, Built>);
    all.catch(() => {}); // observed by the test that awaits it
    s.images.set(name, all);
  }
  return s;
}

/** Waits for `name`'s four variants; notes each build's and load's time in the test's output. */
async function images(t: TestContext, name: string): Promise<{ dir: string; img: Record<Variant, Built> }> {
  const s = await (state as Promise<State>);
  const img = await (s.images.get(name) as Promise<Record<Variant, Built>>);
  for (const v of VARIANTS) {
    const b = img[v];
    t.diagnostic(
      `${name}:${v} build ${(b.result.ms / 1000).toFixed(1)} s, docker load ${(b.loadMs / 1000).toFixed(1)} s`,
    );
  }
  return { dir: s.dir, img };
}

after(async () => {
  if (!state) return;
  const s = await state;
  await Promise.allSettled(s.images.values());
  dockerRemove(s.loaded);
  await rm(s.dir, { recursive: true, force: true });
});

/** The checks every image gets: config per variant, no /bin/sh, uid, busybox in debug. */
function commonChecks(name: string, dir: string, img: Record<Variant, Built>): void {
  const mount = ['-v', `${dir}:/t:ro`];
  for (const v of VARIANTS) {
    const { tag } = img[v];
    const cfg = dockerInspect(tag).Config;
    const nonroot = v.endsWith('nonroot');
    assert.equal(cfg.User, nonroot ? '65532' : '0', `${tag} User`);
    assert.equal(cfg.WorkingDir, nonroot ? '/home/nonroot' : '/', `${tag} WorkingDir`);
    const path = cfg.Env?.find((e) => e.startsWith('PATH='));
    assert.equal(path?.endsWith(':/busybox'), v.startsWith('debug'), `${tag} ${path}`);
    assert.ok(cfg.Env?.includes('SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'), `${tag} SSL_CERT_FILE`);
    if (v.startsWith('debug') && ['static', 'base-nossl', 'base', 'cc', 'java-base'].includes(name)) {
      assert.deepEqual(cfg.Entrypoint, ['/busybox/sh'], `${tag} Entrypoint`);
    }
    // No shell at /bin/sh, debug or not.
    const sh = dockerRun(['--entrypoint', '/bin/sh', tag, '-c', 'true']);
    assert.notEqual(sh.status, 0, `${tag}: /bin/sh ran`);
    assert.match(sh.stderr, /no such file or directory/i, `${tag}: ${sh.stderr}`);
    // The process runs as the variant's user (the static tool prints getuid()).
    const uid = dockerRunOk([...mount, '--entrypoint', '/t/tool', tag]);
    assert.equal(uid.trim(), `hello static uid=${nonroot ? 65532 : 0}`, tag);
    if (v.startsWith('debug')) {
      const ls = dockerRunOk(['--entrypoint', '/busybox/sh', tag, '-c', 'ls /']);
      for (const d of ['busybox', 'etc', 'tmp', 'home'])
        assert.match(ls, new RegExp(`^${d}$`, 'm'), `${tag}: ls /`);
      const who = dockerRunOk(['--entrypoint', '/busybox/sh', tag, '-c', 'id -u']);
      assert.match(who, new RegExp(`^${nonroot ? 65532 : 0}$`, 'm'), `${tag}: id -u`);
    }
  }
}

describe('distill base: debian13 amd64 images in the Docker engine', { timeout: 900_000 }, () => {
  test('static: a static binary runs, passwd has nonroot 65532, no /bin/sh', async (t) => {
    if (!ready(t)) return;
    const { dir, img } = await images(t, 'static');
    const mount = ['-v', `${dir}:/t:ro`];
    // The image's own Cmd/Entrypoint is empty: the binary is the command.
    assert.equal(dockerRunOk([...mount, img.latest.tag, '/t/tool']).trim(), 'hello static uid=0');
    const passwd = dockerRunOk([...mount, img.latest.tag, '/t/tool', 'cat', '/etc/passwd']);
    assert.match(passwd, /^nonroot:x:65532:65532:nonroot:\/home\/nonroot:\/sbin\/nologin$/m);
    assert.match(passwd, /^root:x:0:0:root:\/root:\/sbin\/nologin$/m);
    const group = dockerRunOk([...mount, img.latest.tag, '/t/tool', 'cat', '/etc/group']);
    assert.match(group, /^nonroot:x:65532:$/m);
    const osr = dockerRunOk([...mount, img.latest.tag, '/t/tool', 'cat', '/usr/lib/os-release']);
    assert.match(osr, /^PRETTY_NAME="Distroless"$/m);
    assert.match(osr, /^VERSION_ID="13"$/m);
    const sh = dockerRun([img.latest.tag, '/bin/sh']);
    assert.notEqual(sh.status, 0);
    assert.match(sh.stderr, /no such file or directory/i);
    commonChecks('static', dir, img);
  });

  test('base-nossl: glibc but no libssl', async (t) => {
    if (!ready(t)) return;
    const { dir, img } = await images(t, 'base-nossl');
    const r = dockerRun(['-v', `${dir}:/t:ro`, img.latest.tag, '/t/ssl']);
    assert.notEqual(r.status, 0, 'a libssl binary ran without libssl');
    assert.match(r.stderr + r.stdout, /libssl\.so\.3: cannot open shared object file/);
    commonChecks('base-nossl', dir, img);
  });

  test('base: a dynamically linked libssl binary runs', async (t) => {
    if (!ready(t)) return;
    const { dir, img } = await images(t, 'base');
    for (const v of ['latest', 'nonroot'] as const) {
      const out = dockerRunOk(['-v', `${dir}:/t:ro`, img[v].tag, '/t/ssl']);
      assert.match(out, /^OpenSSL 3\.\S+ .* sha256\(abc\)=ba7816bf$/m, out);
    }
    commonChecks('base', dir, img);
  });

  test('cc: a C++ binary runs', async (t) => {
    if (!ready(t)) return;
    const { dir, img } = await images(t, 'cc');
    for (const v of ['latest', 'nonroot'] as const) {
      assert.equal(dockerRunOk(['-v', `${dir}:/t:ro`, img[v].tag, '/t/cpp']).trim(), 'c++ ok thrown 1');
      assert.match(dockerRunOk(['-v', `${dir}:/t:ro`, img[v].tag, '/t/ssl']), /^OpenSSL 3\./);
    }
    commonChecks('cc', dir, img);
  });

  test('python3: ssl, sqlite3, json, zoneinfo, ctypes; find_library; CA certs; TZ', async (t) => {
    if (!ready(t)) return;
    const { dir, img } = await images(t, 'python3');
    const script = `
import ssl, sqlite3, json, zoneinfo, ctypes, ctypes.util, os, sys, time, datetime
ctx = ssl.create_default_context()
db = sqlite3.connect(":memory:")
ny = zoneinfo.ZoneInfo("America/New_York")
jan = datetime.datetime(2024, 1, 15, 12, tzinfo=datetime.timezone.utc)
jul = datetime.datetime(2024, 7, 15, 12, tzinfo=datetime.timezone.utc)
print(json.dumps({
  "version": sys.version.split()[0],
  "uid": os.getuid(),
  "ssl": ctypes.util.find_library("ssl"),
  "crypto": ctypes.util.find_library("crypto"),
  "ca": len(ctx.get_ca_certs()),
  "sqlite": db.execute("select sqlite_version()").fetchone()[0],
  "zoneinfo": [jan.astimezone(ny).utcoffset().total_seconds(), jul.astimezone(ny).utcoffset().total_seconds()],
  "localtime": [jan.astimezone().utcoffset().total_seconds(), time.localtime(1721044800).tm_gmtoff],
  "fs": sys.getfilesystemencoding(),
  "libc": ctypes.CDLL(ctypes.util.find_library("c")).getpid() > 0,
}))
`;
    const cfg = dockerInspect(img.latest.tag).Config;
    assert.deepEqual(cfg.Entrypoint, ['/usr/bin/python3.13']);
    assert.ok(cfg.Env?.includes('LANG=C.UTF-8'));
    assert.deepEqual(dockerInspect(img.debug.tag).Config.Entrypoint, ['/usr/bin/python3.13']);
    for (const v of VARIANTS) {
      const out = JSON.parse(dockerRunOk(['-e', 'TZ=America/New_York', img[v].tag, '-c', script]));
      assert.match(out.version, /^3\.13\./);
      assert.equal(out.uid, v.endsWith('nonroot') ? 65532 : 0);
      assert.equal(out.ssl, 'libssl.so.3');
      assert.equal(out.crypto, 'libcrypto.so.3');
      assert.ok(out.ca > 100, `default TLS context has ${out.ca} CA certificates`);
      assert.match(out.sqlite, /^3\./);
      assert.deepEqual(out.zoneinfo, [-18000, -14400]);
      assert.deepEqual(out.localtime, [-18000, -14400]);
      assert.equal(out.fs, 'utf-8');
      assert.equal(out.libc, true);
    }
    // python and python3 name the same interpreter.
    for (const p of ['/usr/bin/python3', '/usr/bin/python']) {
      assert.match(dockerRunOk(['--entrypoint', p, img.latest.tag, '--version']), /^Python 3\.13\./, p);
    }
    // The seed's securityContext.
    const sec = [
      '--read-only',
      '--user',
      '65532',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
    ];
    const out = dockerRunOk([
      ...sec,
      img.latest.tag,
      '-c',
      'import os, ssl; print(os.getuid(), ssl.OPENSSL_VERSION)',
    ]);
    assert.match(out, /^65532 OpenSSL 3\./);
    commonChecks('python3', dir, img);
  });

  for (const major of [20, 22, 24, 26]) {
    test(`nodejs${major}: crypto, full ICU, https; the locked version`, async (t) => {
      if (!ready(t)) return;
      const name = `nodejs${major}`;
      const { dir, img } = await images(t, name);
      const locked = img.latest.result.runtimeVersion?.replace(/^v/, '');
      assert.match(locked ?? '', new RegExp(`^${major}\\.\\d+\\.\\d+$`), `runtimeVersion ${locked}`);
      const script = `
const crypto = require('node:crypto');
const https = require('node:https');
const d = new Date(Date.UTC(2024, 0, 15, 12));
console.log(JSON.stringify({
  node: process.versions.node,
  uid: process.getuid(),
  sha: crypto.createHash('sha256').update('abc').digest('hex').slice(0, 8),
  random: crypto.randomBytes(8).length,
  de: new Intl.DateTimeFormat('de-DE', { dateStyle: 'full', timeZone: 'UTC' }).format(d),
  ja: new Intl.DateTimeFormat('ja-JP', { month: 'long', timeZone: 'UTC' }).format(d),
  https: typeof https.request === 'function' && typeof https.Agent === 'function',
}));
`;
      assert.deepEqual(dockerInspect(img.latest.tag).Config.Entrypoint, ['/nodejs/bin/node']);
      for (const v of VARIANTS) {
        assert.equal(img[v].result.runtimeVersion, img.latest.result.runtimeVersion, `${v} runtimeVersion`);
        const out = JSON.parse(dockerRunOk([img[v].tag, '-e', script]));
        assert.equal(out.node, locked);
        assert.equal(out.uid, v.endsWith('nonroot') ? 65532 : 0);
        assert.equal(out.sha, 'ba7816bf');
        assert.equal(out.random, 8);
        assert.equal(out.de, 'Montag, 15. Januar 2024');
        assert.equal(out.ja, '1月');
        assert.equal(out.https, true);
      }
      const sec = [
        '--read-only',
        '--user',
        '65532',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
      ];
      const out = dockerRunOk([
        ...sec,
        img.latest.tag,
        '-e',
        'console.log(process.getuid(), require("node:crypto").getHashes().length > 10)',
      ]);
      assert.equal(out.trim(), '65532 true');
      commonChecks(name, dir, img);
    });
  }

  test('java-base: a C++ binary runs; no JVM (test/e2e/java-images.test.ts checks the rest)', async (t) => {
    if (!ready(t)) return;
    const { dir, img } = await images(t, 'java-base');
    assert.equal(dockerRunOk(['-v', `${dir}:/t:ro`, img.latest.tag, '/t/cpp']).trim(), 'c++ ok thrown 1');
    assert.notEqual(dockerRun([img.latest.tag, '/usr/bin/java', '-version']).status, 0);
    commonChecks('java-base', dir, img);
  });

  for (const v of [21, 25]) {
    test(`java${v}: -version runs; a jar sees > 100 trusted CA certificates`, async (t) => {
      if (!ready(t)) return;
      const name = `java${v}`;
      const { dir, img } = await images(t, name);
      assert.deepEqual(dockerInspect(img.latest.tag).Config.Entrypoint, ['/usr/bin/java', '-jar']);
      const ver = dockerRun(['--entrypoint', '/usr/bin/java', img.latest.tag, '-version']);
      assert.equal(ver.status, 0, ver.stderr);
      assert.match(ver.stderr, new RegExp(`^openjdk version "${v}[."]`, 'm'), ver.stderr);
      for (const variant of VARIANTS) {
        const out = dockerRunOk(['-v', `${dir}:/t:ro`, img[variant].tag, '/t/certs.jar']);
        const m = /^trusted=(\d+) java=(\S+)$/m.exec(out);
        assert.ok(m, out);
        assert.ok(Number(m[1]) > 100, `${variant}: ${m[1]} trusted certificates`);
        assert.match(m[2] as string, new RegExp(`^${v}`));
      }
      commonChecks(name, dir, img);
    });
  }
});
