import type { LockedRelease } from './releases.ts';

/**
 * distill.lock: the resolved package set per architecture, exact to the byte (sha256), plus a
 * checksum of the inputs it was resolved from so a changed configuration is noticed. Mirrors
 * are not recorded (they are discovered per machine); each file is named by its archive
 * ('main' or 'security') and its path there, and checked by its sha256 wherever it is fetched.
 */

/** The inputs a lock is resolved from; their checksum detects drift. */
export interface LockInputs {
  readonly debian: 12 | 13;
  readonly architectures: readonly string[];
  /** Requested packages. */
  readonly packages: readonly string[];
  readonly exclude?: readonly string[];
  readonly keep?: readonly string[];
}

/** One locked package. */
export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  readonly sha256: string;
  /** Path in the archive, e.g. pool/main/g/glibc/libc6_2.41-12_amd64.deb. */
  readonly filename: string;
  readonly size: number;
  readonly suite: string;
  readonly component: string;
  /** Which archive serves it: the main archive or the security archive. */
  readonly archive: 'main' | 'security';
  /** Why it is there: the chain from a requested package. */
  readonly why: readonly string[];
}

/** What was left out for one architecture. */
export interface LockedExclusion {
  readonly name: string;
  readonly reason: string;
  readonly neededBy: readonly string[];
}

/** The lockfile. */
export interface LockFile {
  readonly lockVersion: 1;
  /** `sha256:<hex>` of the canonical JSON of the inputs. */
  readonly configChecksum: string;
  readonly inputs: LockInputs;
  readonly debian: 12 | 13;
  readonly codename: string;
  /**
   * The signed InRelease of each suite the resolution verified (releases.ts); absent in locks
   * written before distill recorded them.
   */
  readonly releases?: readonly LockedRelease[];
  /** Per architecture, packages sorted by name. */
  readonly architectures: Readonly<
    Record<
      string,
      { readonly packages: readonly LockedPackage[]; readonly excluded: readonly LockedExclusion[] }
    >
  >;
}
