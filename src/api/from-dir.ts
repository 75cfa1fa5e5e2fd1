/**
 * `fromDir`: an image of one layer holding a directory, like `distill image from-dir` (ownership
 * 0:0, times from SOURCE_DATE_EPOCH), so the same directory gives the same digest anywhere.
 */
import { basename, join, resolve } from 'node:path';
import {
  applyConfigChanges,
  type Compression,
  createImage,
  dirEntries,
  emptyConfig,
  type Image,
  mergeEnv,
  OciError,
  parsePlatform,
  writeLayer,
} from '../oci/index.ts';
import { type Effects, resolveEffects } from './effects.ts';

/** The image config of `fromDir`: what `--entrypoint`, `--env`, `--label`… set on the CLI. */
export interface FromDirConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** Added to `PATH=/usr/local/sbin:…:/bin`; a name given replaces the default. */
  env?: Record<string, string>;
  labels?: Record<string, string>;
  /** `uid[:gid]`. */
  user?: string;
  workdir?: string;
}

export interface FromDirOptions extends Effects {
  /** `os/arch[/variant]`. Default `linux/amd64`. */
  platform?: string;
  config?: FromDirConfig;
  /** Keep the files' uid/gid instead of 0:0. */
  preserveOwner?: boolean;
  /** Leave out fifos, sockets and device nodes (reported through `onSkip`) instead of failing. */
  skipSpecial?: boolean;
  onSkip?: (path: string, why: string) => void;
  /** Layer compression. Default gzip at level 6 (zstd: level 3). */
  compression?: Compression;
  level?: number;
  /** Where the layer blob is written. Default the cache's `blobs/sha256`. */
  blobDir?: string;
}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Builds the image; nothing is written but the layer blob. Throws OciError (LAYER_SOURCE_INVALID…).
 * @example
 *   const img = await fromDir('rootfs', { config: { entrypoint: ['/app'] }, platform: 'linux/arm64' });
 *   await writeImage(img, 'oci:out/app');
 */
export async function fromDir(rootfs: string, o: FromDirOptions = {}): Promise<Image> {
  const fx = resolveEffects(o);
  const platform = parsePlatform(o.platform ?? 'linux/amd64');
  const c = o.config ?? {};
  const env = Object.entries(c.env ?? {}).map(([k, v]) => {
    // `A=B: C` would silently set A to `B=C`.
    if (!k || k.includes('='))
      throw new OciError('OCI_CONFIG_INVALID', `env name ${JSON.stringify(k)} is empty or holds '='`);
    return `${k}=${v}`;
  });
  const entries = await dirEntries(rootfs, {
    preserveOwner: Boolean(o.preserveOwner),
    skipSpecial: Boolean(o.skipSpecial),
    ...(o.onSkip ? { onSkip: o.onSkip } : {}),
  });
  const layer = await writeLayer(entries, {
    dir: o.blobDir ?? join(fx.cacheDir, 'blobs', 'sha256'),
    ...(o.compression ? { compression: o.compression } : {}),
    ...(o.level !== undefined ? { level: o.level } : {}),
    mtime: fx.epoch,
  });
  const base = emptyConfig(platform, fx.epoch);
  return createImage({
    config: {
      ...base,
      config: applyConfigChanges(base.config, {
        env: mergeEnv([DEFAULT_PATH], env),
        ...(c.entrypoint ? { entrypoint: c.entrypoint } : {}),
        ...(c.cmd ? { cmd: c.cmd } : {}),
        ...(c.user ? { user: c.user } : {}),
        ...(c.workdir ? { workdir: c.workdir } : {}),
        labels: c.labels ?? {},
      }),
      history: [{ created: base.created, created_by: `distill image from-dir ${basename(resolve(rootfs))}` }],
    },
    layers: [layer],
    annotations: { 'org.opencontainers.image.created': base.created as string },
  });
}
