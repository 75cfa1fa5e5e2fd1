/**
 * The contract between `distill build` and the detectors: a detector looks at a project
 * directory and says, out loud, what it found — an AppPlan. The build turns the plan into an
 * image (base + extra Debian packages + the plan's layers + config) and then checks every ELF
 * file the plan names against the final image. Shape is stable: add fields, never rename.
 * @module
 */

import type { FileHashes } from '../files/index.ts';
import type { LayerEntry } from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';

/** What kind of application a detector recognised. */
export type AppKind =
  | 'node'
  | 'python'
  | 'java'
  | 'native'
  | 'go'
  /** No detector matched; distill.yaml gave base and entrypoint: the project's files as they are. */
  | 'files';

/** One `files:` item of distill.yaml: an extra path copied into the image. */
export interface AppFileSpec {
  /** Path in the project (relative to the project directory). */
  source: string;
  /** Absolute path in the image. */
  destination: string;
  /** Octal mode as a number (e.g. 0o755); default 0644 for files (0755 when executable on disk). */
  mode?: number;
  /** `uid[:gid]` numbers, or a name the base knows (`root`, `nonroot`); default root. */
  owner?: string;
}

/**
 * distill.yaml after validation, with CLI flags applied on top. Every field is optional; a
 * detector fills what is missing. Ports are normalised to `NNNN/tcp` or `NNNN/udp`.
 */
export interface AppConfig {
  /** Force a detector (`node`, `python`, ...) instead of trying them in order. */
  kind?: AppKind;
  /** A catalogue name (`nodejs22`, `python3:nonroot`, `cc`) or any image reference (`oci:DIR`, `docker://REF`). */
  base?: string;
  /** Debian release of catalogue bases and extra packages (12, 13, `bookworm`, `trixie`). */
  debian?: string | number;
  /** OCI architectures (`amd64`, `arm64`, ...); several make an index. */
  archs?: string[];
  /** Extra Debian packages, each its own resolution (with dependencies) in one layer above the base. */
  packages?: string[];
  /** Main program: for Node/Python the entry script, for Go the main package, for Java the jar. */
  main?: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  /** `8080/tcp` form. */
  ports?: string[];
  /** `uid[:gid]` or a name known to the base's /etc/passwd; default 65532 (nonroot). */
  user?: string;
  workdir?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  files?: AppFileSpec[];
  /** Absolute image paths made writable by (owned by) the runtime user. */
  writable?: string[];
  /** References to tag the result with (`--tag` adds to/overrides). */
  tags?: string[];
  /** Python: a site-packages directory to take dependencies from (relative to the project). */
  sitePackages?: string;
  /** Java: a jlinked runtime on java-base (the modules the classes use, plus `addModules`). */
  jlink?: boolean;
  /** Java with jlink: modules to add (loaded by reflection or as services). */
  addModules?: string[];
  /** Java with jlink: link the modules whole (no trimming of java.desktop's unused parts). */
  jlinkKeepAll?: boolean;
}

/** A layer the plan contributes, bottom to top in `AppPlan.layers` order. */
export interface AppLayer {
  /** `deps` (dependencies, changes rarely) and `app` (the project's own files), or anything else. */
  name: 'deps' | 'app' | (string & {});
  /** The layer's entries; called only when `key` is not in the layer cache. */
  entries: () => Promise<LayerEntry[]>;
  /**
   * Everything the layer's bytes depend on (e.g. a lockfile hash plus file sizes/mtimes/hashes),
   * JSON-serialisable. Same key → the cached blob is reused without calling `entries()`.
   * `undefined` means "do not cache" (always rebuilt).
   */
  key: unknown;
}

/** A binary or shared object the app brings, to be checked against the final image. */
export interface ElfFile {
  /** Absolute path in the image (`/app/node_modules/x/build/Release/x.node`). */
  path: string;
  /** Where it came from, for messages (a project-relative or host path). */
  source: string;
  /** The file's bytes (readElf takes a Buffer). */
  read: () => Promise<Buffer>;
}

/** The runtime the plan needs, for checks (Node ABI, Python version) and for reporting. */
export type AppRuntime =
  | { kind: 'node'; major: number; from: string }
  | { kind: 'python'; version: string; from: string }
  | { kind: 'java'; version: number; from: string };

/** A jlinked Java runtime: what the app's classes refer to, mapped to modules at build time. */
export interface JlinkPlan {
  /** The Java version whose JDK links it (the catalogue's javaNN:debug). */
  java: number;
  /** JDK packages the classes refer to (`java.sql`, `javax.net.ssl`), sorted. */
  packages: string[];
  /** Modules asked for by name (`addModules`, `--add-modules`). */
  addModules: string[];
  /** Link the modules whole (`jlinkKeepAll`, `--jlink-keep-all`): java.desktop is not trimmed. */
  keepAll: boolean;
  /** Filled by the build: per architecture, what was linked and what was left out. */
  linked?: JlinkLinked[];
  /** Classes and jars read. */
  classes: number;
  jars: number;
}

