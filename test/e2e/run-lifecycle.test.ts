/**
 * `distill ps`, `stop`, `rm` and `prune` with the real runc, on small busybox images made here
 * (busybox-static's binary, nonroot user): a detached container listed running with its pids,
 * stopped by SIGTERM within --time (or by SIGKILL when its init ignores SIGTERM or has no handler),
 * listed exited, removed; a running one refused by rm unless --force; unknown names and bad input
 * changing nothing; prune removing stopped containers and the chains nobody uses while keeping a
 * running container's chain and its lower chain (also when pruned from another run root sharing
 * the cache), and a pruned image unpacked again by the next run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { pack } from 'tar-stream';
import { writeImage } from '../../src/api/index.ts';
import { createImage, type Layer } from '../../src/oci/index.ts';
import { chainIds } from '../../src/run/index.ts';
import { needTools } from '../helpers/cli.ts';
import { gzipLayerOfTar } from '../helpers/images.ts';
import { runDistill } from '../helpers/tools.ts';

let dir = '';
const roots: string[] = [];
/** oci: references: base (busybox), app1 and app2 (base plus one small layer each). */
const img: Record<string, string> = {};
/** Their chainIDs as directory names (hex). */
const chain: Record<string, string> = {};

type Entry = { name: string; body?: Buffer | string; mode?: number; link?: string; dir?: boolean };

