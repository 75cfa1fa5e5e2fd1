/**
 * The merged-/usr rewrite distroless applies to debian13 packages: entries under /bin, /sbin and
 * /lib* move under /usr, so they land in the real directories rather than on top of the aliasing
 * symlinks (`bin -> usr/bin`, ...) that base-files ships on trixie. Those top-level symlinks
 * themselves are kept as they are. Symlink targets are kept verbatim, as dpkg on a merged-/usr
 * system leaves them; hardlink targets move with their files.
 */
import { type DebEntry, TreeChecker } from './normalise.ts';

/** Top-level directories that are aliases of /usr/<same> on a merged-/usr system. */
export const MERGED_USR_DIRS: readonly string[] = [
  'bin',
  'sbin',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'libo32',
];

const TOP = new Set(MERGED_USR_DIRS);

/** `bin/ls` → `usr/bin/ls`; other paths unchanged. */
export function mergedUsrPath(path: string): string {
  const slash = path.indexOf('/');
  const top = slash === -1 ? path : path.slice(0, slash);
  return TOP.has(top) ? `usr/${path}` : path;
}

/**
 * Rewrites entries for merged-/usr and re-checks the tree: a file that now collides with another
 * (a package shipping both /bin/x and /usr/bin/x) is DEB_PATH_CONFLICT; directories merge.
 */
export function mergeUsr(entries: readonly DebEntry[], what: string): DebEntry[] {
  const checker = new TreeChecker(what);
  for (const e of entries) {
    const isAliasLink = e.type === 'symlink' && TOP.has(e.path);
    const path = isAliasLink ? e.path : mergedUsrPath(e.path);
    const moved: DebEntry = path === e.path ? e : { ...e, path };
    if (e.type === 'hardlink' && e.linkname !== undefined) moved.linkname = mergedUsrPath(e.linkname);
    checker.add(moved);
  }
  return checker.entries();
}
