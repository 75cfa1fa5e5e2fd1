/**
 * `distill run` with the real runc: exit codes, --env, --volume ro/rw, --rm, --detach and a signal
 * to stop it, Ctrl-C forwarded, --network host, a terminal, the unpack cache (reused; an
 * interrupted unpack is never used), seccomp really applied (the same bundle without it lets
 * keyctl through), an arm64 image under qemu-user-static with the same profile, and every bad
 * input's error code with nothing written. Images: static:nonroot
 * and python3:nonroot built by `distill base`, and small synthetic ones for the error cases.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { writeImage } from '../../src/api/index.ts';
import { createImage } from '../../src/oci/index.ts';
import { needTools } from '../helpers/cli.ts';
import { distillAsync } from '../helpers/docker.ts';
import { gzipLayer } from '../helpers/images.ts';
import { buildRunProbe, parseProbe } from '../helpers/run-probe.ts';
import { REPO_ROOT, requireBinfmt, runDistill } from '../helpers/tools.ts';

const BIN = join(REPO_ROOT, 'bin', 'distill.js');
let dir = '';
let probe = '';
let staticRef = '';
let pyRef = '';
let nodeRef = '';
/** The run's own cache (unpacked chains only) and run root: each test sees just its containers. */
let env: Record<string, string> = {};
const refs: Record<string, string> = {};

after(async () => {
  if (!dir) return;
  // Whatever a failed test left running or mounted goes first.
  for (const id of bundles()) {
    spawnSync('runc', ['--root', join(env.DISTILL_RUN_ROOT as string, 'runc'), 'delete', '--force', id]);
    spawnSync('umount', [join(env.DISTILL_RUN_ROOT as string, 'bundles', id, 'rootfs')]);
  }
  await rm(dir, { recursive: true, force: true });
});

before(async () => {
  if (spawnSync('runc', ['--version']).status !== 0 && process.env.CI !== 'true') return;
  dir = mkdtempSync(join(tmpdir(), 'distill-e2e-runcli-'));
  probe = buildRunProbe(mkdirp(join(dir, 'probe')));
  env = { DISTILL_CACHE: join(dir, 'cache'), DISTILL_RUN_ROOT: join(dir, 'run') };
  const [s, p, n] = await Promise.all(
    ['static:nonroot', 'python3:nonroot', 'nodejs24:nonroot'].map(async (name) => {
      const out = join(dir, name.replace(':', '-'));
      // Built with the user's cache (the packages), run with the test's own.
      const r = await distillAsync(['base', name, '--output', out, '--quiet']);
      if (r.status !== 0) throw new Error(`distill base ${name}: ${r.stderr}`);
      return `oci:${out}`;
    }),
  );
  staticRef = s as string;
  pyRef = p as string;
  nodeRef = n as string;
  // Synthetic images for the error cases.
  const passwd = {
    'etc/passwd': 'root:x:0:0::/root:/x\nnonroot:x:65532:65532::/home/nonroot:/x\n',
    'etc/group': 'root:x:0:\n',
  };
  const mk = async (name: string, config: Record<string, unknown>, architecture = 'amd64') => {
    const img = createImage({
      config: { architecture, os: 'linux', config },
      layers: [await gzipLayer(passwd)],
    });
    await writeImage(img, `oci:${join(dir, name)}:latest`);
    refs[name] = `oci:${join(dir, name)}`;
  };
  await mk('ghost-user', { User: 'ghost', Cmd: ['/x'] });
  await mk('no-command', { User: '65532' });
  await mk('mips', { User: '65532', Cmd: ['/x'] }, 'mips64le');
});

function mkdirp(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}

function ready(t: TestContext): boolean {
  return needTools(t, ['runc', 'gcc']);
}

function distill(args: string[], extra: Record<string, string> = {}) {
  return runDistill(args, { ...env, ...extra });
}

function probeArgs(...extra: string[]): string[] {
  return ['--entrypoint', '/probe/probe', '--volume', `${probe}:/probe:ro`, ...extra];
}

const bundles = () =>
  existsSync(join(env.DISTILL_RUN_ROOT as string, 'bundles'))
    ? readdirSync(join(env.DISTILL_RUN_ROOT as string, 'bundles'))
    : [];
