/**
 * What an image's files say about it, for `distill compare` (the seed's section 6 columns): which
 * shells and package managers it holds, its libc (glibc, musl or none), the language runtimes it
 * carries and their versions, and its setuid/setgid files. Pure functions of a scan's final tree;
 * a symlink counts only when it resolves to a file inside the image.
 */
import { posix } from 'node:path';
import { PACKAGE_MANAGERS, SHELLS } from '../audit/index.ts';
import type { FileEntry, ImageFiles, PackageRecord } from '../scan/index.ts';

const BIN_DIRS = new Set([
  '/bin',
  '/sbin',
  '/usr/bin',
  '/usr/sbin',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/busybox',
]);
/** The audit's names; a busybox binary counts as a shell here (its `sh` applet is one). */
const SHELL_NAMES: ReadonlySet<string> = new Set([...SHELLS, 'busybox']);

export type Libc = 'glibc' | 'musl' | 'glibc+musl' | 'none';

export interface Runtime {
  /** `python3.13`, `node`, `java`. */
  readonly name: string;
  readonly version?: string;
  /** Where it is (the interpreter binary). */
  readonly path: string;
  /** Bytes of the binary (after its symlinks): what the runtime alone adds to an image. */
  readonly size: number;
}

/** The entry `path` names after following symlinks (also in its directories), or undefined. */
export function resolveEntry(files: ImageFiles['files'], path: string, hops = 0): FileEntry | undefined {
  if (hops > 40) return undefined;
  const parts = path.split('/').filter(Boolean);
  let cur = '';
  for (const [i, part] of parts.entries()) {
    const next = `${cur}/${part}`;
    const e = files.get(next);
    if (e?.type === 'symlink' && e.linkname !== undefined) {
      const target = e.linkname.startsWith('/') ? e.linkname : posix.join(cur || '/', e.linkname);
      const rest = parts.slice(i + 1).join('/');
      return resolveEntry(files, posix.normalize(rest ? `${target}/${rest}` : target), hops + 1);
    }
    if (!e && !(i < parts.length - 1 && hasChildren(files, next))) return undefined;
    cur = next;
  }
  return cur ? files.get(cur) : undefined;
}

// A tar may list files without their parent directories: the directories its paths imply, made
// once per tree (a scan over every path per lookup made 20,000 dangling links take minutes).
const implied = new WeakMap<ImageFiles['files'], { size: number; dirs: Set<string> }>();
const hasChildren = (files: ImageFiles['files'], dir: string) => {
  let c = implied.get(files);
  if (c?.size !== files.size) {
    c = { size: files.size, dirs: new Set() };
    for (const k of files.keys())
      for (let i = k.lastIndexOf('/'); i > 0 && !c.dirs.has(k.slice(0, i)); i = k.lastIndexOf('/', i - 1))
        c.dirs.add(k.slice(0, i));
    implied.set(files, c);
  }
  return c.dirs.has(dir);
};

const isProgram = (files: ImageFiles['files'], e: FileEntry) => {
  const r = e.type === 'symlink' ? resolveEntry(files, e.path) : e;
  return r !== undefined && (r.type === 'file' || r.type === 'hardlink');
};

/** A link to busybox: one of its applets, not the real program of that name. */
function isApplet(files: ImageFiles['files'], e: FileEntry): boolean {
  if (e.type === 'hardlink') return posix.basename(e.linkname ?? '') === 'busybox';
  if (e.type !== 'symlink') return false;
  const r = resolveEntry(files, e.path);
  return r !== undefined && posix.basename(r.path) === 'busybox' && posix.basename(e.path) !== 'busybox';
}

/** Programs in the usual bin directories whose names pass `names`: name → only busybox applets. */
function programs(files: ImageFiles['files'], names: (n: string) => boolean): Map<string, boolean> {
  const found = new Map<string, boolean>();
  for (const e of files.values()) {
    const base = posix.basename(e.path);
    if (!BIN_DIRS.has(posix.dirname(e.path)) || !names(base) || !isProgram(files, e)) continue;
    found.set(base, (found.get(base) ?? true) && isApplet(files, e));
  }
  return found;
}

/** Shells: `sh`, `bash`, `dash`, `busybox`... sorted (busybox's `sh` is a shell all the same). */
export const shellsOf = (f: ImageFiles): string[] =>
  [...programs(f.files, (n) => SHELL_NAMES.has(n)).keys()].sort();

/**
 * Package managers, in PACKAGE_MANAGERS order; busybox's applets of the same name (a :debug
 * image's `dpkg`, `rpm`) are marked `busybox dpkg`: they exist, but are not the real tools.
 */
