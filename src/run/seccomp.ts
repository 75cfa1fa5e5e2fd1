/**
 * The default seccomp profile: Docker's (moby/profiles seccomp/default.json, Apache-2.0, shipped
 * verbatim as data/seccomp/moby-default.json; see data/seccomp/README.md), turned into the OCI
 * runtime spec's `linux.seccomp` the way dockerd does for a container: rules that need a
 * capability the container lacks are left out, rules that apply only without one are kept, and
 * per-architecture and minimum-kernel conditions are decided for this machine. distill drops
 * every capability, so the result is Docker's profile for `--cap-drop ALL`: everything not listed
 * fails with EPERM (clone3 with ENOSYS so libcs fall back to clone, whose namespace flags are refused).
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-root.ts';

/** Docker's profile format (the parts distill reads). */
export interface DockerSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap: { architecture: string; subArchitectures: string[] | null }[];
  syscalls: {
    names: string[];
    action: string;
    errnoRet?: number;
    args?: { index: number; value: number; valueTwo?: number; op: string }[] | null;
    includes?: { caps?: string[]; arches?: string[]; minKernel?: string };
    excludes?: { caps?: string[]; arches?: string[]; minKernel?: string };
  }[];
}

/** The OCI runtime spec's linux.seccomp. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: {
    names: string[];
    action: string;
    errnoRet?: number;
    args?: { index: number; value: number; valueTwo?: number; op: string }[];
  }[];
}

/** Go architecture names (as Docker's profile uses them) → libseccomp's native architecture. */
const NATIVE: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  x86: 'SCMP_ARCH_X86',
  arm: 'SCMP_ARCH_ARM',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390x: 'SCMP_ARCH_S390X',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  loong64: 'SCMP_ARCH_LOONGARCH64',
};

/** `6.18.44-foo` ≥ `4.8`? */
export function kernelAtLeast(release: string, min: string): boolean {
  const a = release.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  const b = min.split('.').map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < b.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isNaN(x) || x !== y) return (Number.isNaN(x) ? 0 : x) > y;
  }
  return true;
}

/**
 * Docker's profile for a container with capabilities `caps` on architecture `arch` (Go name:
 * amd64, arm64) and kernel `kernel` (uname -r). Pure.
 */
export function seccompFor(
  profile: DockerSeccomp,
  o: { arch: string; kernel: string; caps?: readonly string[] },
): OciSeccomp {
  const caps = new Set(o.caps ?? []);
  const native = NATIVE[o.arch] ?? 'SCMP_ARCH_X86_64';
  const map = profile.archMap.find((m) => m.architecture === native);
  const keep = (r: DockerSeccomp['syscalls'][number]): boolean => {
    const inc = r.includes ?? {};
    const exc = r.excludes ?? {};
    if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) return false;
    if (inc.arches?.length && !inc.arches.includes(o.arch)) return false;
    if (inc.minKernel && !kernelAtLeast(o.kernel, inc.minKernel)) return false;
    if (exc.caps?.length && exc.caps.some((c) => caps.has(c))) return false;
    if (exc.arches?.length && exc.arches.includes(o.arch)) return false;
    if (exc.minKernel && kernelAtLeast(o.kernel, exc.minKernel)) return false;
    return true;
  };
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures: map ? [map.architecture, ...(map.subArchitectures ?? [])] : [native],
    syscalls: profile.syscalls.filter(keep).map((r) => ({
      names: r.names,
      action: r.action,
      ...(r.errnoRet !== undefined ? { errnoRet: r.errnoRet } : {}),
      ...(r.args?.length ? { args: r.args } : {}),
    })),
  };
}

let shipped: DockerSeccomp | undefined;

/** Docker's default profile as shipped in data/seccomp/moby-default.json. */
export function dockerDefaultSeccomp(): DockerSeccomp {
  shipped ??= JSON.parse(
    readFileSync(packagePath('data', 'seccomp', 'moby-default.json'), 'utf8'),
  ) as DockerSeccomp;
  return shipped;
}