const mounted = (p: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === p);
const runcState = (id: string) =>
  spawnSync('runc', ['--root', join(env.DISTILL_RUN_ROOT as string, 'runc'), 'state', id], {
    encoding: 'utf8',
  });

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('distill run (real runc)', () => {
  test('the exit code is the container’s; --env adds to and overrides the image env; WorkingDir is the cwd', (t) => {
    if (!ready(t)) return;
    const seven = distill([
      'run',
      staticRef,
      '--rm',
      ...probeArgs('-e', 'FOO=bar', '--env', 'SSL_CERT_FILE=/x'),
      '--',
      '7',
      'FOO',
      'SSL_CERT_FILE',
      'PATH',
    ]);
    assert.equal(seven.status, 7, seven.stderr);
    const p = parseProbe(seven.stdout);
    assert.equal(p.env_FOO, 'bar');
    assert.equal(p.env_SSL_CERT_FILE, '/x');
    assert.match(p.env_PATH ?? '', /\/usr\/bin/);
    assert.equal(p.cwd, '/home/nonroot');
    assert.equal(
      seven.stderr.includes('distill: error'),
      false,
      'a container exit is not an error of distill',
    );
    assert.equal(distill(['run', staticRef, '--rm', ...probeArgs(), '--', '0']).status, 0);
    // --json: the result after the container's own output.
    const j = distill(['run', staticRef, '--rm', '--json', '--name', 'json-1', ...probeArgs(), '--', '3']);
    assert.equal(j.status, 3);
    const result = JSON.parse(j.stdout.slice(j.stdout.indexOf('{\n')));
    assert.equal(result.id, 'json-1');
    assert.equal(result.exitCode, 3);
  });

  test('--volume ro cannot be written; rw can (as the image user); --network host sees the host interfaces; -t gives a terminal', (t) => {
    if (!ready(t)) return;
    const data = mkdirp(join(dir, 'data'));
    chmodSync(data, 0o777);
    const write =
      "import sys\ntry:\n open('/data/f','w').write('x'); print('wrote')\nexcept OSError as e: print(e.strerror)";
    const ro = distill(['run', pyRef, '--rm', '-v', `${data}:/data:ro`, '--', '-c', write]);
    assert.equal(ro.status, 0, ro.stderr);
    assert.match(ro.stdout, /Read-only file system/);
    assert.equal(existsSync(join(data, 'f')), false);
    const rw = distill(['run', pyRef, '--rm', '-v', `${data}:/data`, '--', '-c', write]);
    assert.match(rw.stdout, /wrote/);
    assert.equal(statSync(join(data, 'f')).uid, 65532);
    const host = parseProbe(distill(['run', staticRef, '--rm', '--network', 'host', ...probeArgs()]).stdout);
    assert.ok(Number(host.net_ifaces) > 1, `host interfaces: ${host.net_ifaces}`);
    // A pseudo-terminal from script(1): with -t the container's stdout is a terminal.
    const cmd = [BIN, 'run', staticRef, '--rm', '-t', ...probeArgs()].map((a) => `'${a}'`).join(' ');
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${cmd}`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    assert.equal(tty.status, 0, tty.stderr);
    assert.match(tty.stdout, /tty=1/);
    assert.match(distill(['run', staticRef, '--rm', ...probeArgs()]).stdout, /tty=0/);
  });

  test('--rm deletes the bundle; without it the bundle stays (unmounted); runc forgets the container either way', (t) => {
    if (!ready(t)) return;
    assert.equal(distill(['run', staticRef, '--rm', '--name', 'rm-1', ...probeArgs()]).status, 0);
    assert.equal(bundles().includes('rm-1'), false);
    assert.notEqual(runcState('rm-1').status, 0);
    assert.equal(distill(['run', staticRef, '--name', 'keep-1', ...probeArgs()]).status, 0);
    const b = join(env.DISTILL_RUN_ROOT as string, 'bundles', 'keep-1');
    assert.ok(existsSync(join(b, 'config.json')));
    assert.equal(mounted(join(b, 'rootfs')), false);
    assert.notEqual(runcState('keep-1').status, 0);
    // The name is free again: the stale bundle is replaced.
    assert.equal(distill(['run', staticRef, '--rm', '--name', 'keep-1', ...probeArgs()]).status, 0);
    assert.equal(bundles().includes('keep-1'), false);
  });

  test('a run root on overlayfs (distill inside a container): the upper layer goes on a tmpfs in the bundle; nothing reaches the cache or stays mounted', (t) => {
    if (!ready(t)) return;
    const base = mkdirp(join(dir, 'overlay-host'));
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirp(join(base, d));
    const m = spawnSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${join(base, 'lower')},upperdir=${join(base, 'upper')},workdir=${join(base, 'work')}`,
      join(base, 'merged'),
    ]);
    assert.equal(m.status, 0, String(m.stderr));
    try {
      const runRoot = join(base, 'merged', 'run');
      const r = distill(['run', staticRef, '--name', 'ovl-1', ...probeArgs(), '--', '5'], {
        DISTILL_RUN_ROOT: runRoot,
      });
      assert.equal(r.status, 5, r.stderr);
      assert.equal(parseProbe(r.stdout).uid, '65532');
      const b = join(runRoot, 'bundles', 'ovl-1');
      assert.ok(existsSync(join(b, 'scratch')), 'the tmpfs upper was used');
      assert.equal(mounted(join(b, 'rootfs')), false);
      assert.equal(mounted(join(b, 'scratch')), false);
      // runc made the /probe mount point in the upper layer, never in the cached chain.
      const store = join(env.DISTILL_CACHE as string, 'rootfs');
      for (const c of readdirSync(store).filter((n) => /^[0-9a-f]{64}$/.test(n)))
        assert.equal(existsSync(join(store, c, 'probe')), false, c);
      assert.equal(distill(['rm', 'ovl-1'], { DISTILL_RUN_ROOT: runRoot }).status, 0);
      assert.equal(existsSync(b), false);
    } finally {
      spawnSync('umount', ['-l', join(base, 'merged')]);
    }
  });

  test('--detach prints the container, which runs as the image user until a signal stops it; --rm then cleans up', async (t) => {
    if (!ready(t)) return;
    // A server with a SIGTERM handler: a signal to its pid from the host stops it.
    const handled =
      'import signal,time,sys\nsignal.signal(signal.SIGTERM, lambda *a: sys.exit(0))\nprint("up", flush=True)\nwhile True: time.sleep(1)';
    const d = distill(['run', pyRef, '--detach', '--rm', '--json', '--name', 'bg-1', '--', '-c', handled]);
    assert.equal(d.status, 0, d.stderr);
    const r = JSON.parse(d.stdout) as { id: string; pid: number; log: string; supervisor: number };
    assert.equal(r.id, 'bg-1');
    const st = JSON.parse(runcState('bg-1').stdout) as { status: string; pid: number };
    assert.equal(st.status, 'running');
    assert.equal(st.pid, r.pid);
    assert.equal(statSync(`/proc/${r.pid}`).uid, 65532);
    await until(() => readFileSync(r.log, 'utf8').includes('up'));
    // The name is taken while it runs; nothing of the running container is touched.
    const taken = distill(['run', staticRef, '--name', 'bg-1', ...probeArgs()]);
    assert.equal(taken.status, 1);
    assert.match(taken.stderr, /distill: error RUN_NAME_IN_USE: /);
    assert.equal(runcState('bg-1').status, 0);
    // Still being prepared (a live distill answers for its bundle, runc does not know it yet):
    // taken too, and its bundle left as it is.
    const preparing = join(env.DISTILL_RUN_ROOT as string, 'bundles', 'prep-1');
    mkdirSync(preparing, { recursive: true });
    const start = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
    writeFileSync(join(preparing, 'supervisor.json'), JSON.stringify({ pid: process.pid, start }));
    const busy = distill(['run', staticRef, '--name', 'prep-1', ...probeArgs()]);
    assert.match(busy.stderr, /distill: error RUN_NAME_IN_USE: /);
    assert.ok(existsSync(join(preparing, 'supervisor.json')));
    rmSync(preparing, { recursive: true });
    process.kill(r.pid, 'SIGTERM');
    await until(() => runcState('bg-1').status !== 0 && !bundles().includes('bg-1'));

    // No handler (pid 1 of its namespace would never see SIGTERM): SIGTERM to the supervisor
    // that --detach started stops it all the same.
    const bare = 'import time\nprint("up", flush=True)\nwhile True: time.sleep(1)';
    const d2 = distill(['run', pyRef, '--detach', '--rm', '--json', '--name', 'bg-2', '--', '-c', bare]);
    assert.equal(d2.status, 0, d2.stderr);
    const r2 = JSON.parse(d2.stdout) as { pid: number; supervisor: number; log: string };
    await until(() => readFileSync(r2.log, 'utf8').includes('up'));
    process.kill(r2.supervisor, 'SIGTERM');
    await until(() => runcState('bg-2').status !== 0 && !bundles().includes('bg-2'));
  });

  test('Ctrl-C (SIGINT to distill) reaches the container once and its exit code comes back; SIGTERM stops Node.js as pid 1', async (t) => {
    if (!ready(t)) return;
    const sigint = async (
      name: string,
      code: string,
      ref = pyRef,
      flag = '-c',
      sig: NodeJS.Signals = 'SIGINT',
    ) => {
      const child: ChildProcess = spawn(
        process.execPath,
        [BIN, 'run', ref, '--rm', '--name', name, '--', flag, code],
        {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout?.on('data', (b: Buffer) => {
        out += b.toString();
      });
      const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
      await until(() => out.includes('up'));
      child.kill(sig);
      return { status: await exited, out };
    };
    const caught = await sigint(
      'fg-1',
      'import time\nprint("up", flush=True)\ntry:\n  time.sleep(600)\nexcept KeyboardInterrupt:\n  print("interrupted", flush=True)\n  raise SystemExit(42)',
    );
    assert.equal(caught.status, 42);
    assert.match(caught.out, /^interrupted$/m, 'delivered once: one KeyboardInterrupt');
    assert.equal(bundles().includes('fg-1'), false);
    // A program without a SIGINT handler still stops, with the status SIGINT gives (130).
    const bare = await sigint(
      'fg-2',
      'import signal,time\nsignal.signal(signal.SIGINT, signal.SIG_DFL)\nprint("up", flush=True)\ntime.sleep(600)',
    );
    assert.equal(bare.status, 130);
    assert.equal(bundles().includes('fg-2'), false);
    // Node.js catches SIGTERM only to reset its handler and raise it again, which pid 1 drops:
    // it stops all the same, with SIGTERM's status (143).
    const node = await sigint(
      'fg-3',
      'console.log("up"); setInterval(() => {}, 1000)',
      nodeRef,
      '-e',
      'SIGTERM',
    );
    assert.equal(node.status, 143);
    assert.equal(bundles().includes('fg-3'), false);
  });

  test('the unpack cache: the first run unpacks, the second reuses the same chain', async (t) => {
    if (!ready(t)) return;
    const cache = join(dir, 'cache-reuse');
    const first = distill(['run', staticRef, '--rm', ...probeArgs()], { DISTILL_CACHE: cache });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /unpacking layer 1\/1/);
    // Chains only (the .in-use leases of --rm runs are gone with their bundles).
    const chains = readdirSync(join(cache, 'rootfs')).filter((n) => !n.startsWith('.'));
    assert.equal(chains.length, 1);
    assert.deepEqual(readdirSync(join(cache, 'rootfs', '.in-use')), []);
    const ino = statSync(join(cache, 'rootfs', chains[0] as string)).ino;
    const second = distill(['run', staticRef, '--rm', ...probeArgs()], { DISTILL_CACHE: cache });
    assert.equal(second.status, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /unpacking/);
    assert.equal(statSync(join(cache, 'rootfs', chains[0] as string)).ino, ino);
  });

  test('an interrupted unpack is never used: the next run unpacks again and removes the leftover', async (t) => {
    if (!ready(t)) return;
    const cache = join(dir, 'cache-interrupt');
    const store = join(cache, 'rootfs');
    const child = spawn(process.execPath, [BIN, 'run', pyRef, '--rm', '--', '-c', 'print("ran")'], {
      env: { ...process.env, ...env, DISTILL_CACHE: cache },
      stdio: 'ignore',
    });
    const temps = () => (existsSync(store) ? readdirSync(store).filter((n) => n.startsWith('.tmp-')) : []);
    await until(() => temps().length > 0, 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const left = temps();
    assert.equal(left.length, 1, 'killed mid-unpack: a temp directory is left');
    const finished = readdirSync(store).filter((n) => !n.startsWith('.'));
    const again = distill(['run', pyRef, '--rm', '--', '-c', 'print("ran")'], { DISTILL_CACHE: cache });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^ran$/m);
    // The chain the killed run was making is unpacked again (not taken from its temp directory).
    assert.match(again.stderr, new RegExp(`unpacking layer ${finished.length + 1}/5`));
    assert.deepEqual(temps(), []);
  });

  test('seccomp is really applied: the same bundle without linux.seccomp lets keyctl through', (t) => {
    if (!ready(t)) return;
    const script = `
      const r = await import(${JSON.stringify(join(REPO_ROOT, 'dist/src/run/index.js'))});
      const { readFile, writeFile } = await import('node:fs/promises');
      const p = await r.prepareRun({ image: ${JSON.stringify(staticRef)}, cacheRoot: ${JSON.stringify(env.DISTILL_CACHE)},
        entrypoint: '/probe/probe', volumes: [${JSON.stringify(`${probe}:/probe:ro`)}], rm: true, name: process.argv[1] });
      const f = p.bundle + '/config.json';
      const spec = JSON.parse(await readFile(f, 'utf8'));
      if (process.argv[2] === 'off') delete spec.linux.seccomp;
      await writeFile(f, JSON.stringify(spec));
      process.exitCode = await r.startRun(p);`;
    const go = (mode: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script, `sc-${mode}`, mode], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
    const on = go('on');
    assert.equal(on.status, 0, on.stderr);
    assert.equal(parseProbe(on.stdout).keyctl, 'EPERM');
    const off = go('off');
    assert.equal(off.status, 0, off.stderr);
    assert.equal(parseProbe(off.stdout).keyctl, 'ok');
    assert.equal(parseProbe(off.stdout).unshare_user, 'ok');
    assert.equal(parseProbe(on.stdout).unshare_user, 'EPERM');
    assert.equal(parseProbe(off.stdout).Seccomp, '0');
  });

  test('an arm64 image under qemu-user-static: the same profile, its syscall filter built for the host (qemu calls the kernel)', async (t) => {
    if (!ready(t) || !requireBinfmt(t, 'qemu-aarch64')) return;
    const out = join(dir, 'static-arm64');
    const b = await distillAsync([
      'base',
      'static:debug-nonroot',
      '--arch',
      'arm64',
      '--output',
      out,
      '--quiet',
    ]);
    assert.equal(b.status, 0, b.stderr);
    const r = distill([
      'run',
      `oci:${out}`,
      '--rm',
      '--entrypoint',
      '/busybox/sh',
      '--',
      '-c',
      'uname -m; id -u; grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status; /busybox/unshare -U true || echo unshare refused',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^aarch64\n65532\n/);
    assert.match(r.stdout, /^Seccomp:\s+2$/m);
    assert.match(r.stdout, /^NoNewPrivs:\s+1$/m);
    assert.match(r.stdout, /^CapEff:\s+0+$/m);
    assert.match(r.stdout, /^unshare refused$/m);
  });

  test('bad input: each error code, and nothing written', (t) => {
    if (!ready(t)) return;
    const cases: [string, string[], Record<string, string>?][] = [
      ['RUNC_NOT_FOUND', [staticRef, '--name', 'e-runc'], { DISTILL_RUNC: join(dir, 'no-such-runc') }],
      ['RUN_VOLUME_INVALID', [staticRef, '--name', 'e-vol1', '-v', '/tmp']],
      ['RUN_VOLUME_INVALID', [staticRef, '--name', 'e-vol2', '-v', '/tmp:relative']],
      ['RUN_VOLUME_INVALID', [staticRef, '--name', 'e-vol3', '-v', '/tmp:/x:rx']],
      ['RUN_VOLUME_INVALID', [staticRef, '--name', 'e-vol4', '-v', `${join(dir, 'absent')}:/x`]],
      ['RUN_ENV_INVALID', [staticRef, '--name', 'e-env', '-e', '=x']],
      ['RUN_NETWORK_INVALID', [staticRef, '--name', 'e-net', '--network', 'bridge']],
      ['RUN_NAME_INVALID', [staticRef, '--name', '../up']],
      ['RUN_ARCH_UNSUPPORTED', [refs.mips as string, '--name', 'e-arch']],
      ['RUN_USER_UNKNOWN', [refs['ghost-user'] as string, '--name', 'e-user']],
      ['RUN_NO_COMMAND', [refs['no-command'] as string, '--name', 'e-cmd']],
      ['OCI_LAYOUT_INVALID', [`oci:${join(dir, 'no-such-layout')}`, '--name', 'e-img']],
      ['OCI_REF_NOT_FOUND', [`${staticRef}:no-such-tag`, '--name', 'e-tag']],
      ['RUN_RUNC_FAILED', [staticRef, '--name', 'e-exec', '--entrypoint', '/no/such/program']],
    ];
    for (const [code, args, extra] of cases) {
      const r = distill(['run', ...args], extra);
      assert.equal(r.status, 1, `${code}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^distill: error ${code}: `, 'm'), r.stderr);
      assert.deepEqual(bundles(), [], `${code}: no bundle left`);
    }
    assert.match(
      distill(['run', staticRef], { DISTILL_RUNC: join(dir, 'no-such-runc') }).stderr,
      /apt-get install runc/,
    );
    assert.match(distill(['run', refs.mips as string]).stderr, /qemu-user-static/);
    const usage = distill(['run']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /CLI_USAGE/);
  });
});
