/**
 * `distill build`: a project directory → an application image on a distroless base, per
 * architecture. Detect (or read distill.yaml) → base → extra Debian packages → dependency and
 * app layers → config → checks (entrypoint present, native code resolvable) → image or index.
 * No Docker engine; every effect (archive access, image sources, clock) comes in as an option.
 */
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogueEvent } from '../../assemble/index.ts';
import { type CachedLayer, cachedLayer, type LayerWriteEvent } from '../../assemble/index.ts';
import type { ArchiveContext, DebianRelease } from '../../debian/index.ts';
import { parseDebianRelease } from '../../debian/index.ts';
import { openFileHashes } from '../../files/index.ts';
import {
  APP_LOCK_FILE,
  type AppLockArch,
  type AppLockFile,
  LockError,
  makeAppLock,
  readAppLock,
} from '../../lock/index.ts';
import type { NpmConfig } from '../../npm/index.ts';
import {
  type Artifact,
  type Compression,
  canonicalJson,
  createImage,
  createIndex,
  type Image,
  type Layer,
  type LayerEntry,
} from '../../oci/index.ts';
import type { Cache } from '../../platform/index.ts';
import { loadConfigFile, mergeConfig } from '../config.ts';
import { detectors as allDetectors } from '../detect/detectors.ts';
import { AppError } from '../errors.ts';
import { filesPlan } from '../files-plan.ts';
import { loadIgnoreRules } from '../ignore.ts';
import { parseOwner, writableDirs } from '../layout.ts';
import { outputsInProject } from '../project-path.ts';
import type { AppConfig, AppEvent, AppPlan, Detector, NativeCheck } from '../types.ts';
import { checkEntrypoint } from './entrypoint.ts';
import { extraFileEntries } from './files.ts';
import { appAnnotations, appImageConfig, effectivePlan } from './image-config.ts';
import { imageTree } from './image-files.ts';
import type { PackagesLayer } from './packages.ts';
import { type AppBase, appBase, layerCompression } from './resolve-base.ts';

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

const DEFAULT_USER = '65532';

