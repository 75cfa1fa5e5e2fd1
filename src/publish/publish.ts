/**
 * `distill publish`: the catalogue (or a selection) built and pushed the way distroless tags it.
 *
 * Each unit (release × image × variant × arch) is built by the catalogue build
 * (`buildCatalogueImage`, every variant of an image and arch from one set of layers) and pushed
 * under its per-arch tags; each group (release × image × variant) becomes a multi-arch index under
 * `VARIANT` (and `VARIANT-STAMP`) once all its per-arch images are there. Every tag is HEADed
 * first and pushed only when it names another digest, so publishing an unchanged archive again
 * sends only HEAD (and GET) requests. Blobs shared between images and repositories are mounted
 * (the registry's blob memory), not uploaded again.
 *
 * Sharded (`shard: N/M`), a machine builds its slice of the units and assembles the indexes it
 * owns; an index's other per-arch images are found on the registry (polled by tag, then their
 * manifests and configs read): no shared disk, only the registry.
 */
import { buildCatalogueImage, type CatalogueEvent } from '../assemble/index.ts';
import type { Variant } from '../catalogue/index.ts';
import type { ArchiveContext, DebianRelease } from '../debian/index.ts';
import type { BaseLockFile } from '../lock/index.ts';
import type { NpmConfig } from '../npm/index.ts';
import { type Artifact, type Compression, createIndex, type Digest, type Image } from '../oci/index.ts';
import { eachLimit, limiter } from '../platform/index.ts';
import {
  memoryBlobMemory,
  type PushResult,
  pushArtifact,
  type RegistryClientOptions,
  referenceDigest,
} from '../registry/index.ts';
import {
  checkStamp,
  groupTags,
  parseTarget,
  publishMatrix,
  repositoriesOf,
  type Selection,
  type Shard,
  shardOf,
  type Unit,
  unitKey,
  unitTags,
} from './matrix.ts';
import { remoteUnit } from './remote-unit.ts';

/** What happened to one tag. */
export interface TagOutcome {
  /** `HOST/REPO:TAG` */
  reference: string;
  digest: Digest;
  status: 'pushed' | 'unchanged';
  kind: 'image' | 'index';
  /** For images: the Debian architecture. */
  arch?: string;
  /** Pushed tags: what the push did with the blobs. */
  blobs?: PushResult['blobs'];
}

/** A digest this publish pushed to a repository: what signing and attesting work on. */
export interface PushedArtifact {
  /** `HOST/REPO@DIGEST` */
  reference: string;
  repository: string;
  digest: Digest;
  kind: 'image' | 'index';
  /** The tags of this publish that now name it in that repository. */
  tags: string[];
  debian: DebianRelease;
  image: string;
  variant: Variant;
  arch?: string;
  /** What was pushed: the image or index itself (for signing and its SBOM). */
  artifact: Artifact;
  /** The lock an image was built from (absent for an index): for SLSA provenance. */
  lock?: BaseLockFile;
}

export type PublishEvent =
  | { type: 'build'; debian: DebianRelease; image: string; arch: string; variants: Variant[] }
  | { type: 'catalogue'; event: CatalogueEvent }
  | { type: 'tag'; outcome: TagOutcome }
  | { type: 'waiting'; reference: string };

export interface PublishOptions extends Selection {
  /** `HOST[/PREFIX]`: images go to `HOST/PREFIX/NAME-debianN` (and `HOST/PREFIX/NAME` for debian 13). */
  registry: string;
  /** How the registry is reached (credentials, blob memory, fetch). `sessions` is added when absent. */
  client: RegistryClientOptions;
  /** The Debian archive of a release (opened once per release). */
  archive: (debian: DebianRelease) => Promise<ArchiveContext>;
  epoch: number;
  npm?: () => Promise<NpmConfig>;
  slim?: boolean;
  compression?: Compression;
  level?: number;
  /** Also tag every image and index `…-STAMP` (a date, a lock digest, a CI run). */
  stamp?: string;
  /** Also push debian 13 images to the unsuffixed repositories (`PREFIX/static`). Default true. */
  aliases?: boolean;
  /** This machine's slice. Default 1/1 (everything). */
  shard?: Shard;
  /** Tags pushed at once. Default 4. */
  jobs?: number;
  /** How long an index owner waits for another shard's per-arch tag. Default 30 minutes. */
  waitTimeoutMs?: number;
  /** How often it asks. Default 2 s. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onEvent?: (e: PublishEvent) => void;
  /**
   * Called once for every digest pushed to a repository (not for unchanged tags), after its tags
   * are there: the place where `--key` signing and attesting plug in (see README "distill publish").
   * A rejection fails the publish.
   */
  onPushed?: (p: PushedArtifact) => Promise<void>;
}

export interface PublishResult {
  registry: string;
  shard: string;
  units: number;
  indexes: number;
  tags: TagOutcome[];
  pushed: number;
  unchanged: number;
  blobs: PushResult['blobs'];
}

/**
 * Publishes a selection of the catalogue (this shard's part of it).
 * @example
 *   const r = await publish({ registry: 'registry.example/distroless', images: ['static'], arches: ['amd64'],
 *     client: nodeRegistryOptions(), archive: (d) => openArchiveContext({ debian: d, env: process.env }), epoch: 0 });
 */
