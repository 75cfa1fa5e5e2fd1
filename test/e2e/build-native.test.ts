/**
 * `distill build` of the native, Python and Java examples, loaded into the real Docker engine
 * (--load, through its API socket) and run: the HTTP answer, uid 65532 (each app reports its
 * uid), no /bin/sh. Each example is copied to a temporary directory and built there (gcc, a
 * venv, javac + jar), so the repository stays clean. Bad input — a binary for another
 * architecture, a library no Debian package provides, go.mod without Go — fails with its code
 * and writes nothing at the output path.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { foreignDebsRoot } from '../../src/elf/testing/foreign-debs.ts';
import { distill } from '../helpers/cli.ts';
import { dockerRemove, needFile } from '../helpers/docker.ts';
import { freePort, REPO_ROOT, requireDocker, requireTool, runOk, tempDir } from '../helpers/tools.ts';

const loaded: string[] = [];
after(() => dockerRemove(loaded));

const sh = (cmd: string, args: string[], cwd: string) => runOk(cmd, args, { cwd });

async function example(t: TestContext, name: string): Promise<string> {
  const dir = join(await tempDir(t, `distill-${name}-`), name);
  await cp(join(REPO_ROOT, 'examples', name), dir, { recursive: true });
  return dir;
}

/** The dynamic-sqlite example, compiled against the host's libsqlite3 (undefined: skipped). */
async function sqliteExample(t: TestContext): Promise<string | undefined> {
  if (
    !requireDocker(t) ||
    !requireTool(t, 'gcc', 'gcc') ||
    !needFile(t, '/usr/include/sqlite3.h', 'libsqlite3-dev')
  )
    return undefined;
  const dir = await example(t, 'dynamic-sqlite');
  sh('gcc', ['-O2', '-o', 'sqlite-http', 'main.c', '-lsqlite3'], dir);
  return dir;
}

/** `distill build DIR --load --tag TAG`, asserting success; returns the report. */
function buildLoad(dir: string, tag: string, extra: string[] = []): string {
  const r = distill(['build', dir, '--load', '--tag', tag, ...extra]);
  assert.equal(r.status, 0, `distill build failed:\n${r.stdout}\n${r.stderr}`);
  loaded.push(tag);
  return `${r.stdout}\n${r.stderr}`;
}

