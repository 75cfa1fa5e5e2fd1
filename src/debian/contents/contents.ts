/**
 * Loading a suite's Contents index along the same trust chain as its Packages index: the signed
 * Release lists `<component>/Contents-<arch>.gz` with its SHA256 and size; the file is fetched by
 * hash (archive.ts fetchListed), checked, kept in the content-addressed cache under that hash,
 * then gunzipped as a stream (never held whole: it is hundreds of MB) while the decompressed
 * bytes are hashed against the Release's entry for the plain file. Only the library table is
 * kept, cached as JSON under the .gz file's SHA256, so a warm run reads a few MB of JSON.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type ArchiveOptions, fetchListed } from '../archive/indexes.ts';
import type { Release } from '../archive/release.ts';
import { DebianError } from '../errors.ts';
import {
  ContentsLibraryParser,
  type LibraryTable,
  libraryTableFromJson,
  libraryTableToJson,
} from './parse.ts';

/** Where a Contents file comes from: a suite whose InRelease has been verified. */
export interface ContentsSource {
  readonly mirror: string;
  readonly suite: string;
  readonly release: Release;
}

/** Bump when the table's meaning changes, so old cached tables are not reused. */
const TABLE_KEY = 'debian-contents-libraries:v2';

const sha256hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The library table of `<component>/Contents-<arch>.gz` (`arch` may be `all`), verified against
 * the signed Release. Throws DEBIAN_INDEX_UNLISTED, DEBIAN_INDEX_HASH_MISMATCH,
 * DEBIAN_DECOMPRESS_FAILED or DEBIAN_INDEX_INVALID.
 */
export async function loadContentsLibraries(
  source: ContentsSource,
  component: string,
  arch: string,
  options: ArchiveOptions,
): Promise<LibraryTable> {
  const { mirror, suite, release } = source;
  const path = `${component}/Contents-${arch}`;
  const gz = release.sha256.get(`${path}.gz`);
  if (!gz)
    throw new DebianError(
      'DEBIAN_INDEX_UNLISTED',
      `${mirror}/dists/${suite}: the signed Release lists no ${path}.gz`,
    );
  const plain = release.sha256.get(path);
  const key = `${TABLE_KEY}:${gz.sha256}`;
  const cache = options.cache;
  const hit = libraryTableFromJson(await cache?.getJson(key));
  if (hit) {
    options.onEvent?.({ type: 'index-cached', mirror, suite, path: `${path}.gz`, sha256: gz.sha256 });
    return hit;
  }

  // The compressed file: from the cache (hash-checked by get) or the archive.
  let open: () => AsyncIterable<Uint8Array>;
  const cachedPath = await cache?.get(`sha256:${gz.sha256}`);
  if (cachedPath) open = () => createReadStream(cachedPath, { highWaterMark: 1 << 20 });
  else {
    const data = await fetchListed(mirror, suite, `${path}.gz`, gz.sha256, release.acquireByHash, options);
    const got = sha256hex(data);
    if (got !== gz.sha256 || data.length !== gz.size) {
      const err = new DebianError(
        'DEBIAN_INDEX_HASH_MISMATCH',
        `${mirror}/dists/${suite}/${path}.gz: sha256 ${got} (${data.length} bytes) but the signed Release says ${gz.sha256} (${gz.size} bytes)`,
      );
      // Not trusted, but a hint: a caching proxy's stale Contents still names the right package
      // nearly always. Callers may try its answers only by proving them (contents-guess.ts).
      const hint = await parseGzipStream(
        Readable.from([data]),
        `${mirror}/dists/${suite}/${path}.gz`,
        undefined,
      ).catch(() => undefined);
      throw Object.assign(err, { unverifiedTable: hint });
    }
    if (cache) {
      const stored = await cache.putBytes(data, { sha256: gz.sha256, size: gz.size });
      open = () => createReadStream(stored.path, { highWaterMark: 1 << 20 });
    } else open = () => Readable.from([data]);
  }

  const table = await parseGzipStream(open(), `${mirror}/dists/${suite}/${path}.gz`, plain);
  await cache?.putJson(key, libraryTableToJson(table));
  return table;
}

/** Gunzips and parses as a stream, checking the decompressed hash when the Release lists one. */
async function parseGzipStream(
  input: AsyncIterable<Uint8Array>,
  source: string,
  plain: { sha256: string; size: number } | undefined,
): Promise<LibraryTable> {
  const parser = new ContentsLibraryParser(source);
  const hash = createHash('sha256');
  let size = 0;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const feed = Readable.from(input).pipe(gunzip);
  try {
    for await (const chunk of feed as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      parser.pushBytes(chunk);
    }
  } catch (err) {
    if (err instanceof DebianError) throw err;
    throw new DebianError(
      'DEBIAN_DECOMPRESS_FAILED',
      `${source}: gzip data is corrupt: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (plain) {
    const got = hash.digest('hex');
    if (got !== plain.sha256 || size !== plain.size)
      throw new DebianError(
        'DEBIAN_INDEX_HASH_MISMATCH',
        `${source}: decompressed sha256 ${got} (${size} bytes) but the signed Release says ${plain.sha256} (${plain.size} bytes)`,
      );
  }
  return parser.finish();
}
