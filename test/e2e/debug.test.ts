/**
 * `distill debug` against real runtimes: a nonroot python3 catalogue image (built by distill)
 * serving `python3 -m http.server` as uid 65532 in its own network namespace, started once with
 * runc directly (a bundle under bundleDir(id), as `distill run` leaves one, found through
 * readRunTarget) and once in the Docker engine (`--user 65532 --read-only --network none`). From
 * the debug shell — one command, and the interactive shell on a pty — `ps` shows the app,
 * /proc/1/root/etc/os-release is the target's, `wget localhost:PORT` reaches the app (its network
 * namespace, which the host cannot reach), and the target has no new or changed file afterwards.
 * The same again for a container started by `distill run --detach` (found by its name). Then
 * every coded error, each leaving no debug bundle or container behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { bundleDir, runcRoot } from '../../src/run/index.ts';
import { distill, needTools } from '../helpers/cli.ts';
import { buildBase, dockerLoad, dockerRemove } from '../helpers/docker.ts';
import { onPty } from '../helpers/pty.ts';
import { REPO_ROOT, requireDocker, run, runOk } from '../helpers/tools.ts';

const TAG = `distill-e2e-debug-${process.pid}/python3:nonroot`;
let dir: string | undefined;
let built: Promise<{ layout: string; archive: string }> | undefined;

/** python3:nonroot as an OCI layout and a docker archive, built once. */
function python3(t: TestContext) {
  built ??= (async () => {
    dir = await mkdtemp(join(tmpdir(), 'distill-debug-e2e-'));
    const layout = join(dir, 'py');
    const archive = join(dir, 'py.tar');
    await buildBase('python3:nonroot', ['--output', layout, '--archive', archive, '--tag', TAG]);
    return { layout, archive };
  })();
  t.diagnostic(`image ${TAG}`);
  return built;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether process `pid`'s network namespace has a TCP listener on `port`. */
async function listening(pid: number, port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const f of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${f}`, 'utf8').catch(() => '');
    if (text.split('\n').some((l) => new RegExp(`^\\s*\\d+: [0-9A-F]+:${hex} [0-9A-F]+:0000 0A`).test(l)))
      return true;
  }
  return false;
}

async function waitListening(pid: number, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await listening(pid, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port} in the namespace of pid ${pid}`);
}

/** Every path under `root` with its type, mode, size and mtime: what "no new files" compares. */
async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of (await readdir(root, { recursive: true })).map(String).sort()) {
    const s = await lstat(join(root, p));
    out.push(`${p} ${s.mode.toString(8)} ${s.isDirectory() ? '-' : s.size} ${s.mtimeMs}`);
  }
  return out;
}

/** What `distill debug` left in its own state: bundles and runc containers (there must be none). */
async function leftovers(runRoot: string): Promise<string[]> {
  const bundles = await readdir(join(runRoot, 'debug', 'bundles')).catch(() => [] as string[]);
  const listed = run('runc', ['--root', join(runRoot, 'debug', 'runc'), 'list', '-q']).stdout.trim();
  return [...bundles, ...(listed ? listed.split('\n') : [])];
}

const PORT_BASE = 20_000 + (process.pid % 10_000);

/** The same inspection, once as one command and once interactively on a pty. */
async function inspect(target: string, pid: number, port: number, env: Record<string, string>) {
  const osRelease = await readFile(`/proc/${pid}/root/etc/os-release`, 'utf8');
  const r = distill(
    [
      'debug',
      target,
      '--',
      'sh',
      '-c',
      `ps; echo ---; cat /proc/1/root/etc/os-release; echo ---; wget -qO- localhost:${port}; echo ---; id -u; id -g`,
    ],
    env,
  );
  assert.equal(r.status, 0, r.stderr);
  const [ps, os, page, ids] = r.stdout.split('---\n');
  assert.match(ps ?? '', new RegExp(`^\\s+1 65532\\s+/usr/bin/python3 -m http\\.server ${port}`, 'm'));
  assert.equal(os, osRelease);
  assert.match(os ?? '', /^PRETTY_NAME="Distroless"/m);
  assert.match(page ?? '', /Directory listing for \//);
  assert.equal(ids, '65532\n65532\n');

  // The shell's system calls pass Docker's default seccomp profile: filtered (mode 2), and
  // unshare (allowed to an unprivileged process by this kernel) refused.
  const f = distill(
    ['debug', target, '--', 'sh', '-c', 'grep Seccomp: /proc/self/status; unshare -U true'],
    env,
  );
  assert.match(f.stdout, /^Seccomp:\s+2$/m);
  assert.notEqual(f.status, 0, 'unshare -U succeeded in the debug shell');
  assert.match(f.stderr, /unshare.*(Operation not permitted|EPERM)/i);

  // The shell's exit status is distill's.
  assert.equal(distill(['debug', target, '--', 'sh', '-c', 'exit 7'], env).status, 7);

  const s = onPty([process.execPath, join(REPO_ROOT, 'bin', 'distill.js'), 'debug', target], env);
  try {
    const prompt = /\[debug [^\]]+\] \/ \$ /;
    await s.waitFor(prompt);
    let from = s.output().length;
    s.type('ps\n');
    await s.waitFor(new RegExp(`1 65532 +/usr/bin/python3 -m http\\.server ${port}`), 30_000, from);
    await s.waitFor(prompt, 30_000, from);
    from = s.output().length;
    s.type('cat /proc/1/root/etc/os-release\n');
    await s.waitFor(/PRETTY_NAME="Distroless"/, 30_000, from);
    await s.waitFor(prompt, 30_000, from);
    from = s.output().length;
    s.type(`wget -qO- localhost:${port} | grep -c '<h1>Directory listing'; echo "uid=$(id -u)"\n`);
    await s.waitFor(/\r?\n1\r?\nuid=65532/, 30_000, from);
    s.type('exit 3\n');
    assert.equal(await s.exited, 3, s.output());
    assert.match(s.output(), /distill debug: .*pid \d+, as uid 65532 gid 65532; busybox 1:/);
  } finally {
    s.child.kill();
  }
}