/** Runs the image with PORT set, fetches /, and checks uid 65532 and the absence of /bin/sh. */
async function runAndAsk(tag: string, expect: RegExp): Promise<void> {
  const port = await freePort();
  const name = `distill-e2e-${port}`;
  sh(
    'docker',
    ['run', '--rm', '-d', '--network', 'host', '-e', `PORT=${port}`, '--name', name, tag],
    REPO_ROOT,
  );
  try {
    let body = '';
    for (let i = 0; i < 120 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`)
        .then((r) => r.text())
        .catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 250));
    }
    const logs = spawnSync('docker', ['logs', name], { encoding: 'utf8' });
    assert.match(body, expect, `no answer from ${tag}; logs:\n${logs.stdout}${logs.stderr}`);
    assert.match(body, /uid=65532\b/, 'runs as nonroot');
    const user = runOk('docker', ['inspect', '--format', '{{.Config.User}}', tag]).trim();
    assert.equal(user, '65532');
  } finally {
    spawnSync('docker', ['rm', '-f', name]);
  }
  const shell = spawnSync('docker', ['run', '--rm', '--entrypoint', '/bin/sh', tag, '-c', 'true'], {
    encoding: 'utf8',
  });
  assert.notEqual(shell.status, 0, 'the image must have no /bin/sh');
  assert.match(shell.stderr, /no such file|not found/i);
}

test('static-c: a static binary on the static base answers, as 65532, with no shell', async (t) => {
  if (
    !requireDocker(t) ||
    !requireTool(t, 'gcc', 'gcc') ||
    !needFile(t, '/usr/lib/x86_64-linux-gnu/libc.a', 'libc6-dev')
  )
    return;
  const dir = await example(t, 'static-c');
  sh('gcc', ['-static', '-O2', '-o', 'server', 'server.c'], dir);
  const report = buildLoad(dir, 'distill-e2e/static-c:test');
  assert.match(report, /native binary: server.*statically linked \(static\): base image static/s);
  await runAndAsk('distill-e2e/static-c:test', /^hello from static-c uid=65532$/m);
  const layers = runOk('docker', [
    'inspect',
    '--format',
    '{{json .RootFS.Layers}}',
    'distill-e2e/static-c:test',
  ]);
  assert.equal(JSON.parse(layers).length, 2, 'the static base (root layer) + the app layer');
});

test('dynamic-sqlite: libsqlite3-0 is added by itself from the Contents lookup, and the program uses it', async (t) => {
  const dir = await sqliteExample(t);
  if (!dir) return;
  const report = buildLoad(dir, 'distill-e2e/dynamic-sqlite:test');
  assert.match(report, /base image base/);
  assert.match(report, /adding libsqlite3-0: libsqlite3-0 provides libsqlite3\.so\.0 for \/app\/sqlite-http/);
  await runAndAsk(
    'distill-e2e/dynamic-sqlite:test',
    /^hello from dynamic-sqlite: sqlite 3\.\d+\.\d+ says 42 uid=65532$/m,
  );
});

test('dynamic-sqlite --compression zstd:9: base, package and app layers all zstd; the engine runs it', async (t) => {
  const dir = await sqliteExample(t);
  if (!dir) return;
  const layout = join(dir, 'out');
  buildLoad(dir, 'distill-e2e/dynamic-sqlite:zstd', ['--compression', 'zstd:9', '--output', layout]);
  const blob = async (d: string) => readFile(join(layout, 'blobs', ...d.split(':')), 'utf8');
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(await blob(index.manifests[0].digest));
  const types = manifest.layers.map((l: { mediaType: string }) => l.mediaType);
  assert.equal(types.length, 5, 'the base (root, libc, ssl), libsqlite3-0, the app');
  assert.deepEqual(new Set(types), new Set(['application/vnd.oci.image.layer.v1.tar+zstd']));
  await runAndAsk('distill-e2e/dynamic-sqlite:zstd', /sqlite 3\.\d+\.\d+ says 42 uid=65532/);
});

test('dynamic-sqlite on Debian 12: the package comes from the verified Contents index (no guess)', async (t) => {
  const dir = await sqliteExample(t);
  if (!dir) return;
  const report = buildLoad(dir, 'distill-e2e/dynamic-sqlite:debian12', ['--debian', '12']);
  assert.match(report, /adding libsqlite3-0: libsqlite3-0 provides libsqlite3\.so\.0 for \/app\/sqlite-http/);
  assert.doesNotMatch(report, /guessed/, "bookworm's Contents files match its signed Release");
  await runAndAsk('distill-e2e/dynamic-sqlite:debian12', /sqlite 3\.\d+\.\d+ says 42 uid=65532/);
});

test("python-http: dependencies from a venv in their own layer, on the image Python's sys.path", async (t) => {
  if (!requireDocker(t) || !requireTool(t, 'python3', 'python3-venv')) return;
  const dir = await example(t, 'python-http');
  sh('python3', ['-m', 'venv', '.venv'], dir);
  sh(
    join(dir, '.venv/bin/pip'),
    ['install', '-q', '--no-index', '--no-build-isolation', './vendor/greeting'],
    dir,
  );
  const report = buildLoad(dir, 'distill-e2e/python-http:test');
  assert.match(report, /dependencies from the virtual environment \.venv\/lib\/python3\.\d+\/site-packages/);
  assert.match(report, /dependencies layer at \/usr\/local\/lib\/python3\.13\/dist-packages/);
  await runAndAsk('distill-e2e/python-http:test', /^hello from python-http \(greeting 0\.1\.0\) uid=65532$/m);
  const layers = JSON.parse(
    runOk('docker', ['inspect', '--format', '{{json .RootFS.Layers}}', 'distill-e2e/python-http:test']),
  );
  assert.ok(layers.length >= 7, 'base layers + deps + app');
  // A code change rebuilds only the app layer: every layer below it keeps its digest.
  await writeFile(join(dir, 'main.py'), `${await readFile(join(dir, 'main.py'), 'utf8')}\n# changed\n`);
  buildLoad(dir, 'distill-e2e/python-http:test2');
  const after = JSON.parse(
    runOk('docker', ['inspect', '--format', '{{json .RootFS.Layers}}', 'distill-e2e/python-http:test2']),
  );
  assert.deepEqual(after.slice(0, -1), layers.slice(0, -1));
  assert.notEqual(after.at(-1), layers.at(-1));
});

test('python-http with sitePackages: in distill.yaml (a directory pip installed into with --target)', async (t) => {
  if (!requireDocker(t) || !requireTool(t, 'python3', 'python3-venv')) return;
  const dir = await example(t, 'python-http');
  sh(
    'python3',
    [
      '-m',
      'pip',
      'install',
      '-q',
      '--no-index',
      '--no-build-isolation',
      '--target',
      'deps',
      './vendor/greeting',
    ],
    dir,
  );
  await writeFile(join(dir, 'distill.yaml'), 'sitePackages: deps\n');
  await writeFile(join(dir, '.distillignore'), 'vendor\ndeps\nREADME.md\n');
  const report = buildLoad(dir, 'distill-e2e/python-http:site');
  assert.match(report, /dependencies from deps \(--site-packages\)/);
  await runAndAsk('distill-e2e/python-http:site', /greeting 0\.1\.0\) uid=65532/);
});

