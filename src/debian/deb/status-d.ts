/**
 * dpkg metadata for scanners, exactly as distroless writes it: /var/lib/dpkg/status.d/<pkg> is the
 * package's control file verbatim (no Status line added) and /var/lib/dpkg/status.d/<pkg>.md5sums its
 * md5sums verbatim. There is no /var/lib/dpkg/status.
 */
import type { LayerEntry } from '../../oci/index.ts';

/** Where distroless keeps per-package dpkg records. */
export const STATUS_D = 'var/lib/dpkg/status.d';

/** The package record: from ExtractedDeb or DebControl. */
export interface StatusDInput {
  /** `Package:` of the package. */
  package: string;
  control: string;
  md5sums?: string;
}

/** Attributes of the written entries. */
export interface StatusDOptions {
  /** mtime of the written files; absent = the layer writer's (SOURCE_DATE_EPOCH). */
  mtime?: number;
  /** Also emit the parent directories var, var/lib, var/lib/dpkg, var/lib/dpkg/status.d (default true). */
  parents?: boolean;
}

function file(path: string, text: string, mtime?: number): LayerEntry {
  const data = Buffer.from(text, 'utf8');
  const e: LayerEntry = {
    path,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    content: () => data,
  };
  if (mtime !== undefined) e.mtime = mtime;
  return e;
}

/** The status.d entries for one package (its files only; see statusDDirs for the directories). */
export function statusDEntries(pkg: StatusDInput, opts: StatusDOptions = {}): LayerEntry[] {
  const out: LayerEntry[] = [];
  if (opts.parents ?? true) out.push(...statusDDirs(opts.mtime));
  out.push(file(`${STATUS_D}/${pkg.package}`, pkg.control, opts.mtime));
  if (pkg.md5sums !== undefined)
    out.push(file(`${STATUS_D}/${pkg.package}.md5sums`, pkg.md5sums, opts.mtime));
  return out;
}

/** The directories leading to status.d (0755 root), for a layer that holds status.d files. */
export function statusDDirs(mtime?: number): LayerEntry[] {
  return ['var', 'var/lib', 'var/lib/dpkg', STATUS_D].map((path) => {
    const e: LayerEntry = { path, type: 'dir', mode: 0o755, uid: 0, gid: 0 };
    if (mtime !== undefined) e.mtime = mtime;
    return e;
  });
}
