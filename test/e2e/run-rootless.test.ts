/**
 * `distill run` without root: as user nobody (65534, through setpriv), runc runs rootless in a user
 * namespace whose root is the caller; then ps, stop and prune as nobody. The CLI is copied (bundle, bin, data, package.json) to a
 * directory nobody can read, so the test works from any checkout. Without subordinate ids the
 * process is root of its namespace only — still no capabilities, read-only root, seccomp.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { needTools } from '../helpers/cli.ts';
import { distillAsync } from '../helpers/docker.ts';
import { buildRunProbe, parseProbe } from '../helpers/run-probe.ts';
import { REPO_ROOT } from '../helpers/tools.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('rootless: nobody runs static:nonroot under the profile, with no overlay and nothing of root', async (t) => {
  if (!needTools(t, ['runc', 'gcc', 'util-linux:setpriv', 'busybox-static:/bin/busybox'])) return;
  const dir = mkdtempSync(join(tmpdir(), 'distill-e2e-rootless-'));
  dirs.push(dir);
  chmodSync(dir, 0o777);
  const cli = join(dir, 'cli');
  for (const p of ['bin', 'dist/bundle', 'data', 'package.json'])
    cpSync(join(REPO_ROOT, p), join(cli, p), { recursive: true });
  // The production dependencies the bundle loads (30 MB), as `npm ls --omit=dev` lists them.
  const deps = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  for (const d of deps.stdout.split('\n').slice(1).filter(Boolean))
    cpSync(d, join(cli, relative(REPO_ROOT, d)), { recursive: true });
  const probe = buildRunProbe(mkdir(join(dir, 'probe')));
  const image = join(dir, 'static-nonroot');
  const b = await distillAsync(['base', 'static:nonroot', '--output', image, '--quiet']);
  assert.equal(b.status, 0, b.stderr);
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir,
    DISTILL_CACHE: join(dir, 'cache'),
    DISTILL_RUN_ROOT: join(dir, 'run'),
    XDG_RUNTIME_DIR: dir,
  };
  const r = spawnSync(
    'setpriv',
    [
      '--reuid',
      '65534',
      '--regid',
      '65534',
      '--clear-groups',
      '--',
      process.execPath,
      join(cli, 'bin', 'distill.js'),
      'run',
      `oci:${image}`,
      '--rm',
      '--name',
      'rootless-1',
      '--entrypoint',
      '/probe/probe',
      '-v',
      `${probe}:/probe:ro`,
      '--',
      '5',
    ],
    { encoding: 'utf8', env },
  );
  const userns = readFileSync('/proc/sys/user/max_user_namespaces', 'utf8').trim() !== '0';
  if (!userns) {
    assert.match(r.stderr, /distill: error RUN_ROOTLESS_UNAVAILABLE: /);
    return;
  }
  assert.equal(r.status, 5, r.stderr);
  const p = parseProbe(r.stdout);
  assert.equal(p.uid, '0', 'root of its own user namespace only');
  assert.equal(p.CapEff, '0000000000000000');
  assert.equal(p.NoNewPrivs, '1');
  assert.equal(p.Seccomp, '2');
  assert.equal(p.write_root, 'EROFS');
  assert.equal(p.write_tmp, 'ok');
  assert.equal(p.unshare_user, 'EPERM');
  assert.equal(p.net_ifaces, '1');
  assert.match(r.stderr, /rootless without subordinate ids/);
  // The chain was unpacked by nobody (no chown as non-root), and no bundle (or lease of it) is left.
  const chains = readdirSync(join(dir, 'cache', 'rootfs')).filter((n) => !n.startsWith('.'));
  assert.equal(chains.length, 1);
  assert.deepEqual(readdirSync(join(dir, 'cache', 'rootfs', '.in-use')), []);
  assert.equal(statSync(join(dir, 'cache', 'rootfs', chains[0] as string, 'etc', 'passwd')).uid, 65534);
  assert.deepEqual(readdirSync(join(dir, 'run', 'bundles')), []);

  // ps, stop and prune as nobody: no overlay, so the lease is what keeps a running container's chain.
  const asNobody = (...args: string[]) =>
    spawnSync(
      'setpriv',
      [
        ...['--reuid', '65534', '--regid', '65534', '--clear-groups', '--'],
        ...[process.execPath, join(cli, 'bin', 'distill.js'), ...args],
      ],
      { encoding: 'utf8', env },
    );
  // busybox runs the applet its argv[0] names.
  const sleeper = ['--entrypoint', '/sleep', '-v', '/bin/busybox:/sleep:ro', '--', '1000'];
  const bg = asNobody('run', `oci:${image}`, '--detach', '--json', '--name', 'rootless-bg', ...sleeper);
  assert.equal(bg.status, 0, bg.stderr + bg.stdout);
  const { pid } = JSON.parse(bg.stdout) as { pid: number };
  const ps = JSON.parse(asNobody('ps', '--json').stdout) as { id: string; status: string; pid: number }[];
  assert.deepEqual(
    ps.map((c) => [c.id, c.status, c.pid]),
    [['rootless-bg', 'running', pid]],
  );
  const kept = JSON.parse(asNobody('prune', '--json').stdout) as { chains: string[]; kept: string[] };
  assert.deepEqual(kept.chains, []);
  assert.deepEqual(kept.kept, [`sha256:${chains[0]}`]);
  const stop = asNobody('stop', 'rootless-bg', '--json');
  assert.equal(stop.status, 0, stop.stderr);
  assert.deepEqual(JSON.parse(stop.stdout), [
    { id: 'rootless-bg', wasRunning: true, signal: 'SIGKILL', exitCode: 137 },
  ]);
  const pruned = JSON.parse(asNobody('prune', '--json').stdout) as { containers: string[]; chains: string[] };
  assert.deepEqual(pruned.containers, ['rootless-bg']);
  assert.deepEqual(pruned.chains, [`sha256:${chains[0]}`]);
  assert.deepEqual(readdirSync(join(dir, 'cache', 'rootfs')), ['.in-use']);
});

function mkdir(d: string): string {
  mkdirSync(d, { recursive: true });
  return d;
}