test('java-http: a runnable jar on java21, its Class-Path jar in its own layer, java -jar /app/app.jar', async (t) => {
  if (
    !requireDocker(t) ||
    !requireTool(t, 'javac', 'default-jdk-headless') ||
    !requireTool(t, 'jar', 'default-jdk-headless')
  )
    return;
  const dir = await example(t, 'java-http');
  sh('javac', ['--release', '17', '-d', 'target/lib-classes', 'lib-src/greeting/Greeting.java'], dir);
  await mkdir(join(dir, 'target', 'lib'), { recursive: true });
  sh('jar', ['--create', '--file', 'target/lib/greeting.jar', '-C', 'target/lib-classes', '.'], dir);
  sh(
    'javac',
    ['--release', '17', '-cp', 'target/lib/greeting.jar', '-d', 'target/classes', 'src/Main.java'],
    dir,
  );
  sh(
    'jar',
    ['--create', '--file', 'target/java-http.jar', '--manifest', 'manifest.txt', '-C', 'target/classes', '.'],
    dir,
  );
  const report = buildLoad(dir, 'distill-e2e/java-http:test');
  assert.match(report, /Java application: target\/java-http\.jar, Main-Class Main/);
  assert.match(report, /base java21/);
  assert.match(report, /1 Class-Path entry in their own layer/);
  await runAndAsk(
    'distill-e2e/java-http:test',
    /^hello from java-http \(greeting\.jar\) on Java 21 uid=65532$/m,
  );
  const config = JSON.parse(
    runOk('docker', ['inspect', '--format', '{{json .Config.Entrypoint}}', 'distill-e2e/java-http:test']),
  );
  assert.deepEqual(config, ['/usr/bin/java', '-jar', '/app/app.jar']);
});

