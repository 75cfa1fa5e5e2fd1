/**
 * Turns raw tar entries of a data.tar into safe, normalised entries: `./` prefixes and trailing
 * slashes removed, `..` and absolute paths refused, nothing placed below or over a symlink the
 * package created (that would write through it), hardlinks only to earlier files of the package.
 */

import type { EntryType, RawTarEntry } from '../../oci/index.ts';
import { DebError } from './errors.ts';

/**
 * A normalised data.tar entry: the raw entry with `path` (relative, clean and safe: LayerEntry's
 * rules) for its name; a hardlink's target is normalised like `path`, a symlink's kept verbatim.
 */
/** A package's entry (the indexer refuses types other than EntryType in a package). */
export type DebEntry = Omit<RawTarEntry, 'name' | 'type'> & { path: string; type: EntryType };

/** Cleans a tar path; undefined for the archive root (`./`). */
export function cleanPath(name: string, what: string): string | undefined {
  if (name.startsWith('/'))
    throw new DebError('DEB_PATH_UNSAFE', `${what}: absolute path ${JSON.stringify(name)} in the package`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    throw new DebError(
      'DEB_PATH_UNSAFE',
      `${what}: path ${JSON.stringify(name)} climbs out of the root with ..`,
    );
  return parts.length ? parts.join('/') : undefined;
}

/**
 * Checks a sequence of entries in archive order, as an unpacker would meet them. Duplicate
 * directories collapse into the last one; any other duplicate is a conflict.
 */
export class TreeChecker {
  private readonly byPath = new Map<string, DebEntry>();
  private readonly symlinks = new Set<string>();
  constructor(private readonly what: string) {}

  add(e: DebEntry): void {
    const what = this.what;
    for (let i = e.path.indexOf('/'); i !== -1; i = e.path.indexOf('/', i + 1)) {
      const parent = e.path.slice(0, i);
      if (this.symlinks.has(parent))
        throw new DebError(
          'DEB_SYMLINK_TRAVERSAL',
          `${what}: ${e.path} lies below ${parent}, a symlink created earlier; it would be written through it`,
        );
    }
    const prev = this.byPath.get(e.path);
    if (prev) {
      if (prev.type === 'symlink')
        throw new DebError('DEB_SYMLINK_TRAVERSAL', `${what}: ${e.path} replaces a symlink created earlier`);
      if (!(prev.type === 'dir' && e.type === 'dir'))
        throw new DebError('DEB_PATH_CONFLICT', `${what}: ${e.path} appears twice`);
      this.byPath.delete(e.path); // re-insert so the last directory's attributes win, in order
    }
    if (e.type === 'hardlink') {
      const target = e.linkname === undefined ? undefined : this.byPath.get(e.linkname);
      if (target?.type !== 'file')
        throw new DebError(
          'DEB_HARDLINK_INVALID',
          `${what}: hardlink ${e.path} -> ${e.linkname}: not a file earlier in the package`,
        );
    }
    if (e.type === 'symlink') this.symlinks.add(e.path);
    this.byPath.set(e.path, e);
  }

  entries(): DebEntry[] {
    return [...this.byPath.values()];
  }
}

/** Normalises and checks raw entries (throws DEB_PATH_UNSAFE, DEB_SYMLINK_TRAVERSAL, DEB_HARDLINK_INVALID, DEB_PATH_CONFLICT). */
export function normaliseEntries(raw: readonly RawTarEntry[], what: string): DebEntry[] {
  const checker = new TreeChecker(what);
  for (const r of raw) {
    const path = cleanPath(r.name, what);
    if (path === undefined) {
      if (r.type !== 'dir')
        throw new DebError('DEB_PATH_UNSAFE', `${what}: the archive root is not a directory`);
      continue; // the root directory itself is not an entry of a layer
    }
    const { name: _raw, type, ...attrs } = r;
    if (type === 'other')
      throw new DebError('DEB_ENTRY_UNSUPPORTED', `${what}: ${path}: a tar entry type packages do not hold`);
    const e: DebEntry = { ...attrs, type, path };
    if (r.type === 'hardlink') {
      let target: string | undefined;
      try {
        target = cleanPath(r.linkname ?? '', what);
      } catch (err) {
        throw new DebError('DEB_HARDLINK_INVALID', `${what}: hardlink ${path} points outside the package`, {
          cause: err,
        });
      }
      if (target === undefined)
        throw new DebError('DEB_HARDLINK_INVALID', `${what}: hardlink ${path} has no target`);
      e.linkname = target;
    }
    checker.add(e);
  }
  return checker.entries();
}
