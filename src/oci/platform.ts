import { platformOf } from './build.ts';
import { OciError } from './errors.ts';
import { type Artifact, type Image, imagesOf } from './image.ts';
import { formatPlatform, type Platform } from './types.ts';

/**
 * Parses `os/arch[/variant]` (or a bare `arch`, taken as linux). arm64 gets variant v8 as the
 * OCI image index spec recommends, so `linux/arm64` and `linux/arm64/v8` are the same platform.
 */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length === 1) parts.unshift('linux');
  const [os, architecture, variant] = parts;
  if (!os || !architecture || parts.length > 3 || !/^[a-z0-9_]+$/.test(os + architecture + (variant ?? ''))) {
    throw new OciError(
      'OCI_PLATFORM_INVALID',
      `not a platform: ${JSON.stringify(s)} (use os/arch[/variant], e.g. linux/amd64)`,
    );
  }
  return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) });
}

/** Fills in the default variant (arm64 → v8) so that comparisons are exact. */
export function normalizePlatform(p: Platform): Platform {
  if (p.architecture === 'arm64' && !p.variant) return { ...p, variant: 'v8' };
  return p;
}

/** Whether `have` satisfies `want` (os and architecture equal, variant equal when `want` has one). */
export function platformMatches(have: Platform, want: Platform): boolean {
  const h = normalizePlatform(have);
  const w = normalizePlatform(want);
  return h.os === w.os && h.architecture === w.architecture && (!w.variant || h.variant === w.variant);
}

/** The Debian architecture name of an OCI platform (amd64, arm64, armhf for arm/v7, ppc64el, ...). */
export function debianArch(p: Platform): string {
  if (p.architecture === 'arm' && p.variant === 'v7') return 'armhf';
  if (p.architecture === 'arm') return 'armel';
  if (p.architecture === 'ppc64le') return 'ppc64el';
  return p.architecture;
}

/**
 * The OCI platform of a Debian architecture: armhf is linux/arm/v7 (ARMv7, hard float), armel
 * linux/arm/v5, ppc64el linux/ppc64le, arm64 linux/arm64/v8; the others keep their name.
 */
export function platformOfDebianArch(arch: string): Platform {
  if (arch === 'armhf') return { os: 'linux', architecture: 'arm', variant: 'v7' };
  if (arch === 'armel') return { os: 'linux', architecture: 'arm', variant: 'v5' };
  if (arch === 'ppc64el') return { os: 'linux', architecture: 'ppc64le' };
  return normalizePlatform({ os: 'linux', architecture: arch });
}

/**
 * The image of `artifact` for `platform` (`os/arch[/variant]`); without one, the host's
 * architecture, else the first image. Attestation entries (os `unknown`) never count.
 * OCI_PLATFORM_NOT_FOUND names what there is.
 */
export function imageForPlatform(name: string, artifact: Artifact, platform?: string): Image {
  const of = (i: Image) => i.descriptor.platform ?? platformOf(i.config);
  const all = imagesOf(artifact).filter((i) => of(i).os !== 'unknown');
  const want = platform
    ? parsePlatform(platform)
    : { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' };
  const hit = all.find((i) => platformMatches(of(i), want)) ?? (platform ? undefined : all[0]);
  if (hit) return hit;
  throw new OciError(
    'OCI_PLATFORM_NOT_FOUND',
    `${name} has no ${platform} image (it has ${all.map((i) => formatPlatform(of(i))).join(', ') || 'none'})`,
  );
}
