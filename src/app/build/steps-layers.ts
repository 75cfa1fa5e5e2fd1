/**
 * The layer steps of `buildApp`: the app's own layers (once for every architecture), then per
 * architecture the extra Debian packages, the checks of the whole image (entrypoint present,
 * native code resolvable — adding the packages they find missing) and the image itself.
 */
import { type CachedLayer, cachedLayer } from '../../assemble/index.ts';
import type { AppLockArch } from '../../lock/index.ts';
import { LockError } from '../../lock/index.ts';
import { createImage, type Image, type Layer, type LayerEntry } from '../../oci/index.ts';
import { AppError } from '../errors.ts';
import { writableDirs } from '../layout.ts';
import type { JlinkPlan, NativeCheck } from '../types.ts';
import type { AppBuild, AppLayerReport } from './build.ts';
import { checkEntrypoint } from './entrypoint.ts';
import { extraFileEntries } from './files.ts';
import { appAnnotations, appImageConfig } from './image-config.ts';
import { imageTree } from './image-files.ts';
import type { PackagesLayer } from './packages.ts';
import type { AppBase } from './resolve-base.ts';
import type { AppRun } from './steps-project.ts';

/** One of the app's own layers, with its entries (the checks read them). */
export interface AppLayer {
  name: string;
  layer: CachedLayer | Layer;
  /** Its entries when this run made them (a cached layer is listed from its blob). */
  entries?: LayerEntry[];
  cached: boolean;
}

/** The app's own layers, the same for every architecture: the plan's layers, then the files layer. */
export async function appLayers(run: AppRun): Promise<AppLayer[]> {
  const { o, plan, project } = run;
  const archs = project.archs.join(',');
  const out: AppLayer[] = [];
  const allEntries: LayerEntry[] = [];
  for (const l of plan.layers) {
    let entries: LayerEntry[] | undefined;
    const get = async () => {
      entries ??= await l.entries();
      return entries;
    };
    const layer = await cachedLayer(o.cache, { app: l.name, key: l.key ?? { uncached: Date.now() } }, get, {
      ...run.layerOpts,
      ...run.writing(l.name, archs),
    });
    const e = await get();
    allEntries.push(...e);
    out.push({ name: l.name, layer, entries: e, cached: layer.cached });
  }
  const { writable, owner, hashes } = project;
  const files = await extraFileEntries(o.dir, project.config.files ?? [], writable, owner, hashes);
  const extra = [...files.entries, ...writableDirs([...allEntries, ...files.entries], writable, owner)];
  if (extra.length) {
    const layer = await cachedLayer(
      o.cache,
      { app: 'files', key: files.key, writable, owner },
      async () => extra,
      { ...run.layerOpts, ...run.writing('files', archs) },
    );
    out.push({ name: 'files', layer, entries: extra, cached: layer.cached });
  }
  return out;
}

/** What one architecture's build produced. */
export interface ArchBuild {
  image: Image;
  report: AppLayerReport[];
  /** Packages the native checks added in this build (not those the lock already had). */
  added: AppBuild['added'];
  lock: AppLockArch;
}

/** Builds the image of architecture `i`: packages settled by the checks, then the image and its report. */
export async function archBuild(run: AppRun, base: AppBase, own: AppLayer[], i: number): Promise<ArchBuild> {
  const arch = run.project.archs[i] as string;
  const baseImage = base.images[i] as Image;
  // --jlink: the runtime linked for this architecture goes first, right above java-base.
  const app = run.plan.jlink ? [await runtimeLayer(run, run.plan.jlink, arch), ...own] : own;
  const { pkgLayer, roots, addedHere, added } = await settlePackages(run, base, app, i);
  const image = archImage(run, base, baseImage, pkgLayer, app);
  const report = layerReport(pkgLayer, app);
  for (const r of report) run.emit({ type: 'layer', ...r });
  const lock: AppLockArch = {
    roots: [...roots].sort(),
    added: addedHere,
    packages: pkgLayer?.locked ?? [],
    ...(base.catalogue ? {} : { baseDigest: baseImage.descriptor.digest }),
  };
  return { image, report, added: added.map((p) => ({ arch, ...p })), lock };
}

/** The jlinked runtime of `arch` as one of the app's layers; JAVA_VERSION as the javaNN images set it. */
async function runtimeLayer(run: AppRun, jl: JlinkPlan, arch: string): Promise<AppLayer> {
  const { jlinkRuntime } = await import('./jlink.ts');
  const rt = await jlinkRuntime(run, jl, arch);
  run.emit({
    type: 'reason',
    message: `jlink (${arch}): ${rt.modules.length} modules from ${rt.jdk}'s JDK at ${rt.home}: ${rt.modules.join(', ')}`,
  });
  const t = rt.trim;
  const left = t.packages.length
    ? `; left out ${t.files} files of ${t.packages.length} packages (${t.groups.join(', ')} …) and lib/ ${t.natives.join(', ')}`
    : '';
  run.emit({ type: 'reason', message: `jlink (${arch}): ${t.why}${left}` });
  jl.linked = [
    ...(jl.linked ?? []).filter((l) => l.arch !== arch),
    {
      arch,
      modules: rt.modules,
      trimmed: { why: t.why, packages: t.packages, natives: t.natives, files: t.files },
    },
  ];
  if (!('JAVA_VERSION' in run.plan.env)) run.plan.env.JAVA_VERSION = rt.javaVersion;
  return { name: 'runtime', layer: rt.layer, cached: rt.layer.cached };
}

