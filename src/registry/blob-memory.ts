/**
 * Which repositories of a registry hold which blobs — Docker's "distribution metadata" (its
 * v2metadata service): learnt from every push and pull, and used to mount a blob from a
 * repository that has it instead of uploading it again (`POST …/blobs/uploads/?mount=D&from=R`).
 *
 * It is a hint, never trusted: a mount from a repository that no longer holds the blob is simply
 * answered with an upload session (202), and that pairing is forgotten.
 *
 * On disk (`fileBlobMemory`): one small JSON file per registry and digest,
 * `DIR/<sha256(registry) first 16 hex>/<digest hex>` = `["repo", …]`, most recent first, at most
 * `MAX_REPOS`. Each write goes to a temp file in the same folder and is renamed into place, so a
 * reader never sees half a file and several processes may write at once (the last rename wins: a
 * lost entry costs one upload, never a wrong image).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { holdTemp, releaseTemp, tempPath } from '../files/index.ts';
import type { Digest } from '../oci/index.ts';

/** Repositories remembered per blob (Docker keeps a few too; mounts try them in order). */
export const MAX_REPOS = 8;

export interface BlobMemory {
  /** Repositories of `registry` known to hold `digest`, most recent first. */
  reposFor(registry: string, digest: Digest): Promise<string[]>;
  /** Records that `repository` on `registry` holds every blob in `digests`. */
  remember(registry: string, repository: string, digests: readonly Digest[]): Promise<void>;
  /** Drops one pairing that turned out to be wrong (a refused mount). */
  forget(registry: string, repository: string, digest: Digest): Promise<void>;
}

/** A memory that lives as long as the process (tests, and the library when no folder is given). */
export function memoryBlobMemory(): BlobMemory {
  const m = new Map<string, string[]>();
  const key = (r: string, d: Digest) => `${r} ${d}`;
  return {
    reposFor: async (r, d) => [...(m.get(key(r, d)) ?? [])],
    async remember(r, repo, digests) {
      for (const d of digests) m.set(key(r, d), merged(m.get(key(r, d)) ?? [], repo));
    },
    async forget(r, repo, d) {
      m.set(
        key(r, d),
        (m.get(key(r, d)) ?? []).filter((x) => x !== repo),
      );
    },
  };
}

function merged(have: readonly string[], repo: string): string[] {
  return [repo, ...have.filter((x) => x !== repo)].slice(0, MAX_REPOS);
}

const registryDir = (registry: string) => createHash('sha256').update(registry).digest('hex').slice(0, 16);

/** The memory kept under `dir` (distill's cache: `<cache>/registry-blobs`). */
export function fileBlobMemory(dir: string): BlobMemory {
  // What this process has read or written: a publish asks for the same blobs many times.
  const known = new Map<string, string[]>();
  const pathOf = (registry: string, d: Digest) => join(dir, registryDir(registry), d.slice(7));
  async function read(registry: string, d: Digest): Promise<string[]> {
    const p = pathOf(registry, d);
    const k = known.get(p);
    if (k) return k;
    let list: string[] = [];
    try {
      const v = JSON.parse(await readFile(p, 'utf8')) as unknown;
      if (Array.isArray(v)) list = v.filter((x): x is string => typeof x === 'string').slice(0, MAX_REPOS);
    } catch {
      // absent or torn by a crash outside our rename: nothing known
    }
    known.set(p, list);
    return list;
  }
  async function write(registry: string, d: Digest, list: string[]): Promise<void> {
    const p = pathOf(registry, d);
    known.set(p, list);
    const folder = join(dir, registryDir(registry));
    const tmp = tempPath(folder);
    holdTemp(tmp);
    try {
      await mkdir(folder, { recursive: true });
      await writeFile(tmp, JSON.stringify(list));
      await rename(tmp, p);
    } catch {
      // A memory that cannot be written only costs uploads later; a push never fails for it.
      await unlink(tmp).catch(() => {});
    } finally {
      releaseTemp(tmp);
    }
  }
  return {
    async reposFor(registry, d) {
      return [...(await read(registry, d))];
    },
    async remember(registry, repo, digests) {
      // One file per digest: they are written side by side.
      await Promise.all(
        [...new Set(digests)].map(async (d) => {
          const have = await read(registry, d);
          if (have[0] !== repo) await write(registry, d, merged(have, repo));
        }),
      );
    },
    async forget(registry, repo, d) {
      const have = await read(registry, d);
      if (have.includes(repo))
        await write(
          registry,
          d,
          have.filter((x) => x !== repo),
        );
    },
  };
}