async function layer(entries: Entry[]): Promise<Layer> {
  const p = pack();
  for (const e of entries) {
    const base = { name: e.name, uid: 0, gid: 0, mtime: new Date(0) };
    if (e.dir) p.entry({ ...base, type: 'directory', mode: e.mode ?? 0o755 });
    else if (e.link) p.entry({ ...base, type: 'symlink', linkname: e.link });
    else p.entry({ ...base, mode: e.mode ?? 0o644 }, e.body ?? '');
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return gzipLayerOfTar(Buffer.concat(chunks));
}

before(async () => {
  if (spawnSync('runc', ['--version']).status !== 0 && process.env.CI !== 'true') return;
  if (!existsSync('/bin/busybox')) return;
  dir = mkdtempSync(join(tmpdir(), 'distill-e2e-lifecycle-'));
  const base = await layer([
    { name: 'bin/', dir: true },
    { name: 'bin/busybox', body: readFileSync('/bin/busybox'), mode: 0o755 },
    { name: 'bin/sh', link: 'busybox' },
    { name: 'bin/sleep', link: 'busybox' },
    { name: 'etc/', dir: true },
    { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/bin/sh\n' },
    { name: 'etc/group', body: 'root:x:0:\nnonroot:x:65532:\n' },
    { name: 'tmp/', dir: true, mode: 0o1777 },
  ]);
  const layers: Record<string, Layer[]> = {
    base: [base],
    app1: [base, await layer([{ name: 'app1.txt', body: 'one\n' }])],
    app2: [base, await layer([{ name: 'app2.txt', body: 'two\n' }])],
  };
  for (const [name, ls] of Object.entries(layers)) {
    const image = createImage({
      config: {
        architecture: 'amd64',
        os: 'linux',
        config: { User: '65532', Cmd: ['/bin/sleep', '1000'], Env: ['PATH=/bin'] },
      },
      layers: ls,
    });
    await writeImage(image, `oci:${join(dir, name)}:latest`);
    img[name] = `oci:${join(dir, name)}`;
    chain[name] = (chainIds(ls.map((l) => l.diffId)).at(-1) as string).slice(7);
  }
});

after(async () => {
  if (!dir) return;
  // Whatever a failed test left running or mounted goes first.
  for (const root of roots) {
    const bundles = join(root, 'bundles');
    for (const id of existsSync(bundles) ? readdirSync(bundles) : []) {
      spawnSync('runc', ['--root', join(root, 'runc'), 'delete', '--force', id]);
      spawnSync('umount', [join(bundles, id, 'rootfs')]);
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** A fresh run root and cache: each test sees only its own containers. */
function sandbox(name: string): Record<string, string> {
  const root = join(dir, name, 'run');
  roots.push(root);
  return { DISTILL_RUN_ROOT: root, DISTILL_CACHE: join(dir, name, 'cache') };
}

function ready(t: TestContext): boolean {
  return needTools(t, ['runc', 'busybox-static:/bin/busybox']);
}

interface Ps {
  id: string;
  status: string;
  pid?: number;
  supervisor?: number;
  image?: string;
  digest?: string;
  chain?: string;
  exitCode?: number;
  detached: boolean;
}

function cli(env: Record<string, string>) {
  const d = (...args: string[]) => runDistill(args, env);
  return {
    d,
    ok(...args: string[]) {
      const r = d(...args);
      assert.equal(r.status, 0, `distill ${args.join(' ')}: ${r.stderr}`);
      return r;
    },
    /** `distill run --detach --json`. */
    detach(name: string, ref: string, ...args: string[]) {
      const r = d('run', ref, '--detach', '--json', '--name', name, ...args);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { id: string; pid: number; supervisor: number; log: string };
    },
    ps(...flags: string[]): Ps[] {
      const r = d('ps', '--json', ...flags);
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Ps[];
    },
    runcState(id: string) {
      return spawnSync('runc', ['--root', join(env.DISTILL_RUN_ROOT as string, 'runc'), 'state', id], {
        encoding: 'utf8',
      });
    },
    bundles(): string[] {
      const b = join(env.DISTILL_RUN_ROOT as string, 'bundles');
      return existsSync(b) ? readdirSync(b).sort() : [];
    },
    /** Everything under the run root and the cache (names), to show that nothing changed. */
    tree(): string[] {
      const out: string[] = [];
      for (const top of [env.DISTILL_RUN_ROOT as string, join(env.DISTILL_CACHE as string, 'rootfs')]) {
        const walk = (p: string, depth: number) => {
          if (!existsSync(p)) return;
          for (const n of readdirSync(p).sort()) {
            out.push(join(p, n));
            if (depth > 0 && !n.startsWith('rootfs') && !/^[0-9a-f]{64}$/.test(n)) {
              try {
                walk(join(p, n), depth - 1);
              } catch {}
            }
          }
        };
        walk(top, 2);
      }
      return out;
    },
  };
}

/** Whether a process is still there (and not a zombie). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

// A shell whose TERM trap exits 3; one that ignores TERM; both sleep in short steps.
const TRAP_EXIT = [
  '--',
  '/bin/sh',
  '-c',
  'trap "echo term; exit 3" TERM; echo up; while :; do sleep 0.1; done',
];
const IGNORE_TERM = ['--', '/bin/sh', '-c', 'trap "" TERM; echo up; while :; do sleep 0.1; done'];

describe('distill ps, stop, rm, prune (real runc)', () => {
  test('a detached container: ps lists it running with its pids; stop ends it with SIGTERM within --time; ps --all shows it exited; rm removes it', (t) => {
    if (!ready(t)) return;
    const c = cli(sandbox('stop'));
    const r = c.detach('web', img.app1 as string, ...TRAP_EXIT);
    const [row, ...others] = c.ps();
    assert.equal(others.length, 0);
    assert.equal(row?.id, 'web');
    assert.equal(row?.status, 'running');
    assert.equal(row?.pid, r.pid);
    assert.equal(row?.supervisor, r.supervisor);
    assert.equal(row?.detached, true);
    assert.equal(row?.image, img.app1);
    assert.equal(row?.chain, `sha256:${chain.app1}`);
    assert.match(row?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    const table = c.ok('ps').stdout.split('\n');
    assert.match(table[0] ?? '', /^NAME\s+IMAGE\s+DIGEST\s+STATUS\s+PID\s+SUPERVISOR\s+CREATED$/);
    assert.match(
      table[1] ?? '',
      new RegExp(`^web\\s+${img.app1}\\s+[0-9a-f]{12}\\s+running\\s+${r.pid}\\s+${r.supervisor}\\s`),
    );

    const start = Date.now();
    const stop = JSON.parse(c.ok('stop', 'web', '--time', '20', '--json').stdout);
    assert.ok(Date.now() - start < 20_000, 'the trap ended it before the grace time');
    assert.deepEqual(stop, [{ id: 'web', wasRunning: true, signal: 'SIGTERM', exitCode: 3 }]);
    assert.equal(alive(r.pid), false);
    assert.equal(alive(r.supervisor), false, 'the supervisor has exited');
    assert.match(readFileSync(r.log, 'utf8'), /^term$/m);
    assert.doesNotMatch(readFileSync(r.log, 'utf8'), /distill: error/, 'the supervisor exited cleanly');
    assert.deepEqual(c.ps(), [], 'ps lists running containers only');
    const [exited] = c.ps('--all');
    assert.equal(exited?.status, 'exited');
    assert.equal(exited?.exitCode, 3);
    assert.equal(exited?.pid, undefined);
    assert.equal(exited?.supervisor, undefined);
    assert.match(c.ok('ps', '-a').stdout, /^web\s.*\sexited \(3\)\s/m);
    assert.notEqual(c.runcState('web').status, 0);
    // Stopping it again is a no-op.
    assert.deepEqual(JSON.parse(c.ok('stop', 'web', '--json').stdout), [
      { id: 'web', wasRunning: false, exitCode: 3 },
    ]);

    c.ok('rm', 'web');
    assert.deepEqual(c.bundles(), []);
    assert.equal(existsSync(r.log), false, 'its log goes with it');
    assert.deepEqual(c.ps('--all'), []);
  });

  test('stop: an init that ignores SIGTERM gets SIGKILL after --time; one without a handler at once; a --rm container is deleted by its supervisor', (t) => {
    if (!ready(t)) return;
    const c = cli(sandbox('kill'));
    const ign = c.detach('ignores', img.base as string, '--rm', ...IGNORE_TERM);
    const bare = c.detach('bare', img.base as string, '--rm'); // sleep 1000 as pid 1: no handler
    const start = Date.now();
    const res = JSON.parse(c.ok('stop', 'ignores', '--time', '1', '--json').stdout);
    const took = Date.now() - start;
    assert.deepEqual(res, [{ id: 'ignores', wasRunning: true, signal: 'SIGKILL' }]);
    assert.ok(took >= 1000, `SIGKILL came after the grace time (${took} ms)`);
    assert.equal(alive(ign.pid), false);
    assert.equal(alive(ign.supervisor), false);
    assert.deepEqual(c.bundles(), ['bare'], '--rm: the supervisor deleted the bundle');
    const start2 = Date.now();
    assert.deepEqual(JSON.parse(c.ok('stop', 'bare', '--time', '60', '--json').stdout), [
      { id: 'bare', wasRunning: true, signal: 'SIGKILL' },
    ]);
    assert.ok(Date.now() - start2 < 60_000, 'no wait for a signal the init would never see');
    assert.equal(alive(bare.supervisor), false);
    assert.deepEqual(c.bundles(), []);
    assert.deepEqual(c.ps('--all'), []);
  });

  test('rm: a running container is refused (nothing removed) unless --force; unknown names and bad input change nothing', (t) => {
    if (!ready(t)) return;
    const env = sandbox('rm');
    const c = cli(env);
    const run = c.detach('busy', img.base as string);
    c.ok('run', img.base as string, '--name', 'done', '--', '/bin/sh', '-c', 'exit 0');
    const before = c.tree();
    const cases: [string, string[], Record<string, string>?][] = [
      ['RUN_CONTAINER_RUNNING', ['rm', 'busy']],
      ['RUN_CONTAINER_RUNNING', ['rm', 'done', 'busy']],
      ['RUN_CONTAINER_NOT_FOUND', ['rm', 'done', 'nope']],
      ['RUN_CONTAINER_NOT_FOUND', ['rm', '--force', 'busy', 'nope']],
      ['RUN_CONTAINER_NOT_FOUND', ['stop', 'busy', 'nope']],
      ['RUN_NAME_INVALID', ['stop', '../busy']],
      ['RUN_NAME_INVALID', ['rm', 'done', '../done']],
      ['RUN_STOP_TIME_INVALID', ['stop', 'busy', '--time', '-1']],
      ['RUN_STOP_TIME_INVALID', ['stop', 'busy', '--time', 'soon']],
      ['RUNC_NOT_FOUND', ['rm', '--force', 'busy'], { DISTILL_RUNC: join(dir, 'no-such-runc') }],
      ['RUNC_NOT_FOUND', ['prune'], { DISTILL_RUNC: join(dir, 'no-such-runc') }],
      ['RUNC_NOT_FOUND', ['ps'], { DISTILL_RUNC: join(dir, 'no-such-runc') }],
    ];
    for (const [code, args, extra] of cases) {
      const r = runDistill(args, { ...env, ...extra });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^distill: error ${code}: `, 'm'), `${args.join(' ')}: ${r.stderr}`);
      assert.deepEqual(c.tree(), before, `${args.join(' ')}: nothing changed`);
      assert.equal(JSON.parse(c.runcState('busy').stdout).status, 'running');
    }
    assert.equal(runDistill(['rm'], env).status, 2, 'rm without a name is a usage error');
    assert.equal(runDistill(['stop'], env).status, 2);

    assert.deepEqual(JSON.parse(c.ok('rm', '--force', 'busy', 'done', '--json').stdout), [
      { id: 'busy', killed: true },
      { id: 'done', killed: false },
    ]);
    assert.equal(alive(run.pid), false);
    assert.equal(alive(run.supervisor), false);
    assert.notEqual(c.runcState('busy').status, 0);
    assert.deepEqual(c.bundles(), []);
    assert.deepEqual(readdirSync(join(env.DISTILL_RUN_ROOT as string, 'logs')), []);
    assert.deepEqual(
      readdirSync(join(env.DISTILL_CACHE as string, 'rootfs', '.in-use')),
      [],
      'no lease left',
    );
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.equal(mounts.includes(env.DISTILL_RUN_ROOT as string), false, 'no overlay left mounted');
  });

  test('prune: stopped containers and unused chains go; a running container’s chain and its lower chain stay, from any run root; a pruned image unpacks again', (t) => {
    if (!ready(t)) return;
    const env = sandbox('prune');
    const c = cli(env);
    const store = join(env.DISTILL_CACHE as string, 'rootfs');
    const chains = () =>
      readdirSync(store)
        .filter((n) => /^[0-9a-f]{64}$/.test(n))
        .sort();
    c.ok('run', img.app2 as string, '--rm', '--', '/bin/sh', '-c', 'exit 0');
    assert.equal(c.d('run', img.base as string, '--name', 'old', '--', '/bin/sh', '-c', 'exit 5').status, 5);
    const running = c.detach('keeper', img.app1 as string);
    assert.deepEqual(chains(), [chain.base, chain.app1, chain.app2].sort());
    // An unpack killed midway (its process is gone) and one under way (this process).
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const stale = join(store, `.tmp-${(chain.app2 as string).slice(0, 12)}-${dead.stdout.trim()}-x1`);
    mkdirSync(join(stale, 'bin'), { recursive: true });
    writeFileSync(join(stale, 'bin', 'half'), Buffer.alloc(64 * 1024, 1));
    const live = join(store, `.tmp-${(chain.app2 as string).slice(0, 12)}-${process.pid}-x2`);
    mkdirSync(live);

    // From another run root sharing the cache: none of its containers, but keeper's lease holds.
    const other = { ...env, DISTILL_RUN_ROOT: join(dir, 'prune', 'other-run') };
    const p1 = JSON.parse(runDistill(['prune', '--json'], other).stdout);
    assert.deepEqual(p1.containers, []);
    assert.deepEqual(p1.chains, [`sha256:${chain.app2}`]);
    assert.deepEqual(p1.kept, [`sha256:${chain.base}`, `sha256:${chain.app1}`].sort());
    assert.equal(p1.temps, 1);
    assert.ok(p1.bytes >= 64 * 1024, `bytes: ${p1.bytes}`);
    assert.deepEqual(chains(), [chain.base, chain.app1].sort());
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(live), true, 'an unpack under way is left alone');
    assert.equal(JSON.parse(c.runcState('keeper').stdout).status, 'running');

    // Its own run root: the exited container goes; the running one and its chains stay.
    const p2 = c.ok('prune');
    assert.match(p2.stdout, /^removed container old$/m);
    assert.match(
      p2.stdout,
      /freed .*: 1 container\(s\), 0 chain\(s\), 0 interrupted unpack\(s\); 2 chain\(s\) in use kept/,
    );
    assert.deepEqual(c.bundles(), ['keeper']);
    assert.deepEqual(chains(), [chain.base, chain.app1].sort());
    assert.deepEqual(
      c.ps('--all').map((p) => [p.id, p.status, p.pid]),
      [['keeper', 'running', running.pid]],
    );

    // Once it is gone, so are its chains; a run of the pruned image unpacks it again.
    c.ok('rm', '--force', 'keeper');
    const p3 = JSON.parse(c.ok('prune', '--json').stdout);
    assert.deepEqual(p3.chains, [`sha256:${chain.base}`, `sha256:${chain.app1}`].sort());
    assert.ok(
      p3.bytes >= readFileSync('/bin/busybox').length,
      `the busybox binary's blocks are freed (${p3.bytes})`,
    );
    assert.deepEqual(chains(), []);
    const again = c.ok('run', img.app1 as string, '--rm', '--', '/bin/sh', '-c', 'cat /app1.txt');
    assert.match(again.stderr, /unpacking layer 1\/2 .*\n.*unpacking layer 2\/2/);
    assert.equal(again.stdout, 'one\n');
    assert.deepEqual(chains(), [chain.base, chain.app1].sort());
    // A --rm run leaves nothing that holds its chains.
    const p4 = JSON.parse(c.ok('prune', '--json').stdout);
    assert.deepEqual(
      [p4.containers, p4.chains, p4.temps],
      [[], [`sha256:${chain.base}`, `sha256:${chain.app1}`].sort(), 0],
    );
  });
});