/**
 * The extra packages of architecture `i`: from the lock (or resolved), then checked with the
 * image; a library the native checks find missing adds its package, for at most two more rounds.
 */
async function settlePackages(run: AppRun, base: AppBase, app: AppLayer[], i: number) {
  const arch = run.project.archs[i] as string;
  const lockedArch = run.lock?.architectures[arch];
  let roots = lockedArch ? [...lockedArch.roots] : [...run.plan.extraPackages];
  const addedHere: { name: string; reason: string }[] = lockedArch ? [...lockedArch.added] : [];
  const added: { name: string; reason: string }[] = [];
  for (let round = 0; ; round++) {
    const fromLock = lockedArch && round === 0 ? lockedArch : undefined;
    const pkgLayer = roots.length ? await extraPackagesLayer(run, base, i, roots, fromLock) : undefined;
    const missing = await checkImage(run, base.images[i] as Image, pkgLayer, app, arch);
    const fresh = missing.filter((p) => !roots.includes(p.name));
    if (!fresh.length) return { pkgLayer, roots, addedHere, added };
    if (round >= 2)
      throw new AppError(
        'APP_LIBRARY_NOT_FOUND',
        `libraries still missing after adding ${addedHere.map((a) => a.name).join(', ')}: ${fresh.map((p) => p.reason).join('; ')}`,
      );
    if (run.o.frozen)
      throw new LockError(
        'LOCK_STALE',
        `--frozen-lock: the native checks need ${fresh.map((p) => p.name).join(', ')}, which ${run.lockPath} does not have; run \`distill build --relock\``,
      );
    for (const p of fresh) {
      run.emit({ type: 'step', message: `adding ${p.name}: ${p.reason}` });
      addedHere.push(p);
      added.push(p);
    }
    roots = [...roots, ...fresh.map((p) => p.name)];
  }
}

/** The packages layer of `roots` for architecture `i`: the locked files, or resolved against the base's. */
async function extraPackagesLayer(
  run: AppRun,
  base: AppBase,
  i: number,
  roots: string[],
  locked: AppLockArch | undefined,
): Promise<PackagesLayer> {
  const arch = run.project.archs[i] as string;
  const ctx = await run.context();
  const { fromLock, packagesLayer, resolveExtraPackages } = await import('./packages.ts');
  const pkgs = locked
    ? fromLock(ctx, locked.packages)
    : await resolveExtraPackages(ctx, arch, roots, base.packages?.[i] ?? new Set());
  return packagesLayer(
    ctx,
    pkgs,
    {
      arch,
      debian: run.debian,
      progress: {
        onProgress: (event) => run.progress({ type: 'download', event }),
        onExtract: (event) => run.progress({ type: 'extract', event }),
      },
    },
    { ...run.layerOpts, slim: Boolean(run.o.slim), ...run.writing('packages', arch) },
  );
}

/** Checks the whole image (entrypoint, native code); returns the packages the native checks want added. */
async function checkImage(
  run: AppRun,
  baseImage: Image,
  pkgLayer: PackagesLayer | undefined,
  app: AppLayer[],
  arch: string,
) {
  const { o, plan, emit } = run;
  const layers = [
    ...baseImage.layers.map((layer) => ({ layer })),
    ...(pkgLayer ? [{ layer: pkgLayer.layer as Layer }] : []),
    ...app.map((a) => ({ layer: a.layer as Layer, entries: a.entries })),
  ];
  const tree = await imageTree(layers, o.cache);
  checkEntrypoint(plan, tree, baseImage);
  const res = await nativeCheck(o.checkNative)({
    plan,
    arch,
    debian: run.debian,
    files: tree.files,
    readFile: tree.readFile,
    env: o.env,
    cache: o.cache,
    onEvent: emit,
  });
  for (const m of res.messages) emit({ type: 'native', message: m });
  return res.addPackages;
}

/** The native check, loaded only when used: a project without native code never loads it. */
function nativeCheck(given: NativeCheck | undefined): NativeCheck {
  return async (input) => {
    if (!input.plan.elfFiles.length) return { addPackages: [], messages: [] };
    return (given ?? (await import('../detect/native/hook.ts')).checkNative)(input);
  };
}

/** The image of one architecture: base, packages and app layers under the app's config. */
function archImage(
  run: AppRun,
  base: AppBase,
  baseImage: Image,
  pkgLayer: PackagesLayer | undefined,
  app: AppLayer[],
): Image {
  const { o, plan, project } = run;
  const layerNames = [...(pkgLayer ? ['packages'] : []), ...app.map((a) => a.name)];
  const layers: Layer[] = [
    ...baseImage.layers,
    ...(pkgLayer ? [pkgLayer.layer as Layer] : []),
    ...app.map((a) => a.layer as Layer),
  ];
  return createImage({
    config: appImageConfig(baseImage, plan, project.config, layerNames, o.epoch),
    layers,
    annotations: appAnnotations(base.name, baseImage, project.config, project.vcs),
  });
}

/** The layers distill added above the base, bottom first, for the report. */
function layerReport(pkgLayer: PackagesLayer | undefined, app: AppLayer[]): AppLayerReport[] {
  const report: AppLayerReport[] = [];
  if (pkgLayer)
    report.push({
      name: 'packages',
      digest: pkgLayer.layer.descriptor.digest,
      size: pkgLayer.layer.descriptor.size,
      cached: pkgLayer.layer.cached,
    });
  for (const a of app)
    report.push({
      name: a.name,
      digest: a.layer.descriptor.digest,
      size: a.layer.descriptor.size,
      cached: a.cached,
    });
  return report;
}