export async function publish(o: PublishOptions): Promise<PublishResult> {
  // Everything is checked before anything is built or pushed.
  const target = parseTarget(o.registry);
  const stamp = o.stamp === undefined ? undefined : checkStamp(o.stamp);
  const shard = o.shard ?? { index: 1, count: 1 };
  const matrix = publishMatrix(o);
  const mine = shardOf(matrix.units, shard);
  const owned = shardOf(matrix.groups, shard);
  const client: RegistryClientOptions = {
    ...o.client,
    sessions: o.client.sessions ?? new Map(),
    blobMemory: o.client.blobMemory ?? memoryBlobMemory(),
  };
  const aliases = o.aliases ?? true;
  const jobs = o.jobs ?? 4;
  const tags: TagOutcome[] = [];
  const blobs = { existing: 0, mounted: 0, uploaded: 0, uploadedBytes: 0 };
  // Shared by every push: a blob one push is uploading is mounted by the others once it is there.
  const inflight = new Map<string, Promise<unknown>>();

  /** Gives `artifact` every tag in every repository, pushing only where the tag names something else. */
  async function pushAll(
    artifact: Artifact,
    repos: string[],
    tagList: string[],
    what: Omit<PushedArtifact, 'reference' | 'repository' | 'digest' | 'tags' | 'kind' | 'artifact'>,
  ): Promise<void> {
    const digest = artifact.descriptor.digest;
    const kind = artifact.kind;
    for (const [i, repo] of repos.entries()) {
      const pushedTags: string[] = [];
      for (const tag of tagList) {
        const reference = `${repo}:${tag}`;
        const there = await referenceDigest(reference, client, 'push,pull');
        let outcome: TagOutcome;
        if (there === digest) {
          outcome = { reference, digest, status: 'unchanged', kind };
        } else {
          const r = await pushArtifact(artifact, reference, {
            ...client,
            jobs,
            inflight,
            // The first repository's blobs are mounted into the aliases.
            mountFrom: repos.slice(0, i).map((x) => x.slice(target.registry.length + 1)),
          });
          for (const k of Object.keys(blobs) as (keyof typeof blobs)[]) blobs[k] += r.blobs[k];
          outcome = { reference, digest, status: 'pushed', kind, blobs: r.blobs };
          pushedTags.push(tag);
        }
        if (what.arch) outcome.arch = what.arch;
        tags.push(outcome);
        o.onEvent?.({ type: 'tag', outcome });
      }
      if (pushedTags.length && o.onPushed)
        await o.onPushed({
          reference: `${repo}@${digest}`,
          repository: repo,
          digest,
          kind,
          tags: pushedTags,
          artifact,
          ...what,
        });
    }
  }

  // Builds: one catalogue build per (release, image, arch) with the variants of this shard.
  const builds = new Map<
    string,
    { debian: DebianRelease; image: string; arch: string; variants: Variant[] }
  >();
  for (const u of mine) {
    const k = `${u.debian}/${u.image}/${u.arch}`;
    const b = builds.get(k) ?? { debian: u.debian, image: u.image, arch: u.arch, variants: [] };
    b.variants.push(u.variant);
    builds.set(k, b);
  }
  const contexts = new Map<DebianRelease, Promise<ArchiveContext>>();
  const contextOf = (d: DebianRelease) => {
    let c = contexts.get(d);
    if (!c) {
      c = o.archive(d);
      contexts.set(d, c);
    }
    return c;
  };
  const local = new Map<string, Image>();
  const pushes = limiter(jobs);
  const pending: Promise<void>[] = [];
  try {
    for (const b of builds.values()) {
      o.onEvent?.({ type: 'build', ...b });
      const built = await buildCatalogueImage({
        ref: `${b.image}:${b.variants[0]}`,
        variants: b.variants,
        arches: [b.arch],
        context: await contextOf(b.debian),
        epoch: o.epoch,
        slim: Boolean(o.slim),
        ...(o.compression ? { compression: o.compression } : {}),
        ...(o.level !== undefined ? { level: o.level } : {}),
        ...(o.npm ? { npm: o.npm } : {}),
        onEvent: (event) => o.onEvent?.({ type: 'catalogue', event }),
      });
      for (const variant of b.variants) {
        const img = built.byVariant.get(variant)?.images[0] as Image;
        const u: Unit = { debian: b.debian, image: b.image, variant, arch: b.arch };
        local.set(unitKey(u), img);
        // Pushing runs while the next image builds.
        const p = pushes(() =>
          pushAll(img, repositoriesOf(target, u, aliases), unitTags(u, stamp), {
            debian: u.debian,
            image: u.image,
            variant,
            arch: u.arch,
            lock: built.lock,
          }),
        );
        p.catch(() => {}); // awaited below; a failure is thrown there
        pending.push(p);
      }
    }
  } finally {
    // A failed build still lets the pushes under way finish (none is left running behind the error).
    await Promise.allSettled(pending);
  }
  await Promise.all(pending);

  // Indexes: the groups this shard owns, from its own images and the ones other shards pushed.
  await eachLimit(owned, jobs, async (g) => {
    const children: Image[] = [];
    for (const arch of g.arches) {
      const u: Unit = { debian: g.debian, image: g.image, variant: g.variant, arch };
      children.push(
        local.get(unitKey(u)) ??
          (await remoteUnit(u, {
            ...o,
            client,
            repository: repositoriesOf(target, u, aliases)[0] as string,
            tag: unitTags(u, stamp).at(-1) as string,
          })),
      );
    }
    const index = createIndex(children, children[0]?.manifest.annotations);
    await pushAll(index, repositoriesOf(target, g, aliases), groupTags(g, stamp), {
      debian: g.debian,
      image: g.image,
      variant: g.variant,
    });
  });

  return {
    registry: o.registry,
    shard: `${shard.index}/${shard.count}`,
    units: mine.length,
    indexes: owned.length,
    tags,
    pushed: tags.filter((t) => t.status === 'pushed').length,
    unchanged: tags.filter((t) => t.status === 'unchanged').length,
    blobs,
  };
}
