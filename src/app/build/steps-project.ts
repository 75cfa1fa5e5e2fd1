/**
 * The first steps of `buildApp`, before any layer: read the project (distill.yaml, flags, ignore
 * rules), detect its plan, read its lock, and set up what the later steps share (`AppRun`).
 */
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogueEvent, LayerWriteEvent } from '../../assemble/index.ts';
import type { ArchiveContext, DebianRelease } from '../../debian/index.ts';
import { parseDebianRelease } from '../../debian/index.ts';
import { type FileHashes, openFileHashes } from '../../files/index.ts';
import {
  APP_LOCK_FILE,
  type AppLockFile,
  type AppLockInputs,
  LockError,
  readAppLock,
} from '../../lock/index.ts';
import type { Compression } from '../../oci/index.ts';
import { loadConfigFile, mergeConfig } from '../config.ts';
import { detectors as allDetectors } from '../detect/detectors.ts';
import { AppError } from '../errors.ts';
import { filesPlan } from '../files-plan.ts';
import { loadIgnoreRules } from '../ignore.ts';
import { type Owner, parseOwner } from '../layout.ts';
import { outputsInProject } from '../project-path.ts';
import type { AppConfig, AppEvent, AppPlan, Detector } from '../types.ts';
import type { AppBuildOptions } from './build.ts';
import { type GitSource, gitSource } from './git-source.ts';
import { effectivePlan } from './image-config.ts';
import { layerCompression } from './resolve-base.ts';

const DEFAULT_USER = '65532';

/** The project as configured: distill.yaml merged with the flags, and which of its files go in. */
export interface Project {
  config: AppConfig;
  user: string;
  owner: Owner;
  archs: string[];
  writable: string[];
  /** Outputs of this run inside the project (left out of the image, with a warning). */
  outputsInside: string[];
  /** True for a project path that is not part of the app. */
  ignored: (rel: string) => boolean;
  /** The ignore rules have `!` exceptions: detectors must descend into ignored folders. */
  ignoreDescend: boolean;
  hashes: FileHashes;
  /** The git checkout's origin, commit and tag, for the image's source/revision/version annotations. */
  vcs: GitSource;
}

