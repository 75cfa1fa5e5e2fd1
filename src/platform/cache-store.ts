/**
 * The steps behind `openCache`'s methods, as functions over a small state record: the cache's
 * folders and the stats of the blobs this process has hashed. The guarantees they keep are in
 * cache.ts's module comment.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { holdTemp, releaseTemp, sweepTemps, tempPath } from '../files/index.ts';
import { type Digest, isDigest } from '../oci/index.ts';
import { type Expected, type Stored, toDigest } from './cache.ts';
import { PlatformError } from './errors.ts';

/** The stat of a blob that was hashed: a change in any of these means hash it again. */
interface Seen {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** One open cache: its folders, and what this instance has hashed. */
export interface CacheState {
  readonly root: string;
  readonly blobDir: string;
  readonly keyDir: string;
  readonly stampDir: string;
  /** Blobs this instance has hashed, with the stat that was hashed: a changed stat means re-hash. */
  readonly verified: Map<string, Seen>;
}

/** The state of the cache at `root` (nothing is touched on disk). */
export function cacheState(root: string): CacheState {
  return {
    root,
    blobDir: join(root, 'blobs', 'sha256'),
    keyDir: join(root, 'keys'),
    stampDir: join(root, 'stamps'),
    verified: new Map(),
  };
}

/** Creates the cache's folders and sweeps what killed runs left; CACHE_UNUSABLE when it cannot. */
export async function prepareDirs(s: CacheState): Promise<void> {
  const dirs = [s.blobDir, s.keyDir, s.stampDir];
  try {
    for (const d of dirs) await mkdir(d, { recursive: true });
    // What killed runs left behind (their pid is gone) is removed here, at the next start.
    for (const d of dirs) await sweepTemps(d, '');
  } catch (e) {
    const c = (e as NodeJS.ErrnoException).code;
    const why =
      c === 'ENOTDIR' || c === 'EEXIST'
        ? 'it (or a folder on its path) is a file, not a directory'
        : c === 'EACCES' || c === 'EPERM' || c === 'EROFS'
          ? 'it cannot be written'
          : (e as Error).message;
    throw new PlatformError(
      'CACHE_UNUSABLE',
      `the cache ${s.root} cannot be used: ${why}; set DISTILL_CACHE to a writable directory`,
      { cause: e },
    );
  }
}

/** Where the blob `d` lives (whether or not it is there). */
export const blobPath = (s: CacheState, d: Digest) => join(s.blobDir, d.slice(7));

const keyPath = (s: CacheState, key: string) =>
  join(s.keyDir, `${createHash('sha256').update(key).digest('hex')}.json`);
const stampPath = (s: CacheState, p: string) => join(s.stampDir, p.slice(s.blobDir.length + 1));
const seenOf = (st: Seen): Seen => ({ size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino });
const same = (a: Seen, b: Seen) =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
const stampText = (st: Seen) => `${st.size} ${st.mtimeMs} ${st.ctimeMs} ${st.ino}`;

/** A temp file name in `dir`, held for removal on a signal until released (see temp-files.ts). */
function heldTemp(dir: string): string {
  const p = tempPath(dir);
  holdTemp(p);
  return p;
}

/** Remembers, here and for later processes, that the blob at `p` with stat `st` was hashed. */
async function stamp(s: CacheState, p: string, st: Seen): Promise<void> {
  s.verified.set(p, st);
  const tmp = heldTemp(s.stampDir);
  try {
    await writeFile(tmp, stampText(st));
    await rename(tmp, stampPath(s, p));
  } catch {
    await unlink(tmp).catch(() => {}); // a missing stamp only costs a re-hash
  } finally {
    releaseTemp(tmp);
  }
}

/** `get`: the path of a present blob whose stat is stamped, or that hashes to `digest` now. */
export async function verifiedBlob(s: CacheState, digest: Digest): Promise<string | undefined> {
  const p = blobPath(s, digest);
  let st: Seen;
  try {
    st = seenOf(await stat(p));
  } catch {
    return undefined;
  }
  const memo = s.verified.get(p);
  if (memo && same(memo, st)) return p;
  if ((await readFile(stampPath(s, p), 'utf8').catch(() => '')) === stampText(st)) {
    s.verified.set(p, st);
    return p;
  }
  return (await rehash(s, p, st, digest)) ? p : undefined;
}

/** Hashes the blob at `p` again: stamps it when it is `digest`, deletes it when it is corrupt. */
async function rehash(s: CacheState, p: string, st: Seen, digest: Digest): Promise<boolean> {
  const h = createHash('sha256');
  try {
    // 1 MiB reads: about twice as fast as the 64 KiB default, and as fast as one whole-file read.
    for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  } catch {
    return false;
  }
  if (`sha256:${h.digest('hex')}` !== digest) {
    // Corrupt (torn write after a power loss, or tampering): drop it so it is fetched again —
    // unless another process has meanwhile renamed a good copy into place (a different inode).
    const now = await stat(p).catch(() => undefined);
    if (now && now.ino === st.ino) await unlink(p).catch(() => {});
    s.verified.delete(p);
    return false;
  }
  await stamp(s, p, st);
  return true;
}

/** `putStream`: writes to a temp file while hashing, checks `expected`, renames into place. */
export async function putBlob(
  s: CacheState,
  source: Readable | AsyncIterable<Uint8Array>,
  expected?: Expected,
): Promise<Stored> {
  const want = expected?.sha256 ? toDigest(expected.sha256) : undefined;
  const tmp = heldTemp(s.blobDir);
  const h = createHash('sha256');
  let size = 0;
  const tooBig = expected?.size;
  const out = createWriteStream(tmp, { mode: 0o644 });
  try {
    await pipeline(
      source,
      async function* (src: AsyncIterable<Uint8Array>) {
        for await (const chunk of src) {
          size += chunk.length;
          if (tooBig !== undefined && size > tooBig)
            throw new PlatformError('CACHE_SIZE_MISMATCH', `more than the ${tooBig} bytes expected`);
          h.update(chunk);
          yield chunk;
        }
      },
      out,
    );
    const digest: Digest = `sha256:${h.digest('hex')}`;
    if (expected?.size !== undefined && size !== expected.size)
      throw new PlatformError('CACHE_SIZE_MISMATCH', `${size} bytes where ${expected.size} were expected`);
    if (want && digest !== want)
      throw new PlatformError('CACHE_DIGEST_MISMATCH', `content is ${digest}, expected ${want}`);
    const final = blobPath(s, digest);
    await rename(tmp, final);
    await stamp(s, final, seenOf(await stat(final)));
    return { digest, size, path: final };
  } catch (err) {
    // The stream opens its file asynchronously: unlinking before it has closed could leave a
    // temp file created after the unlink.
    if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()));
    await unlink(tmp).catch(() => {});
    throw err;
  } finally {
    releaseTemp(tmp);
  }
}