describe('distill debug: a busybox shell in a running nonroot python3 app', { timeout: 900_000 }, () => {
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  test('a runc container (a bundle under bundleDir, found with readRunTarget)', async (t) => {
    if (!needTools(t, ['runc', 'umoci', 'bsdutils:script', 'busybox-static:busybox'])) return;
    const { layout } = await python3(t);
    const runRoot = await runRootDir(t);
    const env = { DISTILL_RUN_ROOT: runRoot };
    const id = 'pyweb';
    const port = PORT_BASE;
    const { pid, rootfs } = await startRuncTarget(layout, id, runRoot, [
      '/usr/bin/python3',
      '-m',
      'http.server',
      String(port),
      '--bind',
      '127.0.0.1',
    ]);
    await waitListening(pid, port);
    // The app's network namespace is its own: the host cannot reach it, the debug shell can.
    assert.equal(
      run('busybox', ['wget', '-qO-', '-T', '2', `http://127.0.0.1:${port}/`]).status === 0,
      false,
    );
    const before = await tree(rootfs);
    await inspect(id, pid, port, env);
    await inspect(`run:${id}`, pid, port, env);
    assert.deepEqual(await tree(rootfs), before, 'the target rootfs changed');
    assert.deepEqual(await leftovers(runRoot), []);
    // --root: uid 0 with SYS_PTRACE reads a uid-65532 target's files; the capability set is the one documented.
    const r = distill(
      [
        'debug',
        '--root',
        id,
        '--',
        'sh',
        '-c',
        'id -u; grep CapEff /proc/self/status; cat /proc/1/root/etc/os-release',
      ],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    // SYS_PTRACE (19), DAC_READ_SEARCH (2), KILL (5).
    assert.match(r.stdout, /^0\nCapEff:\s+0*80024\nPRETTY_NAME="Distroless"/);
    assert.deepEqual(await tree(rootfs), before);
  });

  test('a container started by distill run --detach (found by its --name)', async (t) => {
    if (!needTools(t, ['runc', 'bsdutils:script'])) return;
    const { layout } = await python3(t);
    const runRoot = await runRootDir(t);
    const env = { DISTILL_RUN_ROOT: runRoot };
    const port = PORT_BASE + 3;
    const started = distill(
      [
        'run',
        '--detach',
        '--json',
        '--name',
        'pyrun',
        '--entrypoint',
        '/usr/bin/python3',
        `oci:${layout}`,
        '--',
        '-m',
        'http.server',
        String(port),
        '--bind',
        '127.0.0.1',
      ],
      env,
    );
    assert.equal(started.status, 0, started.stderr);
    const { pid, supervisor, bundle } = JSON.parse(started.stdout) as {
      pid: number;
      supervisor: number;
      bundle: string;
    };
    t.after(() => {
      if (alive(supervisor)) process.kill(supervisor, 'SIGKILL');
    });
    await waitListening(pid, port);
    // Nothing new in the container's writable layer, nor in the shared cached rootfs under it.
    const upper = join(bundle, 'upper');
    const before = { upper: await tree(upper), root: await tree(`/proc/${pid}/root/etc`) };
    await inspect('pyrun', pid, port, env);
    await inspect('run:pyrun', pid, port, env);
    assert.deepEqual(
      { upper: await tree(upper), root: await tree(`/proc/${pid}/root/etc`) },
      before,
      'the target changed',
    );
    assert.deepEqual(await leftovers(runRoot), []);
    // Stopped through its supervisor, which unmounts the bundle before the run root goes.
    process.kill(supervisor, 'SIGTERM');
    for (let i = 0; i < 100 && alive(supervisor); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(supervisor), false, 'the supervisor stopped');
  });

  test('a Docker engine container (docker run --user 65532 --read-only --network none)', async (t) => {
    if (!needTools(t, ['runc', 'bsdutils:script']) || !requireDocker(t)) return;
    const { archive } = await python3(t);
    await dockerLoad(archive);
    t.after(() => dockerRemove([TAG]));
    const runRoot = await runRootDir(t);
    const env = { DISTILL_RUN_ROOT: runRoot };
    const port = PORT_BASE + 1;
    const name = `distill-e2e-debug-${process.pid}`;
    t.after(() => spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' }));
    const cid = runOk('docker', [
      'run',
      '-d',
      '--name',
      name,
      '--user',
      '65532',
      '--read-only',
      '--network',
      'none',
      '--entrypoint',
      '/usr/bin/python3',
      TAG,
      '-m',
      'http.server',
      String(port),
      '--bind',
      '127.0.0.1',
    ]).trim();
    const pid = Number(runOk('docker', ['inspect', '-f', '{{.State.Pid}}', cid]).trim());
    const upper = runOk('docker', ['inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', cid]).trim();
    await waitListening(pid, port);
    const before = { upper: await tree(upper), diff: runOk('docker', ['diff', cid]) };
    await inspect(name, pid, port, env);
    await inspect(`docker:${cid.slice(0, 12)}`, pid, port, env);
    assert.deepEqual({ upper: await tree(upper), diff: runOk('docker', ['diff', cid]) }, before);
    assert.deepEqual(await leftovers(runRoot), []);
  });

  test('coded errors: not found, not running, engine unreachable, busybox fetch failure, no runc', async (t) => {
    if (!needTools(t, ['runc', 'umoci']) || !requireDocker(t)) return;
    const { layout, archive } = await python3(t);
    const runRoot = await runRootDir(t);
    const env = { DISTILL_RUN_ROOT: runRoot };
    const fails = (args: string[], code: string, more: Record<string, string> = {}) => {
      const r = distill(['debug', ...args], { ...env, ...more });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^distill: error ${code}: `), args.join(' '));
      return r.stderr;
    };
    const missing = `no-such-container-${process.pid}`;
    fails([missing], 'DEBUG_TARGET_NOT_FOUND');
    fails([`run:${missing}`], 'DEBUG_TARGET_NOT_FOUND');
    fails([`docker:${missing}`], 'DEBUG_TARGET_NOT_FOUND');
    const noEngine = { DOCKER_HOST: `unix://${join(runRoot, 'no-docker.sock')}` };
    assert.match(fails([`docker:${missing}`], 'DEBUG_ENGINE_UNREACHABLE', noEngine), /no-docker\.sock/);
    assert.match(fails([missing], 'DEBUG_TARGET_NOT_FOUND', noEngine), /docker engine was not reachable/);

    // Not running: a runc container whose process has exited, and a created Docker container.
    await startRuncTarget(layout, 'exited', runRoot, ['/usr/bin/python3', '-c', 'pass']);
    for (
      let i = 0;
      i < 100 &&
      /"status": "running"/.test(
        run('runc', ['--root', runcRoot({ ...process.env, ...env }), 'state', 'exited']).stdout,
      );
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    assert.match(fails(['exited'], 'DEBUG_TARGET_NOT_RUNNING'), /is stopped/);
    await dockerLoad(archive);
    t.after(() => dockerRemove([TAG]));
    const created = `distill-e2e-debug-created-${process.pid}`;
    t.after(() => spawnSync('docker', ['rm', '-f', created], { stdio: 'ignore' }));
    runOk('docker', ['create', '--name', created, TAG]);
    assert.match(fails([created], 'DEBUG_TARGET_NOT_RUNNING'), /is created/);

    // A running target, and no busybox to be had: an empty cache and a mirror that refuses.
    const port = PORT_BASE + 2;
    const live = await startRuncTarget(layout, 'live', runRoot, [
      '/usr/bin/python3',
      '-m',
      'http.server',
      String(port),
      '--bind',
      '127.0.0.1',
    ]);
    await waitListening(live.pid, port);
    const before = await tree(live.rootfs);
    const cache = join(runRoot, 'empty-cache');
    const msg = fails(['live', '--', 'true'], 'DEBUG_BUSYBOX_FETCH_FAILED', {
      DISTILL_CACHE: cache,
      DISTILL_DEBIAN_MIRROR: 'http://127.0.0.1:1/debian',
      DISTILL_DEBIAN_SECURITY_MIRROR: 'http://127.0.0.1:1/debian-security',
    });
    assert.match(msg, /DEBIAN_FETCH_FAILED/);
    assert.deepEqual(await readdir(join(cache, 'rootfs')).catch(() => []), []);
    assert.deepEqual(
      (await readdir(join(cache, 'blobs', 'sha256'))).filter((f) => !f.startsWith('.')),
      [],
    );

    // No runc on PATH (a Docker target, found over the socket): what to install. The busybox is
    // in the cache first, so nothing but runc is missing.
    assert.equal(distill(['debug', 'live', '--', 'true'], env).status, 0);
    const dname = `distill-e2e-debug-noruncs-${process.pid}`;
    t.after(() => spawnSync('docker', ['rm', '-f', dname], { stdio: 'ignore' }));
    runOk('docker', [
      'run',
      '-d',
      '--name',
      dname,
      '--user',
      '65532',
      '--network',
      'none',
      '--entrypoint',
      '/usr/bin/python3',
      TAG,
      '-m',
      'http.server',
      String(port + 1),
    ]);
    assert.match(
      fails([`docker:${dname}`, '--', 'true'], 'DEBUG_RUNC_NOT_FOUND', { PATH: join(runRoot, 'empty-path') }),
      /Debian package runc/,
    );

    // The bundle cannot be written (DISTILL_RUN_ROOT under a file); runc cannot keep its state (its
    // --root is a file): runc's own error, not a shell status.
    const file = join(runRoot, 'a-file');
    await writeFile(file, '');
    assert.match(
      fails([`docker:${dname}`, '--', 'true'], 'DEBUG_ATTACH_FAILED', { DISTILL_RUN_ROOT: join(file, 'x') }),
      /cannot write the debug bundle/,
    );
    const broken = join(runRoot, 'broken');
    await mkdir(join(broken, 'debug'), { recursive: true });
    await writeFile(join(broken, 'debug', 'runc'), '');
    assert.match(
      fails([`docker:${dname}`, '--', 'true'], 'DEBUG_ATTACH_FAILED', { DISTILL_RUN_ROOT: broken }),
      /runc could not start the debug shell: /,
    );
    assert.deepEqual(await readdir(join(broken, 'debug', 'bundles')), []);

    assert.deepEqual(await tree(live.rootfs), before);
    assert.deepEqual(await leftovers(runRoot), []);
    // Usage errors are exit 2.
    assert.equal(distill(['debug'], env).status, 2);
    assert.equal(distill(['debug', 'live', '--json'], env).status, 2);
    assert.equal(distill(['debug', 'live', '--copy'], env).status, 2);
  });
});

/**
 * A DISTILL_RUN_ROOT for one test; afterwards every runc container under it is deleted (killed)
 * before the folder is removed.
 */
async function runRootDir(t: TestContext): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'distill-debug-run-'));
  t.after(async () => {
    const runc = runcRoot({ ...process.env, DISTILL_RUN_ROOT: root });
    for (const id of run('runc', ['--root', runc, 'list', '-q']).stdout.split('\n').filter(Boolean))
      spawnSync('runc', ['--root', runc, 'delete', '--force', id], { stdio: 'ignore' });
    await rm(root, { recursive: true, force: true });
  });
  return root;
}

/**
 * Unpacks the layout with umoci into bundleDir(id), applies the seed's profile (uid from the image,
 * read-only root, no capabilities, no_new_privileges, its own network namespace) and runs `args`
 * detached with runc under runcRoot(): what `distill run --detach` leaves behind.
 */
async function startRuncTarget(
  layout: string,
  id: string,
  runRoot: string,
  args: string[],
): Promise<{ pid: number; rootfs: string }> {
  const env = { ...process.env, DISTILL_RUN_ROOT: runRoot };
  const bundle = bundleDir(id, env);
  await mkdir(dirname(bundle), { recursive: true });
  runOk('umoci', ['unpack', '--image', `${layout}:${TAG}`, bundle]);
  const configPath = join(bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  config.process.terminal = false;
  config.process.args = args;
  config.process.capabilities = { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] };
  config.process.noNewPrivileges = true;
  config.root.readonly = true;
  assert.deepEqual(config.process.user, { uid: 65532, gid: 65532 });
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const root = runcRoot(env);
  const log = openSync(join(runRoot, `${id}.log`), 'w');
  try {
    const r = spawnSync('runc', ['--root', root, 'run', '-d', '--bundle', bundle, id], {
      stdio: ['ignore', log, log],
      timeout: 60_000,
    });
    assert.equal(r.status, 0, await readFile(join(runRoot, `${id}.log`), 'utf8'));
  } finally {
    closeSync(log);
  }
  const state = JSON.parse(runOk('runc', ['--root', root, 'state', id])) as { pid: number };
  return { pid: state.pid, rootfs: join(bundle, 'rootfs') };
}
