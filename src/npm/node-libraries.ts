/**
 * The Debian packages that provide the shared libraries the official node binaries load (their
 * DT_NEEDED), so an image can carry them: the cc image has libc6, libstdc++6 and libgcc-s1 already,
 * and Node.js 26's binaries also need libatomic.so.1 (libatomic1). A soname not in this table is
 * reported, not guessed, so a future Node.js release that needs something new is noticed at build time.
 * Package names are the same on Debian 12 and 13.
 */

/** soname → Debian binary package (glibc's libraries all come from libc6). */
export const NODE_LIBRARY_PACKAGES: Readonly<Record<string, string>> = {
  'libc.so.6': 'libc6',
  'libm.so.6': 'libc6',
  'libdl.so.2': 'libc6',
  'libpthread.so.0': 'libc6',
  'librt.so.1': 'libc6',
  'ld-linux-x86-64.so.2': 'libc6',
  'ld-linux-aarch64.so.1': 'libc6',
  'libstdc++.so.6': 'libstdc++6',
  'libgcc_s.so.1': 'libgcc-s1',
  'libatomic.so.1': 'libatomic1',
};

export interface NodeLibraries {
  /** Debian packages providing the needed libraries, sorted, without duplicates. */
  packages: string[];
  /** Sonames this table does not know. */
  unknown: string[];
}

/**
 * Which Debian packages provide `needed` (a binary's DT_NEEDED).
 * @example
 *   nodeLibraryPackages(rt.elf.needed); // { packages: ['libatomic1', 'libc6', 'libgcc-s1', 'libstdc++6'], unknown: [] }
 */
export function nodeLibraryPackages(needed: readonly string[]): NodeLibraries {
  const packages = new Set<string>();
  const unknown: string[] = [];
  for (const soname of needed) {
    const pkg = Object.hasOwn(NODE_LIBRARY_PACKAGES, soname) ? NODE_LIBRARY_PACKAGES[soname] : undefined;
    if (pkg) packages.add(pkg);
    else unknown.push(soname);
  }
  return { packages: [...packages].sort(), unknown };
}
