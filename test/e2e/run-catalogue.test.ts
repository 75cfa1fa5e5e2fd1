/**
 * Issue 12 acceptance for `distill run`: every debian13 catalogue image's nonroot variant, built
 * with `distill base --output`, runs the static probe (bound in read-only) under the default
 * profile with the real runc: writes to / fail, /tmp is writable, uid 65532, no capabilities,
 * NoNewPrivs 1, seccomp filter mode 2 refusing unshare, mount and keyctl, /proc/sys read-only, only
 * a loopback interface. Images with a runtime also run it (python3 -c, node -e, java -version) to
 * show the unpacked root is whole. `static:latest` (root) is refused without --allow-root.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { catalogue } from '../../src/catalogue/index.ts';
import { needTools } from '../helpers/cli.ts';
import { distillAsync, limiter } from '../helpers/docker.ts';
import { buildRunProbe, parseProbe } from '../helpers/run-probe.ts';
import { runDistill } from '../helpers/tools.ts';

const NAMES = catalogue(13).map((s) => s.name);
const RUNTIME: Record<string, { args: string[]; out: RegExp }> = {
  python: {
    args: [
      '--entrypoint',
      '/usr/bin/python3',
      '--',
      '-c',
      'import ssl,os;print("py", os.getuid(), ssl.OPENSSL_VERSION)',
    ],
    out: /^py 65532 OpenSSL 3/m,
  },
  node: {
    args: [
      '--',
      '-e',
      'console.log("node", process.getuid(), require("crypto").createHash("sha256").update("x").digest("hex").slice(0,8))',
    ],
    out: /^node 65532 2d711642/m,
  },
  java: { args: ['--', '-version'], out: /openjdk version "\d+/ },
};

interface State {
  dir: string;
  env: Record<string, string>;
  builds: Map<string, Promise<string>>;
}
let state: State | undefined;
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

function ready(t: TestContext): State | undefined {
  if (!needTools(t, ['runc', 'gcc'])) return undefined;
  if (state) return state;
  const limit = limiter(3);
  const s: State = { dir: '', env: {}, builds: new Map() };
  s.dir = mkdtempSync(join(tmpdir(), 'distill-e2e-run-'));
  dirs.push(s.dir);
  mkdirSync(join(s.dir, 'probe'));
  buildRunProbe(join(s.dir, 'probe'));
  // The bundles go to this test's directory; the unpacked chains to the cache, as a user's would
  // (catalogue images are reproducible, so a second test run reuses them).
  s.env = { DISTILL_RUN_ROOT: join(s.dir, 'run') };
  for (const name of [...NAMES.map((n) => `${n}:nonroot`), 'static:latest', 'static:debug-nonroot']) {
    const out = join(s.dir, name.replace(':', '-'));
    s.builds.set(
      name,
      limit(async () => {
        const r = await distillAsync(['base', name, '--output', out, '--quiet']);
        if (r.status !== 0) throw new Error(`distill base ${name} exited ${r.status}:\n${r.stderr}`);
        return `oci:${out}`;
      }),
    );
  }
  state = s;
  return s;
}

function probeRun(s: State, ref: string, extra: string[] = [], args: string[] = []) {
  return runDistill(
    [
      'run',
      ref,
      '--rm',
      '--entrypoint',
      '/probe/probe',
      '--volume',
      `${join(s.dir, 'probe')}:/probe:ro`,
      ...extra,
      '--',
      ...args,
    ],
    s.env,
  );
}

describe('distill run: every catalogue image under the default profile (real runc)', () => {
  for (const name of NAMES) {
    test(`${name}:nonroot`, async (t) => {
      const s = ready(t);
      if (!s) return;
      const ref = await (s.builds.get(`${name}:nonroot`) as Promise<string>);
      const r = probeRun(s, ref);
      assert.equal(r.status, 0, r.stderr);
      const p = parseProbe(r.stdout);
      assert.equal(p.uid, '65532');
      assert.equal(p.gid, '65532');
      assert.equal(p.write_root, 'EROFS');
      assert.equal(p.write_tmp, 'ok');
      assert.equal(p.CapEff, '0000000000000000');
      assert.equal(p.CapBnd, '0000000000000000');
      assert.equal(p.NoNewPrivs, '1');
      assert.equal(p.Seccomp, '2');
      assert.equal(p.unshare_user, 'EPERM');
      assert.equal(p.mount, 'EPERM');
      assert.equal(p.keyctl, 'EPERM');
      assert.equal(p.write_proc_sys, 'EACCES');
      assert.equal(p.timer_list, 'masked');
      assert.equal(p.net_ifaces, '1', 'only lo in its own network namespace');
      assert.equal(p.cwd, '/home/nonroot');
      const kind = catalogue(13).find((x) => x.name === name)?.runtime?.kind;
      const rt = kind ? RUNTIME[kind] : undefined;
      if (rt) {
        const own = runDistill(['run', ref, '--rm', ...rt.args], s.env);
        assert.equal(own.status, 0, own.stderr);
        assert.match(own.stdout + own.stderr, rt.out);
      }
    });
  }

  test('static:latest runs as root: refused (RUN_ROOT_REFUSED) unless --allow-root, and root still has no capabilities', async (t) => {
    const s = ready(t);
    if (!s) return;
    const ref = await (s.builds.get('static:latest') as Promise<string>);
    const refused = probeRun(s, ref);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /distill: error RUN_ROOT_REFUSED: .*--allow-root/);
    assert.equal(refused.stdout, '');
    const r = probeRun(s, ref, ['--allow-root']);
    assert.equal(r.status, 0, r.stderr);
    const p = parseProbe(r.stdout);
    assert.equal(p.uid, '0');
    assert.equal(p.CapEff, '0000000000000000');
    assert.equal(p.write_root, 'EROFS');
    assert.equal(p.keyctl, 'EPERM');
    assert.equal(p.unshare_ns, 'EPERM');
    // Masked: /proc/timer_list and /proc/keys are /dev/null inside.
    assert.equal(p.timer_list, 'masked');
    assert.equal(p.proc_keys, 'masked');
  });

  test("static:debug-nonroot: the debug variant's busybox runs as the image user", async (t) => {
    const s = ready(t);
    if (!s) return;
    const ref = await (s.builds.get('static:debug-nonroot') as Promise<string>);
    const r = runDistill(
      [
        'run',
        ref,
        '--rm',
        '--entrypoint',
        '/busybox/sh',
        '--',
        '-c',
        'id -u; touch /x 2>&1; echo ok > /tmp/y && cat /tmp/y',
      ],
      s.env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^65532$/m);
    assert.match(r.stdout, /Read-only file system/);
    assert.match(r.stdout, /^ok$/m);
  });
});
