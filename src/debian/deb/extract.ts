/**
 * Extracts a .deb into the cache once and serves its files as LayerEntry values from then on.
 *
 * data.tar is decompressed a single time into the cache as an uncompressed tar blob; its headers are
 * indexed on the fly (path, attributes, content offset) and the checked index is cached under the
 * .deb's sha256. Each file's content() is then a ranged read of that blob, so the layer writer can
 * sort every entry up front without any content in memory, and a warm build never decompresses.
 * Nothing reaches the cache unless the whole package is valid: the index is checked before the tar
 * blob's temp file is renamed into place.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Digest, LayerEntry } from '../../oci/index.ts';
import { type TarFail, TarIndexer } from '../../oci/index.ts';
import type { Cache } from '../../platform/index.ts';
import { readControl } from './control.ts';
import { DebError } from './errors.ts';
import { mergeUsr } from './merged-usr.ts';
import { type DebEntry, normaliseEntries } from './normalise.ts';
import { memberStream, openDeb, type SpawnFn } from './reader.ts';

/** A package's contents, as cached. */
export interface ExtractedDeb {
  /** `Package:` from the control file. */
  package: string;
  /** control file verbatim. */
  control: string;
  /** md5sums verbatim, when the package has one. */
  md5sums?: string;
  /** The uncompressed data.tar blob in the cache. */
  tarDigest: Digest;
  /** Its path (hash-checked when this value was produced). */
  tarPath: string;
  /** Normalised, checked entries in archive order (merged-/usr applied when asked for). */
  entries: DebEntry[];
}

/** Inputs of extractDeb. */
export interface ExtractOptions {
  cache: Cache;
  /**
   * The .deb's sha256 (hex or digest) — the cache key of its extraction. Pass it only for a file
   * already checked against it (e.g. a path from cache.get or downloadPackages); computed when absent.
   */
  sha256?: string;
  /** Apply the debian13 merged-/usr rewrite (default false). */
  mergedUsr?: boolean;
  spawn?: SpawnFn;
  /** Name used in error messages (default: the file path). */
  what?: string;
}

interface CachedIndex {
  v: 1;
  package: string;
  control: string;
  md5sums?: string;
  tarDigest: Digest;
  entries: DebEntry[];
}

/** Bump when the cached index's shape or the checks that produced it change. */
const INDEX_KEY = 'deb-index:v1:';

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const b of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(b as Buffer);
  return h.digest('hex');
}

/**
 * The cached extraction of the .deb with this sha256, when its index and tar blob are present and
 * hash-checked; the .deb itself is not needed (nor re-hashed) then.
 */
export async function cachedExtraction(
  sha256: string,
  opts: Pick<ExtractOptions, 'cache' | 'mergedUsr' | 'what'>,
): Promise<ExtractedDeb | undefined> {
  const key = INDEX_KEY + sha256.replace(/^sha256:/, '').toLowerCase();
  const idx = await opts.cache.getJson<CachedIndex>(key);
  const tarPath = idx?.v === 1 ? await opts.cache.get(idx.tarDigest) : undefined;
  return idx && tarPath ? toExtracted(idx, tarPath, opts.mergedUsr, opts.what ?? sha256) : undefined;
}

/** Extracts (or finds in the cache) the .deb at `debPath`. */
export async function extractDeb(debPath: string, opts: ExtractOptions): Promise<ExtractedDeb> {
  const { cache } = opts;
  const what = opts.what ?? debPath;
  const sha = (opts.sha256 ?? (await fileSha256(debPath))).replace(/^sha256:/, '').toLowerCase();
  const hit = await cachedExtraction(sha, { ...opts, what });
  if (hit) return hit;
  const idx = await indexDeb(debPath, cache, what, opts.spawn);
  await cache.putJson(INDEX_KEY + sha, idx);
  return toExtracted(idx, cache.path(idx.tarDigest), opts.mergedUsr, what);
}

function toExtracted(
  idx: CachedIndex,
  tarPath: string,
  mergedUsr: boolean | undefined,
  what: string,
): ExtractedDeb {
  const out: ExtractedDeb = {
    package: idx.package,
    control: idx.control,
    tarDigest: idx.tarDigest,
    tarPath,
    entries: mergedUsr ? mergeUsr(idx.entries, what) : idx.entries,
  };
  if (idx.md5sums !== undefined) out.md5sums = idx.md5sums;
  return out;
}

/** A package's data.tar problems, as DebError codes. */
const debTarFail: TarFail = (p, m) =>
  new DebError(
    p === 'truncated'
      ? 'DEB_TRUNCATED'
      : p === 'unsupported'
        ? 'DEB_ENTRY_UNSUPPORTED'
        : 'DEB_FORMAT_INVALID',
    m,
  );

async function indexDeb(debPath: string, cache: Cache, what: string, spawn?: SpawnFn): Promise<CachedIndex> {
  const deb = await openDeb(debPath, what);
  const ctl = await readControl(deb, spawn);
  const indexer = new TarIndexer(`${what}: data.tar`, debTarFail);
  let entries: DebEntry[] = [];
  const source = memberStream(deb, deb.data, spawn);
  const stored = await cache.putStream(
    (async function* () {
      for await (const chunk of source) {
        indexer.write(chunk as Buffer);
        yield chunk as Buffer;
      }
      // Checked before the blob is committed: an unsafe package leaves nothing in the cache.
      entries = normaliseEntries(indexer.end(), what);
    })(),
  );
  const idx: CachedIndex = {
    v: 1,
    package: ctl.package,
    control: ctl.control,
    tarDigest: stored.digest,
    entries,
  };
  if (ctl.md5sums !== undefined) idx.md5sums = ctl.md5sums;
  return idx;
}

/** The package's files as LayerEntry values; contents are ranged reads of the cached tar. */
export function layerEntries(x: ExtractedDeb): LayerEntry[] {
  return x.entries.map((e) => {
    const le: LayerEntry = {
      path: e.path,
      type: e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      mtime: e.mtime,
    };
    if (e.type === 'file') {
      le.size = e.size;
      const { offset, size } = e;
      le.content = () =>
        size === 0 ? Buffer.alloc(0) : createReadStream(x.tarPath, { start: offset, end: offset + size - 1 });
    }
    if (e.linkname !== undefined) le.linkname = e.linkname;
    if (e.devmajor !== undefined) le.devmajor = e.devmajor;
    if (e.devminor !== undefined) le.devminor = e.devminor;
    if (e.xattrs)
      le.xattrs = Object.fromEntries(Object.entries(e.xattrs).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    return le;
  });
}