export function packageManagersOf(f: ImageFiles): string[] {
  const found = programs(f.files, (n) => PACKAGE_MANAGERS.has(n));
  return [...PACKAGE_MANAGERS].filter((p) => found.has(p)).map((p) => (found.get(p) ? `busybox ${p}` : p));
}

const GLIBC = /\/(ld-linux[^/]*\.so(\.\d+)*|libc\.so\.6)$/;
const MUSL = /\/ld-musl-[^/]+\.so\.1$/;

/** glibc (its dynamic loader or libc.so.6), musl (ld-musl-ARCH.so.1), both, or none. */
export function libcOf(f: ImageFiles): Libc {
  let glibc = false;
  let musl = false;
  for (const e of f.files.values()) {
    if (e.type === 'dir') continue;
    if (GLIBC.test(e.path)) glibc = true;
    if (MUSL.test(e.path)) musl = true;
  }
  return glibc && musl ? 'glibc+musl' : glibc ? 'glibc' : musl ? 'musl' : 'none';
}

/** The libc's version as the package records say it (Debian libc6, Alpine musl). */
export function libcVersion(libc: Libc, packages: readonly PackageRecord[]): string | undefined {
  const name = libc === 'glibc' ? 'libc6' : libc === 'musl' ? 'musl' : undefined;
  const p = packages.find((r) => (r.ecosystem === 'deb' || r.ecosystem === 'apk') && r.name === name);
  return p?.version;
}

/** setuid or setgid regular files, sorted by path. */
export const setuidFilesOf = (f: ImageFiles): string[] =>
  [...f.files.values()]
    .filter((e) => e.type === 'file' && (e.mode & 0o6000) !== 0)
    .map((e) => e.path)
    .sort();

/** A JDK/JRE's `release` file: the scan keeps it so compare can say the Java version. */
export const isJavaRelease = (path: string): boolean =>
  /^\/usr\/lib\/jvm\/[^/]+\/release$/.test(path) || /^\/opt\/[^/]+\/release$/.test(path);

const PYTHON = /^python(3\.\d+)$/;
const RUNTIME_NAME = /^(python3\.\d+|node|nodejs|java)$/;

/** Python 3.x, Node.js and Java runtimes, with versions where the package records or files say them. */
export function runtimesOf(f: ImageFiles, packages: readonly PackageRecord[]): Runtime[] {
  const out: Runtime[] = [];
  // The first binary of a runtime wins, unless a later one knows its version (/usr/bin/java vs
  // /usr/lib/jvm/X/bin/java beside its release file).
  const add = (r: Runtime) => {
    const i = out.findIndex((x) => x.name === r.name);
    if (i < 0) out.push(r);
    else if (!out[i]?.version && r.version) out[i] = r;
  };
  const deb = (name: string) => packages.find((p) => p.ecosystem === 'deb' && p.name === name)?.version;
  // Names first: sorting and following every link of a large image to find three binaries is waste.
  const named = [...f.files.values()].filter((e) => RUNTIME_NAME.test(posix.basename(e.path)));
  for (const e of named.sort((a, b) => a.path.localeCompare(b.path))) {
    const base = posix.basename(e.path);
    const dir = posix.dirname(e.path);
    if (!isProgram(f.files, e)) continue;
    const size = (e.type === 'symlink' ? resolveEntry(f.files, e.path) : e)?.size ?? 0;
    const py = PYTHON.exec(base);
    if (py && BIN_DIRS.has(dir)) {
      const v = deb(`${base}-minimal`) ?? deb(base) ?? deb(`lib${base}-minimal`);
      add({ name: base, version: v ? upstream(v) : py[1], path: e.path, size });
    } else if ((base === 'node' || base === 'nodejs') && dir.endsWith('/bin')) {
      const npmNode = packages.find((p) => p.ecosystem === 'generic' && p.name === 'node')?.version;
      const v = npmNode ?? deb('nodejs');
      add({ name: 'node', version: v ? upstream(v) : undefined, path: e.path, size });
    } else if (base === 'java' && dir.endsWith('/bin')) {
      const release = f.contents.get(posix.join(posix.dirname(dir), 'release'))?.toString('utf8');
      const v = release ? /^JAVA_VERSION="([^"]+)"/m.exec(release)?.[1] : undefined;
      const jre = packages.find(
        (p) => p.ecosystem === 'deb' && /^openjdk-\d+-jre-headless$/.test(p.name),
      )?.version;
      add({ name: 'java', version: v ?? (jre ? upstream(jre) : undefined), path: e.path, size });
    }
  }
  return out;
}

/** A Debian version's upstream part: `3.13.5-2` → `3.13.5`, `1:2.3-4` → `2.3`. */
export const upstream = (v: string): string => v.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
