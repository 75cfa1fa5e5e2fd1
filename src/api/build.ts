/**
 * Library verbs that build from Debian packages: `buildBase` (a catalogue base such as
 * `python3:nonroot`) and `buildApp` (a project directory on a base). They compose the same
 * modules as `distill base` and `distill build`; the result is an image or index to pass to `writeImage`.
 */

import type { AppConfig } from '../app/index.ts';
import { type AppBuild, buildApp as buildAppImage } from '../app/index.ts';
import { buildCatalogueImage, type CatalogueBuild, type CatalogueEvent } from '../assemble/index.ts';
import { parseDebianRelease } from '../debian/index.ts';
import { readBaseLock, writeAppLock, writeBaseLock } from '../lock/index.ts';
import { discoverNpmConfig, type NpmConfig, nodeConfigSources } from '../npm/index.ts';
import type { Compression } from '../oci/index.ts';
import { type DebianSource, type Effects, openArchive, openEffectsCache, resolveEffects } from './effects.ts';
import { openImage } from './images.ts';
import type { RegistryOptions } from './registry.ts';

export type { AppBuild, AppConfig, CatalogueBuild, CatalogueEvent };

/** Options both builds share. */
interface BuildCommon extends Effects, DebianSource {
  /** Layer compression of what distill writes. Default gzip at level 6 (zstd: level 3). */
  compression?: Compression;
  level?: number;
  /** Leave out docs, man pages, changelogs and translations of Debian packages (copyrights stay). */
  slim?: boolean;
  /** The npm configuration (registry) for Node.js runtimes. Default the user's npm config. */
  npm?: () => Promise<NpmConfig>;
}

export interface BuildBaseOptions extends BuildCommon {
  /** Debian release: 13 (trixie, the default) or 12 (bookworm). */
  debian?: 12 | 13 | string;
  /** Architectures; several give an OCI index. Default `['amd64']`. */
  arches?: readonly string[];
  /** A base lock: built exactly from it when it exists, else resolved and written there. */
  lock?: string;
  onEvent?: (e: CatalogueEvent) => void;
}

/**
 * Builds a catalogue base (`static`, `base`, `cc`, `python3`, `nodejs22`, `java21`…, with an
 * optional `:nonroot`, `:debug` or `:debug-nonroot` variant) from signed Debian packages.
 * @example
 *   const b = await buildBase('python3:nonroot', { arches: ['amd64', 'arm64'] });
 *   await writeImage(b.artifact, 'oci:out/python3:nonroot');
 */
export async function buildBase(name: string, o: BuildBaseOptions = {}): Promise<CatalogueBuild> {
  const fx = resolveEffects(o);
  const debian = parseDebianRelease(o.debian ?? 13);
  const arches = [...(o.arches ?? ['amd64'])];
  const inputs = { image: name.split(':')[0] as string, debian, architectures: arches };
  const lock = o.lock ? await readBaseLock(o.lock, inputs) : undefined;
  const context = await openArchive(o, fx, await openEffectsCache(fx), debian, { indexes: !lock });
  const b = await buildCatalogueImage({
    ref: name,
    arches,
    context,
    epoch: fx.epoch,
    slim: Boolean(o.slim),
    ...(o.compression ? { compression: o.compression } : {}),
    ...(o.level !== undefined ? { level: o.level } : {}),
    ...(lock ? { lock } : {}),
    npm: o.npm ?? (() => discoverNpmConfig(nodeConfigSources())),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
  if (o.lock && !lock) await writeBaseLock(o.lock, b.lock);
  return b;
}

export interface BuildAppOptions extends BuildCommon {
  /** distill.yaml fields that replace the file's (`base`, `archs`, `entrypoint`, `packages`…). */
  config?: Partial<AppConfig>;
  /** Resolve the base and packages again even when DIR/distill.lock is current. */
  relock?: boolean;
  /** Fail with LOCK_MISSING / LOCK_STALE unless DIR/distill.lock exists and matches (CI). */
  frozenLock?: boolean;
  /** Write DIR/distill.lock when it changed, as `distill build` does. Default true. */
  writeLock?: boolean;
  /** How an image-reference base (`docker://…`) is pulled. */
  registry?: RegistryOptions;
  /** Milliseconds clock for reports. Default `Date.now`. */
  now?: () => number;
  onEvent?: Parameters<typeof buildAppImage>[0]['onEvent'];
}

/**
 * Builds the application image of a project directory (Node.js, Python, Java, Go, native),
 * configured by its optional distill.yaml.
 * @example
 *   const b = await buildApp('./my-app', { config: { archs: ['amd64'] } });
 *   await writeImage(b.artifact, 'docker-archive:app.tar:my-app:1.0');
 */
export async function buildApp(dir: string, o: BuildAppOptions = {}): Promise<AppBuild> {
  const fx = resolveEffects(o);
  const cache = await openEffectsCache(fx);
  const b = await buildAppImage({
    dir,
    flags: o.config ?? {},
    env: fx.env,
    epoch: fx.epoch,
    cache,
    archive: (debian) => openArchive(o, fx, cache, debian),
    openImage: (ref) => openImage(ref, o.registry),
    relock: Boolean(o.relock),
    frozen: Boolean(o.frozenLock),
    ...(o.slim ? { slim: true } : {}),
    ...(o.compression ? { compression: o.compression } : {}),
    ...(o.level !== undefined ? { level: o.level } : {}),
    npm: o.npm ?? (() => discoverNpmConfig(nodeConfigSources())),
    ...(o.now ? { now: o.now } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  });
  if (b.lockChanged && o.writeLock !== false) await writeAppLock(b.lockPath, b.lock);
  return b;
}
