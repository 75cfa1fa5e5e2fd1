/**
 * `distill build`: a project directory → an application image on a distroless base, per
 * architecture. Detect (or read distill.yaml) → base → extra Debian packages → dependency and
 * app layers → config → checks (entrypoint present, native code resolvable) → image or index.
 * No Docker engine; every effect (archive access, image sources, clock) comes in as an option.
 */
import type { CatalogueEvent } from '../../assemble/index.ts';
import type { ArchiveContext, DebianRelease } from '../../debian/index.ts';
import { type AppLockArch, type AppLockFile, appLockChanged, makeAppLock } from '../../lock/index.ts';
import type { NpmConfig } from '../../npm/index.ts';
import { type Artifact, type Compression, createIndex, type Image } from '../../oci/index.ts';
import type { Cache } from '../../platform/index.ts';
import type { AppConfig, AppEvent, AppPlan, Detector, NativeCheck } from '../types.ts';
import { jdkLockOf } from './jlink-jdk.ts';
import { type AppBase, appBase, layerCompression } from './resolve-base.ts';
import { type ArchBuild, appLayers, archBuild } from './steps-layers.ts';
import { type AppRun, appRun, openProject, planProject, planWarnings, readLock } from './steps-project.ts';

export interface AppBuildOptions {
  dir: string;
  /** Command-line values; each one given replaces the distill.yaml field. */
  flags?: Partial<AppConfig>;
  env: Readonly<Record<string, string | undefined>>;
  epoch: number;
  cache: Cache;
  /** Opens the Debian archive (mirrors, keys) for a release; called only when packages must be resolved or fetched. */
  archive: (debian: DebianRelease) => Promise<ArchiveContext>;
  /** Opens an image reference base (oci:, docker-archive:, registry). */
  openImage: (ref: string) => Promise<Artifact>;
  npm?: () => Promise<NpmConfig>;
  now?: () => number;
  /** The lock to build from; default DIR/distill.lock. */
  lockPath?: string;
  /** Resolve again even when the lock is current (`--relock`, `distill lock`). */
  relock?: boolean;
  /** CI: the lock must exist and match the inputs (LOCK_MISSING, LOCK_STALE); nothing is resolved. */
  frozen?: boolean;
  /** Layer compression of what distill writes (a catalogue base, packages, the app); default gzip. */
  compression?: Compression;
  level?: number;
  /** --slim for the layers made from Debian packages (a catalogue base, extra packages); the app's own files stay. */
  slim?: boolean;
  detectors?: readonly Detector[];
  checkNative?: NativeCheck;
  /** Host paths this run writes (--output, --archive): left out of the app when inside the project. */
  outputs?: readonly string[];
  onEvent?: (
    e: AppEvent | { type: 'base'; event: CatalogueEvent } | { type: 'progress'; event: CatalogueEvent },
  ) => void;
}

export interface AppLayerReport {
  name: string;
  digest: string;
  size: number;
  cached: boolean;
}

export interface AppBuild {
  artifact: Artifact;
  images: Image[];
  plan: AppPlan;
  config: AppConfig;
  archs: string[];
  debian: DebianRelease;
  baseName: string;
  /** Per architecture, the layers distill added (bottom first). */
  layers: AppLayerReport[][];
  /** Debian packages added because the native checks found a library missing. */
  added: { arch: string; name: string; reason: string }[];
  lock: AppLockFile;
  /** True when the lock is new or differs from DIR/distill.lock (the caller writes it). */
  lockChanged: boolean;
  lockPath: string;
  warnings: string[];
}

/**
 * Builds the application image of `dir`. Throws AppError (APP_*) and the lower modules' errors.
 * The steps: read the project, plan it, read its lock, set up the run, the base, the app's own
 * layers, one image per architecture, then the artifact and the new lock.
 */
export async function buildApp(o: AppBuildOptions): Promise<AppBuild> {
  const emit = (e: AppEvent) => o.onEvent?.(e);
  const project = await openProject(o);
  const plan = await planProject(o, project, emit);
  const warnings = planWarnings(project, plan, emit);
  const locked = await readLock(o, project, plan, warnings, emit);
  const run = appRun(o, emit, project, plan, locked);
  const base = await resolveBase(run);
  const app = await appLayers(run);
  const built: ArchBuild[] = [];
  for (const i of project.archs.keys()) built.push(await archBuild(run, base, app, i));
  return finish(run, base, built, warnings);
}

/** The base image of every architecture (a catalogue base is built, with the lock's pins). */
function resolveBase(run: AppRun): Promise<AppBase> {
  const { o } = run;
  return appBase({
    ref: run.plan.base,
    archs: run.project.archs,
    debian: run.debian,
    context: run.context,
    epoch: o.epoch,
    lock: run.lock?.base,
    ...(o.npm ? { npm: o.npm } : {}),
    openImage: o.openImage,
    cache: o.cache,
    ...layerCompression(o),
    ...(o.slim ? { slim: true } : {}),
    onEvent: (event) => o.onEvent?.({ type: 'base', event }),
  });
}

/** The image or index, the new lock (and whether it changed), the file hashes saved. */
async function finish(run: AppRun, base: AppBase, built: ArchBuild[], warnings: string[]): Promise<AppBuild> {
  const { previous, project } = run;
  const images = built.map((b) => b.image);
  const artifact = images.length === 1 ? (images[0] as Image) : createIndex(images);
  const lockArchs: Record<string, AppLockArch> = {};
  for (const [i, arch] of project.archs.entries()) lockArchs[arch] = (built[i] as ArchBuild).lock;
  const made = makeAppLock(run.inputs, base.lock, lockArchs, await jdkLockOf(run));
  // Written when new, stale, or resolved to something else (a warm build from the lock writes
  // nothing; nor does a relock that only saw re-signed indexes: the previous lock stays).
  const changed = !previous || previous.stale || appLockChanged(previous.lock, made);
  const newLock = changed || !previous ? made : previous.lock;
  await project.hashes.save();
  return {
    artifact,
    images,
    plan: run.plan,
    config: project.config,
    archs: project.archs,
    debian: run.debian,
    baseName: base.name,
    layers: built.map((b) => b.report),
    added: built.flatMap((b) => b.added),
    lock: newLock,
    lockChanged: changed,
    lockPath: run.lockPath,
    warnings,
  };
}
