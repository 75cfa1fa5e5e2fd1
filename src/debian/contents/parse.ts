/**
 * Debian's Contents index (`dists/<suite>/<component>/Contents-<arch>.gz`): one line per file,
 * `PATH<spaces>SECTION/PACKAGE[,SECTION/PACKAGE...]`. It is large (about 170 MB for trixie main
 * amd64, 590 MB for Contents-all), so it is parsed as a stream and only the lines that name a
 * shared library under lib/ or usr/lib/ are kept: library file name → directory → packages.
 */
import { DebianError } from '../errors.ts';

/** One place a library file name is shipped: its directory and the packages shipping it there. */
export interface LibraryLocation {
  /** Directory without leading or trailing `/`, e.g. `usr/lib/x86_64-linux-gnu`. */
  readonly dir: string;
  /** Package names (section prefixes dropped), sorted. */
  readonly packages: readonly string[];
}

/** Library file name (`libsqlite3.so.0`) → where it is shipped. */
export type LibraryTable = Map<string, LibraryLocation[]>;

/** `libz.so.1`, `libfoo-2.0.so.0.1.2`, `ld-linux-x86-64.so.2`, `libjli.so` — not `foo.so.conf`. */
const SHARED_OBJECT = /\.so(\.[0-9][0-9A-Za-z_]*)*$/;

/** Library file names: sonames start with `lib` or `ld` (`libz.so.1`, `ld-linux-x86-64.so.2`). */
const LIBRARY_NAME = /^(lib|ld)[^/]*$/;
/**
 * Directories no DT_NEEDED lookup ends in: detached debug symbols and Python's extension modules
 * (tens of thousands of lines that would only bloat the table).
 */
const NOT_LIBRARY_DIR = /(^|\/)(debug|\.build-id)(\/|$)|^usr\/lib\/python[0-9.]*\//;

/** True when a Contents path names a shared library under `lib/` or `usr/lib/`. */
export function isLibraryPath(path: string): boolean {
  if (!(path.startsWith('lib/') || path.startsWith('usr/lib/')) || !SHARED_OBJECT.test(path)) return false;
  const slash = path.lastIndexOf('/');
  return LIBRARY_NAME.test(path.slice(slash + 1)) && !NOT_LIBRARY_DIR.test(path.slice(0, slash));
}

/**
 * Accumulates the library lines of one or more Contents files. Feed it text chunks in order
 * (line breaks may fall anywhere), then call `finish()`.
 */
export class ContentsLibraryParser {
  // name → dir → packages; the sets keep duplicate lines (Contents-arch + Contents-all) harmless.
  private readonly libs: Collected = new Map();
  private rest = '';
  private restBytes: Buffer = Buffer.alloc(0);
  private lineNo = 0;
  constructor(private readonly source = 'Contents') {}