/** `putKey`: records `{key, digest}` under the key's hash, atomically. */
export async function putKey(s: CacheState, key: string, digest: Digest): Promise<void> {
  const tmp = heldTemp(s.keyDir);
  try {
    await writeFile(tmp, JSON.stringify({ key, digest }));
    await rename(tmp, keyPath(s, key));
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  } finally {
    releaseTemp(tmp);
  }
}

/** `getKey`: the digest recorded for `key`, when that blob is still present and hash-checked. */
export async function getKey(s: CacheState, key: string): Promise<Digest | undefined> {
  let rec: { key?: unknown; digest?: unknown };
  try {
    rec = JSON.parse(await readFile(keyPath(s, key), 'utf8'));
  } catch {
    return undefined;
  }
  if (rec.key !== key || !isDigest(rec.digest)) return undefined;
  return (await verifiedBlob(s, rec.digest)) ? rec.digest : undefined;
}

/** `getJson`: the JSON value recorded under `key`, hash-checked, or undefined. */
export async function getJson<T>(s: CacheState, key: string): Promise<T | undefined> {
  const d = await getKey(s, key);
  if (!d) return undefined;
  try {
    return JSON.parse(await readFile(blobPath(s, d), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** `cleanTemp`: deletes `.tmp-*` files older than `maxAgeMs`; returns how many. */
export async function cleanTemp(
  s: CacheState,
  maxAgeMs = 24 * 3600 * 1000,
  now = Date.now(),
): Promise<number> {
  let n = 0;
  for (const dir of [s.blobDir, s.keyDir, s.stampDir]) {
    for (const name of await readdir(dir)) {
      if (!name.startsWith('.tmp-')) continue;
      const p = join(dir, name);
      const st = await stat(p).catch(() => undefined);
      if (st && now - st.mtimeMs >= maxAgeMs) {
        await unlink(p).catch(() => {});
        n++;
      }
    }
  }
  return n;
}
