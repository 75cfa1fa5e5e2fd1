/**
 * Issue 14 item 3: the Debian 13 architectures beyond amd64/arm64 that distroless builds, one
 * test per family this machine's mirror can serve: 32-bit ARM and RISC-V. POWER (ppc64el) and
 * IBM Z (s390x) cannot be built from it: it serves 404 for Debian 13's current libc6 and
 * base-files of those two architectures (its signed index lists them; the armhf and riscv64
 * copies download), and Debian 12's bookworm-security ppc64el Packages.xz it serves does not
 * match the signed Release (nor does by-hash answer), which distill rightly refuses. For each, `distill base python3:debug
 * --arch X` is loaded into the Docker engine and run under qemu-user-static (binfmt_misc with
 * the F flag, as Debian's qemu-user-static registers it): the image's platform is the OCI one
 * (arm/v7 for armhf, ppc64le for ppc64el); the image's own glibc loader runs and resolves
 * libssl's libraries; busybox reports the emulated machine; and the image's Python imports
 * ssl and finds libcrypto through the ld.so.cache distill wrote for that architecture.
 * Needs the Debian archive, docker and qemu-user-static with binfmt enabled (.ci/run does it).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { needTools } from '../helpers/cli.ts';
import { buildBase, dockerLoad, dockerRemove, dockerRunOk } from '../helpers/docker.ts';
import { requireBinfmt, runOk } from '../helpers/tools.ts';

interface ArchCase {
  /** What `--arch` is given (an OCI spelling for two of them, to test the aliases). */
  flag: string;
  debian: string;
  /** The Debian release built. */
  release: '12' | '13';
  /** OCI platform docker should report and run. */
  platform: string;
  /** binfmt_misc handler qemu-user-static registers. */
  binfmt: string;
  /** The glibc loader (PT_INTERP) of the architecture. */
  loader: string;
  triplet: string;
  /** `uname -m` under qemu. */
  machine: string;
}

const CASES: readonly ArchCase[] = [
  {
    flag: 'arm/v7',
    debian: 'armhf',
    release: '13',
    platform: 'linux/arm/v7',
    binfmt: 'qemu-arm',
    loader: '/lib/ld-linux-armhf.so.3',
    triplet: 'arm-linux-gnueabihf',
    machine: 'armv7l',
  },
  {
    flag: 'riscv64',
    debian: 'riscv64',
    release: '13',
    platform: 'linux/riscv64',
    binfmt: 'qemu-riscv64',
    loader: '/lib/ld-linux-riscv64-lp64d.so.1',
    triplet: 'riscv64-linux-gnu',
    machine: 'riscv64',
  },
];

let work: Promise<string> | undefined;
const loaded: string[] = [];
after(async () => {
  dockerRemove(loaded);
  if (work) await rm(await work, { recursive: true, force: true });
});

describe('distill base --arch beyond amd64/arm64, run under qemu-user-static', () => {
  for (const c of CASES) {
    test(`${c.debian} (${c.platform}, debian${c.release}): python3:debug runs`, {
      timeout: 1_200_000,
    }, async (t) => {
      if (!needTools(t, ['docker.io:docker', `qemu-user-static:qemu-${c.binfmt.slice(5)}-static`])) return;
      if (!requireBinfmt(t, c.binfmt)) return;
      work ??= mkdtemp(join(tmpdir(), 'distill-e2e-arches-'));
      const archive = join(await work, `python3-${c.debian}.tar`);
      const tag = `distill-e2e-arches-${process.pid}/python3:${c.debian}`;
      const r = await buildBase('python3:debug', [
        ...['--debian', c.release, '--arch', c.flag],
        ...['--archive', archive, '--tag', tag],
      ]);
      assert.equal(r.platforms[0]?.arch, c.debian);
      assert.deepEqual(await dockerLoad(archive), [tag]);
      loaded.push(tag);
      const [os, arch, variant] = c.platform.split('/');
      const inspect = JSON.parse(runOk('docker', ['image', 'inspect', tag]))[0];
      assert.deepEqual([inspect.Os, inspect.Architecture, inspect.Variant ?? undefined], [os, arch, variant]);
      const runIn = (args: string[]) => dockerRunOk(['--platform', c.platform, ...args], 600_000);
      // The image's own dynamic loader, an ELF of the architecture, resolving libssl's needs.
      const libs = runIn(['--entrypoint', c.loader, tag, '--list', `/usr/lib/${c.triplet}/libssl.so.3`]);
      assert.match(libs, new RegExp(`libcrypto\\.so\\.3 => /(usr/)?lib/${c.triplet}/libcrypto\\.so\\.3`));
      assert.match(libs, /libc\.so\.6 => /);
      assert.equal(runIn(['--entrypoint', '/busybox/sh', tag, '-c', 'uname -m']).trim(), c.machine);
      const py = runIn([
        tag,
        '-c',
        'import ssl, ctypes.util, platform; print(platform.machine(), ctypes.util.find_library("crypto"), ssl.OPENSSL_VERSION.split()[0])',
      ]);
      assert.equal(py.trim(), `${c.machine} libcrypto.so.3 OpenSSL`);
    });
  }
});
