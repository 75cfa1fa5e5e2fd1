/**
 * Library verb for `distill publish`: the catalogue (or a selection) built and pushed to a
 * registry as distroless tags it, only changed tags pushed, optionally one shard of many.
 */
import { discoverNpmConfig, type NpmConfig, nodeConfigSources } from '../npm/index.ts';
import type { Compression } from '../oci/index.ts';
import {
  type PublishEvent,
  type PublishResult,
  type PushedArtifact,
  parseShard,
  publish as publishMatrix,
  type Selection,
  type Shard,
} from '../publish/index.ts';
import { type DebianSource, type Effects, openArchive, openEffectsCache, resolveEffects } from './effects.ts';
import { type RegistryOptions, registryClientOptions } from './registry.ts';

export type { PublishEvent, PublishResult, PushedArtifact };

export interface PublishOptions extends Effects, DebianSource, Selection {
  /** How the registry is reached (credentials, insecure hosts, fetch). */
  registry?: RegistryOptions;
  /** Extra tags `…-STAMP` on every image and index (a date, a CI run). Default none. */
  stamp?: string;
  /** Also push debian 13 to the unsuffixed repositories (`PREFIX/static`). Default true. */
  aliases?: boolean;
  /** `N/M`: this machine's slice of the matrix. Default everything. */
  shard?: string | Shard;
  /** Tags pushed at once. Default 4. */
  jobs?: number;
  /** How long an index owner waits for another shard's per-arch tag. Default 30 minutes. */
  waitTimeoutMs?: number;
  slim?: boolean;
  compression?: Compression;
  level?: number;
  npm?: () => Promise<NpmConfig>;
  onEvent?: (e: PublishEvent) => void;
  /** Called once for each digest pushed to a repository: where signing and attesting plug in. */
  onPushed?: (p: PushedArtifact) => Promise<void>;
}

/**
 * Builds and pushes the catalogue to `HOST/PREFIX` (`HOST/PREFIX/NAME-debianN:latest`, `:nonroot`,
 * `:debug`, `:debug-nonroot`, `:VARIANT-ARCH`, and for debian 13 `HOST/PREFIX/NAME` too).
 * @example
 *   const r = await publish('registry.example/distroless', { images: ['static'], arches: ['amd64'] });
 *   r.tags.filter((t) => t.status === 'pushed');
 */
export async function publish(target: string, o: PublishOptions = {}): Promise<PublishResult> {
  const fx = resolveEffects(o);
  const cache = await openEffectsCache(fx);
  const { shard: given, ...rest } = o;
  const shard = typeof given === 'string' ? parseShard(given) : given;
  return publishMatrix({
    ...rest,
    registry: target,
    ...(shard ? { shard } : {}),
    client: registryClientOptions({ env: fx.env, ...o.registry }),
    archive: (debian) => openArchive(o, fx, cache, debian),
    epoch: fx.epoch,
    npm: o.npm ?? (() => discoverNpmConfig(nodeConfigSources())),
  });
}