/** Reads the project: its directory, distill.yaml and the flags, ignore rules, file hashes. */
export async function openProject(o: AppBuildOptions): Promise<Project> {
  const st = await stat(o.dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new AppError('APP_DIR_NOT_FOUND', `${o.dir} is not a directory`);
  const config = mergeConfig(await loadConfigFile(o.dir), o.flags ?? {});
  const user = config.user ?? DEFAULT_USER;
  const owner = parseOwner(user);
  const archs = config.archs ?? ['amd64'];
  const rules = await loadIgnoreRules(o.dir);
  // distill's own files describe the build; they are not part of the app.
  const outputsInside = (await outputsInProject(o.dir, o.outputs ?? [])).filter((p) => !rules.ignored(p));
  const ignored = (rel: string) =>
    rel === 'distill.yaml' ||
    rel === APP_LOCK_FILE ||
    outputsInside.some((p) => rel === p || rel.startsWith(`${p}/`)) ||
    rules.ignored(rel);
  const writable = config.writable ?? [];
  const hashes = await openFileHashes(o.cache.root, await realpath(o.dir));
  return {
    config,
    user,
    owner,
    archs,
    writable,
    outputsInside,
    ignored,
    ignoreDescend: rules.hasExceptions,
    hashes,
    vcs: await gitSource(o.dir),
  };
}

/** Detects what the project is and plans its image (config fields override the detector's). */
export async function planProject(
  o: AppBuildOptions,
  p: Project,
  emit: (e: AppEvent) => void,
): Promise<AppPlan> {
  const detected = await detect(o, p.config, {
    archs: p.archs,
    epoch: o.epoch,
    env: o.env,
    cache: o.cache,
    hashes: p.hashes,
    ignored: p.ignored,
    ignoreDescend: p.ignoreDescend,
    appDir: p.config.workdir ?? '/app',
    writable: p.writable,
    user: p.user,
    ...(o.now ? { now: o.now } : {}),
    onEvent: emit,
  });
  const plan = effectivePlan(detected, p.config);
  for (const r of plan.reasons) emit({ type: 'reason', message: r });
  return plan;
}

/** The first detector that recognises the project (or the files plan); APP_NOT_RECOGNISED else. */
async function detect(
  o: AppBuildOptions,
  config: AppConfig,
  ctx: Parameters<Detector['detect']>[2],
): Promise<AppPlan> {
  const list = o.detectors ?? allDetectors;
  const chosen = config.kind ? list.filter((d) => d.name === config.kind) : list;
  for (const d of chosen) {
    const plan = await d.detect(o.dir, config, ctx);
    ctx.onEvent?.({ type: 'detect', detector: d.name, found: Boolean(plan) });
    if (plan) return plan;
  }
  if (!config.kind || config.kind === 'files') {
    const plan = await filesPlan(o.dir, config, ctx);
    if (plan) return plan;
  }
  throw new AppError(
    'APP_NOT_RECOGNISED',
    `${o.dir}: no ${config.kind ? `${config.kind} ` : ''}project recognised; looked for ${chosen.map((d) => `${d.looksFor}`).join('; ')}. To build anything else, give base: and entrypoint: in distill.yaml (the project's files then go in as they are)`,
  );
}

/** The warnings known once the plan is: outputs inside the project, and the detector's own. */
export function planWarnings(p: Project, plan: AppPlan, emit: (e: AppEvent) => void): string[] {
  const warnings = [
    ...p.outputsInside.map(
      (out) =>
        `the output ${out} is inside the project: left out of the image (add it to .dockerignore to silence this)`,
    ),
    ...(plan.warnings ?? []),
    ...(p.config.jlink && plan.kind !== 'java'
      ? [`--jlink (jlink:) is for Java applications; this is a ${plan.kind} project: ignored`]
      : []),
  ];
  for (const w of warnings) emit({ type: 'warning', message: w });
  return warnings;
}

/** The project's lock: what the build is checked against, and what it builds from. */
export interface LockState {
  debian: DebianRelease;
  lockPath: string;
  inputs: AppLockInputs;
  /** DIR/distill.lock as read, and whether it was made for other inputs. */
  previous: { lock: AppLockFile; stale: boolean } | undefined;
  /** The lock to build from: the previous one when current and not --relock. */
  lock: AppLockFile | undefined;
}

/** Reads the lock; --frozen-lock fails when it is missing or stale, else a stale one is a warning. */
export async function readLock(
  o: AppBuildOptions,
  p: Project,
  plan: AppPlan,
  warnings: string[],
  emit: (e: AppEvent) => void,
): Promise<LockState> {
  const debian = parseDebianRelease(p.config.debian ?? plan.debian ?? 13);
  const lockPath = o.lockPath ?? join(o.dir, APP_LOCK_FILE);
  const inputs = { base: plan.base, debian, architectures: p.archs, packages: plan.extraPackages };
  const previous = await readAppLock(lockPath, inputs);
  if (o.frozen && !previous)
    throw new LockError(
      'LOCK_MISSING',
      `--frozen-lock: no ${lockPath}; run \`distill build\` once and commit it`,
    );
  if (o.frozen && previous?.stale)
    throw new LockError(
      'LOCK_STALE',
      `--frozen-lock: ${lockPath} was made for other inputs (base, debian, archs or packages changed); run \`distill build --relock\``,
    );
  if (previous?.stale) {
    const w = `${lockPath} was made for other inputs (base, debian, archs or packages changed): resolving again`;
    warnings.push(w);
    emit({ type: 'warning', message: w });
  }
  const lock = previous && !previous.stale && !o.relock ? previous.lock : undefined;
  return { debian, lockPath, inputs, previous, lock };
}

/** What the layer steps share: the options, project, plan and lock, and the effects set up once. */
export interface AppRun extends LockState {
  o: AppBuildOptions;
  emit: (e: AppEvent) => void;
  project: Project;
  plan: AppPlan;
  /** Opens the Debian archive once, when first needed. */
  context: () => Promise<ArchiveContext>;
  /** Entries' mtime and the layer compression of what distill writes. */
  layerOpts: { mtime: number; compression?: Compression; level?: number };
  /** Downloads, extraction and layers written above the base, for the CLI's progress. */
  progress: (event: CatalogueEvent) => void;
  /** Layer options that report the writing of layer `kind` as progress. */
  writing: (kind: string, arch: string) => { onWrite: (event: LayerWriteEvent) => void };
}

/** Sets up the shared state of the layer steps: the lazy archive, layer options, progress. */
export function appRun(
  o: AppBuildOptions,
  emit: (e: AppEvent) => void,
  project: Project,
  plan: AppPlan,
  locked: LockState,
): AppRun {
  let archive: Promise<ArchiveContext> | undefined;
  const progress = (event: CatalogueEvent) => o.onEvent?.({ type: 'progress', event });
  return {
    ...locked,
    o,
    emit,
    project,
    plan,
    context: () => {
      archive ??= o.archive(locked.debian);
      return archive;
    },
    layerOpts: { mtime: o.epoch, ...layerCompression(o) },
    progress,
    writing: (kind, arch) => ({
      onWrite: (event) => progress({ type: 'layer-write', image: 'app', arch, kind, event }),
    }),
  };
}
