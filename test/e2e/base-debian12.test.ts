/**
 * Issue 4 acceptance, debian12 (bookworm): base, python3 (3.11) and java17 built by `distill base
 * --debian 12`, loaded into the real Docker engine and run. Needs the Debian archive; docker, gcc,
 * libssl-dev and a JDK (javac/jar) on the host.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { needTools } from '../helpers/cli.ts';
import {
  buildBase,
  dockerInspect,
  dockerLoad,
  dockerRemove,
  dockerRun,
  dockerRunOk,
  needFile,
  testPrograms,
} from '../helpers/docker.ts';

const REPO = `distill-e2e-d12-${process.pid}`;
const loaded: string[] = [];
let dir: Promise<string> | undefined;

function ready(t: TestContext): boolean {
  return (
    needTools(t, ['docker.io:docker', 'gcc', 'default-jdk-headless:javac', 'default-jdk-headless:jar']) &&
    needFile(t, '/usr/include/openssl/ssl.h', 'libssl-dev')
  );
}

async function workDir(): Promise<string> {
  dir ??= mkdtemp(join(tmpdir(), 'distill-e2e-d12-')).then((d) => {
    for (const p of ['tool', 'ssl', 'jar'] as const) testPrograms[p](d);
    return d;
  });
  return dir;
}

/** Builds `ref` for debian12 and loads it; returns the tag and the CLI's JSON. */
async function load(ref: string) {
  const d = await workDir();
  const archive = join(d, `${ref.replace(':', '-')}.tar`);
  const tag = `${REPO}/${ref.replace(':', '-')}:test`;
  const result = await buildBase(ref, ['--debian', '12', '--archive', archive, '--tag', tag]);
  assert.equal(result.debian, 12);
  assert.deepEqual(await dockerLoad(archive), [tag]);
  loaded.push(tag);
  await rm(archive, { force: true });
  return { tag, result, dir: d };
}

after(async () => {
  dockerRemove(loaded);
  if (dir) await rm(await dir, { recursive: true, force: true });
});

describe('distill base --debian 12 in the Docker engine', { timeout: 600_000 }, () => {
  test('base: bookworm os-release; a libssl binary runs as root and nonroot', async (t) => {
    if (!ready(t)) return;
    for (const ref of ['base', 'base:nonroot']) {
      const { tag, dir } = await load(ref);
      const mount = ['-v', `${dir}:/t:ro`];
      const osr = dockerRunOk([...mount, tag, '/t/tool', 'cat', '/usr/lib/os-release']);
      assert.match(osr, /^PRETTY_NAME="Distroless"$/m);
      assert.match(osr, /^VERSION_ID="12"$/m);
      assert.match(osr, /bookworm/);
      assert.match(dockerRunOk([...mount, tag, '/t/ssl']), /^OpenSSL 3\.0\.\S+ .* sha256\(abc\)=ba7816bf$/m);
      const uid = ref.endsWith('nonroot') ? 65532 : 0;
      assert.equal(dockerRunOk([...mount, tag, '/t/tool']).trim(), `hello static uid=${uid}`);
      const sh = dockerRun([tag, '/bin/sh']);
      assert.notEqual(sh.status, 0);
      assert.match(sh.stderr, /no such file or directory/i);
    }
  });

  test('python3: Python 3.11 with ssl, sqlite3, zoneinfo, ctypes.util.find_library, CA certificates', async (t) => {
    if (!ready(t)) return;
    const { tag, result } = await load('python3');
    assert.match(result.runtimeVersion ?? '', /^3\.11\./);
    assert.deepEqual(dockerInspect(tag).Config.Entrypoint, ['/usr/bin/python3.11']);
    const script = `
import ssl, sqlite3, json, zoneinfo, ctypes.util, sys, datetime
ny = zoneinfo.ZoneInfo("America/New_York")
jan = datetime.datetime(2024, 1, 15, 12, tzinfo=datetime.timezone.utc)
print(json.dumps({
  "version": sys.version.split()[0],
  "ssl": ctypes.util.find_library("ssl"),
  "ca": len(ssl.create_default_context().get_ca_certs()),
  "sqlite": sqlite3.sqlite_version,
  "ny": jan.astimezone(ny).utcoffset().total_seconds(),
}))
`;
    const out = JSON.parse(dockerRunOk([tag, '-c', script]));
    assert.match(out.version, /^3\.11\./);
    assert.equal(out.ssl, 'libssl.so.3');
    assert.ok(out.ca > 100, `${out.ca} CA certificates`);
    assert.match(out.sqlite, /^3\./);
    assert.equal(out.ny, -18000);
    const sec = [
      '--read-only',
      '--user',
      '65532',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
    ];
    assert.equal(dockerRunOk([...sec, tag, '-c', 'import os; print(os.getuid())']).trim(), '65532');
  });

  test('java17: -version runs; a jar sees > 100 trusted CA certificates', async (t) => {
    if (!ready(t)) return;
    const { tag, dir } = await load('java17');
    assert.deepEqual(dockerInspect(tag).Config.Entrypoint, ['/usr/bin/java', '-jar']);
    const ver = dockerRun(['--entrypoint', '/usr/bin/java', tag, '-version']);
    assert.equal(ver.status, 0, ver.stderr);
    assert.match(ver.stderr, /^openjdk version "17[."]/m);
    const out = dockerRunOk(['-v', `${dir}:/t:ro`, tag, '/t/certs.jar']);
    const m = /^trusted=(\d+) java=(17\S*)$/m.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[1]) > 100, `${m[1]} trusted certificates`);
  });
});