/** Builds DIR to an archive and an OCI layout expecting failure with `code`; nothing may be written. */
async function buildFails(
  t: TestContext,
  dir: string,
  code: string,
  message: RegExp,
  env: Record<string, string> = {},
) {
  const out = await tempDir(t, 'distill-out-');
  const archive = join(out, 'x.tar');
  const layout = join(out, 'layout');
  const r = distill(
    ['build', dir, '--archive', archive, '--output', layout, '--tag', 'distill-e2e/bad:test', '--no-lock'],
    env,
  );
  assert.equal(r.status, 1, `expected failure:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, new RegExp(`distill: error ${code}: `));
  assert.match(r.stderr, message);
  assert.equal(existsSync(archive), false, 'no archive written');
  assert.equal(existsSync(layout), false, 'no layout written');
}

test('bad input: an aarch64 binary for an amd64 image is APP_ELF_WRONG_ARCH, nothing written', async (t) => {
  const arm = await foreignDebsRoot('arm64', ['busybox-static']);
  if ('skip' in arm) {
    if (process.env.CI === 'true') assert.fail(arm.skip);
    t.skip(arm.skip);
    return;
  }
  const dir = join(await tempDir(t), 'arm-app');
  await mkdir(dir);
  await copyFile(join(arm.root, 'bin', 'busybox'), join(dir, 'server'));
  await chmod(join(dir, 'server'), 0o755);
  await buildFails(t, dir, 'APP_ELF_WRONG_ARCH', /server .*aarch64 \(arm64\), but the image is amd64/);
});

test('bad input: a library no Debian package provides is APP_LIBRARY_UNAVAILABLE naming it, nothing written', async (t) => {
  if (!requireTool(t, 'gcc', 'gcc')) return;
  const dir = join(await tempDir(t), 'unpackaged');
  const libdir = join(dir, '..', 'libsrc');
  await mkdir(dir);
  await mkdir(libdir);
  await writeFile(join(libdir, 'mine.c'), 'int distill_mine(void) { return 42; }\n');
  await writeFile(
    join(dir, 'main.c'),
    'int distill_mine(void);\nint main(void) { return distill_mine() == 42 ? 0 : 1; }\n',
  );
  sh(
    'gcc',
    ['-shared', '-fPIC', '-Wl,-soname,libdistillmine.so.1', '-o', 'libdistillmine.so.1', 'mine.c'],
    libdir,
  );
  await copyFile(join(libdir, 'libdistillmine.so.1'), join(libdir, 'libdistillmine.so'));
  sh('gcc', ['-o', 'app', 'main.c', `-L${libdir}`, '-ldistillmine'], dir);
  await writeFile(join(dir, '.distillignore'), '*.c\n');
  await buildFails(
    t,
    dir,
    'APP_LIBRARY_UNAVAILABLE',
    /libdistillmine\.so\.1 \(needed by \/app\/app\) is not in the image and no Debian 13 package provides it/,
  );
});

test('bad input: go.mod without Go on PATH is APP_GO_MISSING, nothing written', async (t) => {
  const dir = join(await tempDir(t), 'hello-go');
  await mkdir(dir);
  await writeFile(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.22\n');
  await writeFile(join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
  // Go may be installed here (.ci/run installs golang-go): a PATH of one empty directory hides it.
  const emptyPath = await tempDir(t, 'distill-no-go-');
  await buildFails(t, dir, 'APP_GO_MISSING', /no go on PATH/, { PATH: emptyPath });
});

test('bad input: requirements with no site-packages and no reachable index is APP_PYTHON_DEPS_UNAVAILABLE', async (t) => {
  if (!requireTool(t, 'python3', 'python3-pip')) return;
  // python-http without its venv: the host's pip is asked for greeting==0.1.0, which no index has.
  const dir = await example(t, 'python-http');
  await buildFails(
    t,
    dir,
    'APP_PYTHON_DEPS_UNAVAILABLE',
    /1 requirement\(s\) to install.*\.venv.*--site-packages/s,
  );
});

test('bad input: a musl binary on a glibc base is APP_ELF_MUSL_ON_GLIBC, nothing written', async (t) => {
  if (!requireTool(t, 'musl-gcc', 'musl-tools')) return;
  const dir = join(await tempDir(t), 'musl-app');
  await mkdir(dir);
  await writeFile(join(dir, 'main.c'), '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
  sh('musl-gcc', ['-o', 'app', 'main.c'], dir);
  await writeFile(join(dir, '.distillignore'), '*.c\n');
  await buildFails(
    t,
    dir,
    'APP_ELF_MUSL_ON_GLIBC',
    /app .*linked against musl .*ld-musl-x86_64\.so\.1.*glibc/,
  );
});

test('bad input: a Python extension module for another Python is APP_PYTHON_ABI_MISMATCH, nothing written', async (t) => {
  if (!requireTool(t, 'gcc', 'gcc')) return;
  const dir = await example(t, 'python-http');
  const site = join(dir, 'deps');
  await mkdir(join(site, 'fast'), { recursive: true });
  await writeFile(join(site, 'fast', 'speed.c'), 'int speed(void) { return 1; }\n');
  // An extension module as CPython 3.11 names it; the image runs 3.13.
  sh('gcc', ['-shared', '-fPIC', '-o', 'fast/_speed.cpython-311-x86_64-linux-gnu.so', 'fast/speed.c'], site);
  await writeFile(join(dir, 'distill.yaml'), 'sitePackages: deps\n');
  await buildFails(
    t,
    dir,
    'APP_PYTHON_ABI_MISMATCH',
    /_speed\.cpython-311-x86_64-linux-gnu\.so\) is a Python 3\.11 extension module, but the image's Python is 3\.13/,
  );
});
