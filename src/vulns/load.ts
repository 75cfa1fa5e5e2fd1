/**
 * Where the tracker data comes from: a file (`--vuln-db FILE`), else the tracker's public JSON
 * export, fetched with HTTP caching — asked every time, conditionally (ETag / Last-Modified), so an
 * unchanged export is a bodiless 304 and the cached copy is used. A copy is cached only once it
 * parsed as tracker data.
 */
import { readFile } from 'node:fs/promises';
import { type Cache, type GetFn, httpGetFetch, revalidating } from '../platform/index.ts';
import { VulnError } from './errors.ts';
import { parseVulnDb } from './parse.ts';
import type { VulnDb } from './types.ts';

/** The security tracker's JSON export. */
export const VULN_DB_URL = 'https://security-tracker.debian.org/tracker/data/json';

export interface VulnDbSource {
  /** A local copy of the export. */
  file?: string;
  /** Else this URL (default VULN_DB_URL). */
  url?: string;
  /** HTTP cache for the download. */
  cache?: Cache;
  /** The GET to use (default node:http(s)). */
  fetch?: GetFn;
}

export async function loadVulnDb(src: VulnDbSource): Promise<VulnDb> {
  if (src.file) {
    let body: Buffer;
    try {
      body = await readFile(src.file);
    } catch (err) {
      throw new VulnError(
        'VULN_DB_UNREADABLE',
        `cannot read --vuln-db ${src.file}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    return parseVulnDb(body, src.file);
  }
  const url = src.url ?? VULN_DB_URL;
  const plain: GetFn = src.fetch ?? ((u, init) => httpGetFetch(u, init));
  const get = src.cache ? revalidating(plain, { cache: src.cache }) : plain;
  let res: Awaited<ReturnType<typeof get>>;
  try {
    res = await get(url, { headers: { accept: 'application/json' } });
  } catch (err) {
    throw new VulnError(
      'VULN_DB_DOWNLOAD',
      `cannot download ${url}: ${(err as Error).message}; give a local copy with --vuln-db FILE`,
      {
        cause: err,
      },
    );
  }
  if (res.status !== 200)
    throw new VulnError(
      'VULN_DB_DOWNLOAD',
      `${url} answered ${res.status} ${res.statusText}; give a local copy with --vuln-db FILE`,
    );
  const db = parseVulnDb(Buffer.from(await res.arrayBuffer()), url);
  await ('remember' in res && typeof res.remember === 'function' ? res.remember() : undefined);
  return db;
}
