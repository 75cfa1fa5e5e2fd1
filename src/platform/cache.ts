/**
 * The content-addressed cache (DESIGN.md "Cache").
 *
 * Layout under the root:
 *   blobs/sha256/<hex>        content, named by its sha256
 *   blobs/sha256/.tmp-*       in-flight writes (same directory, so the final rename is atomic)
 *   keys/<sha256(key)>.json   keyed records {key, digest}: "this derived result is that blob"
 *   stamps/<hex>              the stat (size, mtime, ctime, inode) a blob had when it was last hashed
 *
 * Safety: a blob appears under its final name only by rename(2) of a fully written, hash-checked temp
 * file, so a process killed mid-write leaves at most a `.tmp-*` file that no reader ever opens, and
 * several processes writing the same blob simply race to rename identical bytes. Nothing is fsync'ed
 * (a power loss may leave a torn blob), so a hit is trusted only while the blob is provably the file
 * that was hashed: `get` re-hashes a blob unless its stat equals the stamp written when it was last
 * hashed (by any process). A write to the blob, a replacement or a torn file changes its size, mtime,
 * ctime or inode, so it is hashed again; a blob that fails is deleted and reported as a miss.
 */
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Digest, isDigest } from '../oci/index.ts';
import {
  blobPath,
  cacheState,
  cleanTemp,
  getJson,
  getKey,
  prepareDirs,
  putBlob,
  putKey,
  verifiedBlob,
} from './cache-store.ts';
import { PlatformError } from './errors.ts';

/** What a put may be checked against; a mismatch fails the put and leaves nothing behind. */
export interface Expected {
  /** `sha256:<hex>` or bare hex, as Debian indexes give it. */
  sha256?: string;
  size?: number;
}

/** A blob now in the cache. */
export interface Stored {
  digest: Digest;
  size: number;
  /** Absolute path of the blob (read-only: never write to it). */
  path: string;
}

/** The content-addressed cache; see the module comment for its guarantees. */
export interface Cache {
  readonly root: string;
  /** Where a blob with this digest lives (whether or not it is there). */
  path(digest: Digest): string;
  /** True when the blob is present and hash-checked (same as `get(d) !== undefined`). */
  has(digest: Digest): Promise<boolean>;
  /** The path of a present, hash-checked blob, or undefined (a corrupt blob is deleted). */
  get(digest: Digest): Promise<string | undefined>;
  /** Stores what the stream yields; rejects (and stores nothing) when `expected` does not match. */
  putStream(source: Readable | AsyncIterable<Uint8Array>, expected?: Expected): Promise<Stored>;
  /** Copies a file into the cache. */
  putFile(file: string, expected?: Expected): Promise<Stored>;
  putBytes(data: Uint8Array | string, expected?: Expected): Promise<Stored>;
  /** Records that `key` (any string, e.g. "deb-index:v1:<sha>") maps to `digest`; atomic. */
  putKey(key: string, digest: Digest): Promise<void>;
  /** The digest recorded for `key` when that blob is still present and hash-checked. */
  getKey(key: string): Promise<Digest | undefined>;
  /** Stores `value` as a JSON blob and records it under `key`. */
  putJson(key: string, value: unknown): Promise<Digest>;
  /** The JSON value recorded under `key`, hash-checked, or undefined. */
  getJson<T = unknown>(key: string): Promise<T | undefined>;
  /** Deletes `.tmp-*` files older than `maxAgeMs` (left by killed processes); returns how many. */
  cleanTemp(maxAgeMs?: number, now?: number): Promise<number>;
}

/** The cache root: `$DISTILL_CACHE`, else `$XDG_CACHE_HOME/distill`, else `~/.cache/distill`. */
export function cacheRoot(env: Record<string, string | undefined>, home: string = homedir()): string {
  if (env.DISTILL_CACHE) return env.DISTILL_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'distill');
  if (!home) throw new PlatformError('CACHE_ROOT_UNSET', 'no cache directory: set DISTILL_CACHE');
  return join(home, '.cache', 'distill');
}

/** Normalises `sha256:<hex>` or bare hex to a Digest. */
export function toDigest(s: string): Digest {
  const d = s.startsWith('sha256:') ? s : `sha256:${s.toLowerCase()}`;
  if (!isDigest(d))
    throw new PlatformError('CACHE_DIGEST_INVALID', `not a sha256 digest: ${JSON.stringify(s)}`);
  return d;
}

/**
 * Opens (creating if needed) the cache at `root`. Each method is one step over the cache's state
 * (cache-store.ts): the folders, and the blobs this instance has hashed.
 */
export async function openCache(root: string): Promise<Cache> {
  const s = cacheState(root);
  await prepareDirs(s);
  const cache: Cache = {
    root,
    path: (d) => blobPath(s, d),
    has: async (d) => (await verifiedBlob(s, d)) !== undefined,
    get: (d) => verifiedBlob(s, d),
    putStream: (source, expected) => putBlob(s, source, expected),
    putFile: (file, expected) => putBlob(s, createReadStream(file, { highWaterMark: 1 << 20 }), expected),
    putBytes: (data, expected) =>
      putBlob(s, Readable.from([typeof data === 'string' ? Buffer.from(data) : Buffer.from(data)]), expected),
    putKey: (key, digest) => putKey(s, key, digest),
    getKey: (key) => getKey(s, key),
    async putJson(key, value) {
      const { digest } = await cache.putBytes(JSON.stringify(value));
      await putKey(s, key, digest);
      return digest;
    },
    getJson: <T>(key: string) => getJson<T>(s, key),
    cleanTemp: (maxAgeMs, now) => cleanTemp(s, maxAgeMs, now),
  };
  return cache;
}