/** One architecture's jlinked runtime, for the build's report. */
export interface JlinkLinked {
  arch: string;
  modules: string[];
  trimmed: { why: string; packages: string[]; natives: string[]; files: number };
}

/** What a detector found and how the image should look. */
export interface AppPlan {
  kind: AppKind;
  /** What was found and why each decision was made, one sentence each (printed by the CLI). */
  reasons: string[];
  /** Catalogue name (`nodejs22`, `python3`, `cc:nonroot`) or an image reference. */
  base: string;
  /** Debian release for a catalogue base and extra packages. */
  debian?: string | number;
  entrypoint: string[];
  cmd?: string[];
  /** Added to the base's Env (same names replaced). */
  env: Record<string, string>;
  workdir: string;
  /** `NNNN/tcp` form. */
  ports: string[];
  /** `uid[:gid]`; the build defaults it to 65532. */
  user: string;
  /** Debian packages to add above the base (resolved and locked with their dependencies). */
  extraPackages: string[];
  layers: AppLayer[];
  /** Binaries and shared objects to check (architecture, interpreter, DT_NEEDED). */
  elfFiles: ElfFile[];
  runtime?: AppRuntime;
  /** Java with `jlink`: the runtime to link, layered above the base. */
  jlink?: JlinkPlan;
  /** Things the user should know that do not stop the build (EOL runtime, ...). */
  warnings?: string[];
}

/** What detectors get besides the directory and the config. */
export interface DetectContext {
  /** OCI architectures being built (`amd64`, ...). */
  archs: readonly string[];
  /** SOURCE_DATE_EPOCH for layer mtimes. */
  epoch: number;
  env: Readonly<Record<string, string | undefined>>;
  cache: Cache;
  /** Content hashes of project files, for layer keys that follow content (never file times). */
  hashes: FileHashes;
  /**
   * True when a project-relative POSIX path (`src/x.js`, a directory without trailing slash) is
   * excluded by .dockerignore/.distillignore. Detectors must honour it for the app layer.
   */
  ignored: (relPath: string) => boolean;
  /** True when ignore rules have `!` exceptions: walk into ignored directories to find kept files. */
  ignoreDescend?: boolean;
  /** The image directory the app lands in (`workdir`, default `/app`). */
  appDir?: string;
  /** Absolute image paths owned by the runtime user (distill.yaml `writable`). */
  writable?: readonly string[];
  /** The clock (ms since the epoch), for end-of-life warnings. */
  now?: () => number;
  /** The runtime user (`65532` unless configured), for `writable` ownership. */
  user: string;
  onEvent?: (e: AppEvent) => void;
}

/** Progress a detector or the build reports (the CLI prints them). */
export type AppEvent =
  | { type: 'detect'; detector: string; found: boolean }
  | { type: 'reason'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'layer'; name: string; cached: boolean; digest: string; size: number }
  | { type: 'native'; message: string }
  | { type: 'step'; message: string };

/** One detector: returns a plan when it recognises the project, else undefined. */
export interface Detector {
  name: string;
  /** A few words on what it looks for, listed in APP_NOT_RECOGNISED. */
  looksFor: string;
  detect(dir: string, config: AppConfig, ctx: DetectContext): Promise<AppPlan | undefined>;
}

/** A file as it is in the final image (all layers applied), for the native checks. */
export interface ImageFile {
  type: LayerEntry['type'];
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkname?: string;
}

/** The native checks' view of one architecture's final image. */
export interface NativeCheckInput {
  plan: AppPlan;
  /** OCI architecture of this image. */
  arch: string;
  /** Debian release of the base / extra packages (for a Contents lookup). */
  debian: string | number | undefined;
  /** Every path in the final image, without a leading `/` (`usr/lib/x86_64-linux-gnu/libc.so.6`). */
  files: ReadonlyMap<string, ImageFile>;
  /** Reads a regular file of the final image (for interpreters/libraries), undefined if absent. */
  readFile: (path: string) => Promise<Buffer | undefined>;
  env: Readonly<Record<string, string | undefined>>;
  cache: Cache;
  onEvent?: (e: AppEvent) => void;
}

/**
 * What the native checks decide. Problems throw (an error with a stable code). Missing
 * libraries that a Debian package provides are returned so the build adds them and checks again.
 */
export interface NativeCheckResult {
  /** Debian packages to add, each with why (`libsqlite3-0 provides libsqlite3.so.0 for /app/x`). */
  addPackages: { name: string; reason: string }[];
  /** What was checked, for the report. */
  messages: string[];
}

export type NativeCheck = (input: NativeCheckInput) => Promise<NativeCheckResult>;
