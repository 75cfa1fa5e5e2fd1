/**
 * What this machine offers `distill run`: runc on PATH, user namespaces for a rootless run, and
 * whether it can execute an image's architecture (natively, or through a binfmt_misc handler such
 * as qemu-user-static's).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { RunError } from './errors.ts';

/** The runc to use, not yet looked for: `explicit`, else $DISTILL_RUNC, else `runc`. */
export function runcName(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.DISTILL_RUNC ?? 'runc';
}

/** The runc executable: `runcName` found on PATH; RUNC_NOT_FOUND with what to install. */
export function findRunc(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const name = runcName(explicit, env);
  const candidates = name.includes('/')
    ? [name]
    : (env.PATH ?? '').split(delimiter).map((d) => join(d || '.', name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  throw new RunError(
    'RUNC_NOT_FOUND',
    `${name} is not installed or not on PATH: distill run starts containers with runc (apt-get install runc)`,
  );
}

/** Go/OCI architecture of this machine. */
export function hostArch(): string {
  const a: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    s390x: 's390x',
    ppc64: 'ppc64le',
    riscv64: 'riscv64',
  };
  return a[process.arch] ?? process.arch;
}

/** binfmt_misc handler names (qemu-user-static's) per OCI architecture. */
const QEMU: Record<string, string> = {
  arm64: 'qemu-aarch64',
  arm: 'qemu-arm',
  amd64: 'qemu-x86_64',
  '386': 'qemu-i386',
  s390x: 'qemu-s390x',
  ppc64le: 'qemu-ppc64le',
  riscv64: 'qemu-riscv64',
};

/** Throws RUN_ARCH_UNSUPPORTED unless this machine can execute `arch` binaries. */
export function checkArch(arch: string, image: string, binfmtDir = '/proc/sys/fs/binfmt_misc'): void {
  const host = hostArch();
  if (arch === host || (host === 'amd64' && arch === '386')) return;
  const handler = QEMU[arch];
  if (handler) {
    try {
      if (/^enabled/.test(readFileSync(join(binfmtDir, handler), 'utf8'))) return;
    } catch {}
  }
  throw new RunError(
    'RUN_ARCH_UNSUPPORTED',
    `${image} is a linux/${arch} image and this machine (linux/${host}) cannot execute ${arch} programs: ` +
      `install qemu-user-static and binfmt-support, then enable its handler ` +
      `(mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable ${handler ?? `qemu-${arch}`}), ` +
      `or run the image for linux/${host} (--platform)`,
  );
}

/** Throws RUN_ROOTLESS_UNAVAILABLE when this (non-root) user cannot create a user namespace. */
export function checkRootless(procSys = '/proc/sys'): void {
  const read = (p: string) => {
    try {
      return readFileSync(join(procSys, p), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const max = read('user/max_user_namespaces');
  const debian = read('kernel/unprivileged_userns_clone');
  if (max === '0' || debian === '0')
    throw new RunError(
      'RUN_ROOTLESS_UNAVAILABLE',
      'distill run without root needs user namespaces, which this kernel does not allow unprivileged users ' +
        '(sysctl user.max_user_namespaces / kernel.unprivileged_userns_clone): enable them or run as root',
    );
}

/** The caller's subordinate id range from /etc/subuid or /etc/subgid (by name or number), when newuidmap can map it. */
export function subordinateIds(
  file: '/etc/subuid' | '/etc/subgid',
  id: number,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): { start: number; count: number } | undefined {
  try {
    findRunc(file === '/etc/subuid' ? 'newuidmap' : 'newgidmap', env);
  } catch {
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if ((who === name || who === String(id)) && /^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? ''))
      return { start: Number(start), count: Number(count) };
  }
  return undefined;
}
