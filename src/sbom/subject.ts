/**
 * What an SBOM is about: one image (one platform), named by its manifest digest. Everything a
 * document needs to be byte-for-byte reproducible is derived here from that digest and the
 * given time — the SPDX namespace, the CycloneDX serial number, element ids — never from a clock
 * or a random number.
 */
import { createHash } from 'node:crypto';
import type { PackageRecord } from '../scan/index.ts';
import { purl } from '../scan/index.ts';

export interface SbomSubject {
  /** What the user called the image (`distill/nodejs22:latest`, `oci:out:latest`). */
  readonly name: string;
  /** The image manifest's digest, `sha256:…`. */
  readonly digest: string;
  /** `linux/amd64`. */
  readonly platform?: string;
  /** RFC 3339 time of the document (SOURCE_DATE_EPOCH, else the image's `created`). */
  readonly created: string;
}

export interface SbomTool {
  readonly name: string;
  readonly version: string;
}

export const DISTILL_TOOL: SbomTool = { name: 'distill', version: '0.1.0' };

/** A name-based UUID (RFC 9562 v5 layout over SHA-256's first 16 bytes): same input, same UUID. */
export function stableUuid(...parts: string[]): string {
  const b = createHash('sha256').update(parts.join('\0')).digest().subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The image's last name segment without tag or digest (`distill/nodejs22:latest` → `nodejs22`). */
export function shortName(name: string): string {
  const noDigest = name.replace(/@sha256:[0-9a-f]+$/, '');
  const last =
    noDigest
      .replace(/^[a-z-]+:(?!\/\/)/, '')
      .split('/')
      .pop() ?? noDigest;
  return (last.replace(/:[^:]*$/, '') || 'image').toLowerCase();
}

/** `pkg:oci/NAME@sha256%3A…?arch=…` (the purl spec's oci type; the digest's colon escaped as the spec shows). */
export function imagePurl(s: SbomSubject): string {
  const arch = s.platform?.split('/')[1];
  return purl({ type: 'oci', name: shortName(s.name), version: s.digest, qualifiers: [['arch', arch]] });
}

/** A short stable id for one package record (its purl and where it was found). */
export function packageKey(p: PackageRecord): string {
  return createHash('sha256')
    .update(`${p.purl}\0${p.locations.join('\0')}`)
    .digest('hex')
    .slice(0, 16);
}

/** `2026-01-01T00:00:00Z` from seconds since the epoch (no milliseconds: SPDX wants them absent). */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The inventory's packages, one per key (a record found twice at the same place is one package). */
export function uniquePackages(packages: readonly PackageRecord[]): PackageRecord[] {
  const seen = new Set<string>();
  return packages.filter((p) => {
    const k = packageKey(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