  /** Parses the complete lines in `chunk` and keeps the unfinished tail for the next call. */
  push(chunk: string): void {
    const text = this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  /**
   * Parses raw bytes: lines are found and prefix-tested on the bytes, and only the few that start
   * with lib/ or usr/lib/ are decoded — Contents-all is ~600 MB of text, nearly all of it
   * usr/share. Do not mix with push() in one parse.
   */
  pushBytes(chunk: Uint8Array): void {
    const buf = this.restBytes.length
      ? Buffer.concat([this.restBytes, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      const c = buf[start];
      // 'l' (lib/) or 'u' (usr/lib/): decode; anything else is counted and skipped.
      if ((c === 0x6c && buf[start + 3] === 0x2f) || (c === 0x75 && buf[start + 7] === 0x2f))
        this.line(buf.toString('utf8', start, nl));
      else this.lineNo++;
      start = nl + 1;
    }
    this.restBytes = Buffer.from(buf.subarray(start));
  }

  /** The table of everything pushed so far (a final line without a newline included). */
  finish(): LibraryTable {
    if (this.rest) this.line(this.rest);
    if (this.restBytes.length) this.line(this.restBytes.toString('utf8'));
    this.rest = '';
    this.restBytes = Buffer.alloc(0);
    return toTable(this.libs);
  }

  private line(raw: string): void {
    this.lineNo++;
    // Cheap prefix test first: only a few percent of the lines are under lib/ or usr/lib/.
    if (!(raw.startsWith('lib/') || raw.startsWith('usr/lib/'))) return;
    const line = raw.trimEnd();
    // The path may contain spaces; the package list is the last whitespace-separated field.
    const m = /^(.*\S)\s+(\S+)$/.exec(line);
    if (!m)
      throw new DebianError(
        'DEBIAN_INDEX_INVALID',
        `${this.source} line ${this.lineNo}: no package list in ${JSON.stringify(line.slice(0, 200))}`,
      );
    const path = m[1] as string;
    if (!isLibraryPath(path)) return;
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    const dir = path.slice(0, slash);
    const pkgs = packagesAt(this.libs, name, dir);
    for (const qualified of (m[2] as string).split(',')) {
      // `libs/libsqlite3-0` or `contrib/libs/foo`: the package is the last segment.
      const pkg = qualified.slice(qualified.lastIndexOf('/') + 1);
      if (pkg) pkgs.add(pkg);
    }
  }
}

/** Library name → directory → packages, while a table is being collected. */
type Collected = Map<string, Map<string, Set<string>>>;

/** The package set of `name` in `dir`, created when new. */
function packagesAt(c: Collected, name: string, dir: string): Set<string> {
  let dirs = c.get(name);
  if (!dirs) {
    dirs = new Map();
    c.set(name, dirs);
  }
  let pkgs = dirs.get(dir);
  if (!pkgs) {
    pkgs = new Set();
    dirs.set(dir, pkgs);
  }
  return pkgs;
}

/** The finished table: directories and packages sorted. */
function toTable(c: Collected): LibraryTable {
  const out: LibraryTable = new Map();
  for (const [name, dirs] of c)
    out.set(
      name,
      [...dirs]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([dir, pkgs]) => ({ dir, packages: [...pkgs].sort() })),
    );
  return out;
}

/** Parses Contents text from a stream of byte or string chunks. */
export async function parseContentsLibraries(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  source = 'Contents',
): Promise<LibraryTable> {
  const parser = new ContentsLibraryParser(source);
  for await (const chunk of chunks)
    if (typeof chunk === 'string') parser.push(chunk);
    else parser.pushBytes(chunk);
  return parser.finish();
}

/** Merges several tables (e.g. Contents-amd64 and Contents-all) into a new one. */
export function mergeLibraryTables(tables: readonly LibraryTable[]): LibraryTable {
  const merged: Collected = new Map();
  for (const t of tables)
    for (const [name, locs] of t)
      for (const loc of locs) {
        const pkgs = packagesAt(merged, name, loc.dir);
        for (const p of loc.packages) pkgs.add(p);
      }
  return toTable(merged);
}

/** The JSON form kept in the cache: `{v: 1, libs: {name: [[dir, [pkg...]]...]}}`. */
export interface LibraryTableJson {
  readonly v: 1;
  readonly libs: Record<string, [string, string[]][]>;
}

/** Serialises a table for the cache. */
export function libraryTableToJson(table: LibraryTable): LibraryTableJson {
  const libs: Record<string, [string, string[]][]> = {};
  for (const [name, locs] of [...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    libs[name] = locs.map((l) => [l.dir, [...l.packages]]);
  return { v: 1, libs };
}

/** Reads a cached table back; undefined when the JSON is not this version's shape. */
export function libraryTableFromJson(json: unknown): LibraryTable | undefined {
  const j = json as Partial<LibraryTableJson> | undefined;
  if (j?.v !== 1 || typeof j.libs !== 'object' || j.libs === null) return undefined;
  const out: LibraryTable = new Map();
  for (const [name, locs] of Object.entries(j.libs)) {
    if (!Array.isArray(locs)) return undefined;
    out.set(
      name,
      locs.map(([dir, packages]) => ({ dir, packages })),
    );
  }
  return out;
}