/** Builds the application image of `dir`. Throws AppError (APP_*) and the lower modules' errors. */
export async function buildApp(o: AppBuildOptions): Promise<AppBuild> {
  const emit = (e: AppEvent) => o.onEvent?.(e);
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

  const detected = await detect(o, config, {
    archs,
    epoch: o.epoch,
    env: o.env,
    cache: o.cache,
    hashes,
    ignored,
    ignoreDescend: rules.hasExceptions,
    appDir: config.workdir ?? '/app',
    writable,
    user,
    ...(o.now ? { now: o.now } : {}),
    onEvent: emit,
  });
  const plan = effectivePlan(detected, config);
  for (const r of plan.reasons) emit({ type: 'reason', message: r });
  const warnings = [
    ...outputsInside.map(
      (p) =>
        `the output ${p} is inside the project: left out of the image (add it to .dockerignore to silence this)`,
    ),
    ...(plan.warnings ?? []),
  ];
  for (const w of warnings) emit({ type: 'warning', message: w });

  const debian = parseDebianRelease(config.debian ?? plan.debian ?? 13);
  const lockPath = o.lockPath ?? join(o.dir, APP_LOCK_FILE);
  const inputs = { base: plan.base, debian, architectures: archs, packages: plan.extraPackages };
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

  let archive: Promise<ArchiveContext> | undefined;
  const context = () => {
    archive ??= o.archive(debian);
    return archive;
  };
  const base = await appBase({
    ref: plan.base,
    archs,
    debian,
    context,
    epoch: o.epoch,
    lock: lock?.base,
    ...(o.npm ? { npm: o.npm } : {}),
    openImage: o.openImage,
    cache: o.cache,
    ...layerCompression(o),
    ...(o.slim ? { slim: true } : {}),
    onEvent: (event) => o.onEvent?.({ type: 'base', event }),
  });
  const layerOpts = { mtime: o.epoch, ...layerCompression(o) };
  // Downloads, extraction and layers written above the base, for the CLI's progress.
  const progress = (event: CatalogueEvent) => o.onEvent?.({ type: 'progress', event });
  const writing = (kind: string, arch: string) => ({
    onWrite: (event: LayerWriteEvent) => progress({ type: 'layer-write', image: 'app', arch, kind, event }),
  });

  // The app's own layers are the same for every architecture: build them once.
  const appLayers: { name: string; layer: CachedLayer | Layer; entries: LayerEntry[]; cached: boolean }[] =
    [];
  const allEntries: LayerEntry[] = [];
  for (const l of plan.layers) {
    let entries: LayerEntry[] | undefined;
    const get = async () => {
      entries ??= await l.entries();
      return entries;
    };
    const layer = await cachedLayer(o.cache, { app: l.name, key: l.key ?? { uncached: Date.now() } }, get, {
      ...layerOpts,
      ...writing(l.name, archs.join(',')),
    });
    const e = await get();
    allEntries.push(...e);
    appLayers.push({ name: l.name, layer, entries: e, cached: layer.cached });
  }
  const files = await extraFileEntries(o.dir, config.files ?? [], writable, owner, hashes);
  const extra = [...files.entries, ...writableDirs([...allEntries, ...files.entries], writable, owner)];
  if (extra.length) {
    const layer = await cachedLayer(
      o.cache,
      { app: 'files', key: files.key, writable, owner },
      async () => extra,
      { ...layerOpts, ...writing('files', archs.join(',')) },
    );
    appLayers.push({ name: 'files', layer, entries: extra, cached: layer.cached });
  }

  // Loaded only when used: a project without native code or extra packages never loads them.
  const check: NativeCheck = async (input) => {
    if (!input.plan.elfFiles.length) return { addPackages: [], messages: [] };
    return (o.checkNative ?? (await import('../detect/native/hook.ts')).checkNative)(input);
  };
  const images: Image[] = [];
  const reports: AppLayerReport[][] = [];
  const added: AppBuild['added'] = [];
  const lockArchs: Record<string, AppLockArch> = {};
  for (const [i, arch] of archs.entries()) {
    const baseImage = base.images[i] as Image;
    const lockedArch = lock?.architectures[arch];
    let roots = lockedArch ? [...lockedArch.roots] : [...plan.extraPackages];
    const addedHere: { name: string; reason: string }[] = lockedArch ? [...lockedArch.added] : [];
    let pkgLayer: PackagesLayer | undefined;
    for (let round = 0; ; round++) {
      pkgLayer = undefined;
      if (roots.length) {
        const ctx = await context();
        const { fromLock, packagesLayer, resolveExtraPackages } = await import('./packages.ts');
        const pkgs =
          lockedArch && round === 0
            ? fromLock(ctx, lockedArch.packages)
            : await resolveExtraPackages(ctx, arch, roots, haveOf(base, i));
        pkgLayer = await packagesLayer(
          ctx,
          pkgs,
          {
            arch,
            debian,
            progress: {
              onProgress: (event) => progress({ type: 'download', event }),
              onExtract: (event) => progress({ type: 'extract', event }),
            },
          },
          { ...layerOpts, slim: Boolean(o.slim), ...writing('packages', arch) },
        );
      }
      const layers = [
        ...baseImage.layers.map((layer) => ({ layer })),
        ...(pkgLayer ? [{ layer: pkgLayer.layer as Layer }] : []),
        ...appLayers.map((a) => ({ layer: a.layer as Layer, entries: a.entries })),
      ];
      const tree = await imageTree(layers, o.cache);
      checkEntrypoint(plan, tree, baseImage);
      const res = await check({
        plan,
        arch,
        debian,
        files: tree.files,
        readFile: tree.readFile,
        env: o.env,
        cache: o.cache,
        onEvent: emit,
      });
      for (const m of res.messages) emit({ type: 'native', message: m });
      const fresh = res.addPackages.filter((p) => !roots.includes(p.name));
      if (!fresh.length) break;
      if (round >= 2)
        throw new AppError(
          'APP_LIBRARY_NOT_FOUND',
          `libraries still missing after adding ${addedHere.map((a) => a.name).join(', ')}: ${fresh.map((p) => p.reason).join('; ')}`,
        );
      if (o.frozen)
        throw new LockError(
          'LOCK_STALE',
          `--frozen-lock: the native checks need ${fresh.map((p) => p.name).join(', ')}, which ${lockPath} does not have; run \`distill build --relock\``,
        );
      for (const p of fresh) {
        emit({ type: 'step', message: `adding ${p.name}: ${p.reason}` });
        addedHere.push(p);
        added.push({ arch, ...p });
      }
      roots = [...roots, ...fresh.map((p) => p.name)];
    }
    const layerNames = [...(pkgLayer ? ['packages'] : []), ...appLayers.map((a) => a.name)];
    const layerObjs: Layer[] = [
      ...baseImage.layers,
      ...(pkgLayer ? [pkgLayer.layer as Layer] : []),
      ...appLayers.map((a) => a.layer as Layer),
    ];
    images.push(
      createImage({
        config: appImageConfig(baseImage, plan, config, layerNames, o.epoch),
        layers: layerObjs,
        annotations: appAnnotations(base.name, baseImage, config),
      }),
    );
    const report: AppLayerReport[] = [];
    if (pkgLayer)
      report.push({
        name: 'packages',
        digest: pkgLayer.layer.descriptor.digest,
        size: pkgLayer.layer.descriptor.size,
        cached: pkgLayer.layer.cached,
      });
    for (const a of appLayers)
      report.push({
        name: a.name,
        digest: a.layer.descriptor.digest,
        size: a.layer.descriptor.size,
        cached: a.cached,
      });
    reports.push(report);
    for (const r of report) emit({ type: 'layer', ...r });
    lockArchs[arch] = {
      roots: [...roots].sort(),
      added: addedHere,
      packages: pkgLayer?.locked ?? [],
      ...(base.catalogue ? {} : { baseDigest: baseImage.descriptor.digest }),
    };
  }
  const artifact = images.length === 1 ? (images[0] as Image) : createIndex(images);
  const newLock = makeAppLock(inputs, base.lock, lockArchs);
  // Written when new, stale, or resolved to something else (a warm build from the lock writes nothing).
  const changed = !previous || previous.stale || canonicalJson(newLock) !== canonicalJson(previous.lock);
  await hashes.save();
  return {
    artifact,
    images,
    plan,
    config,
    archs,
    debian,
    baseName: base.name,
    layers: reports,
    added,
    lock: newLock,
    lockChanged: changed,
    lockPath,
    warnings,
  };
}

function haveOf(base: AppBase, i: number): ReadonlySet<string> {
  return base.packages?.[i] ?? new Set();
}

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
