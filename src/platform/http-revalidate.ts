/**
 * HTTP caching for the small metadata files distill asks for on every unlocked build (Debian's
 * InRelease, npm packuments), after RFC 9111 as a private cache: the body is kept in the
 * content-addressed cache with the response's validators, and the next GET carries
 * If-None-Match / If-Modified-Since, so an unchanged file comes back as a bodiless 304.
 *
 * With `reuseFresh`, a response is also reused without asking while Cache-Control max-age (or
 * Expires) says it is fresh, as npm does for packuments (the public registry sends max-age=300);
 * apt never does that for InRelease, and neither does distill. The reuse is capped at
 * MAX_REUSE_S whatever the server says, so a new Node.js release shows within minutes.
 * `no-store` keeps nothing; `no-cache` keeps the body but revalidates every time. No validators
 * and no freshness means a plain GET each time (nothing is guessed). A request with Authorization
 * is stored under that credential's hash only.
 *
 * Nothing unchecked is kept: a new 200 body is stored only when the caller, having checked it
 * (the InRelease signature, the packument's shape), calls the response's `remember()`.
 */
import { readFile } from 'node:fs/promises';
import { type Digest, sha256 } from '../oci/index.ts';
import type { Cache } from './cache.ts';
import type { GetResponse } from './http-get.ts';

/** A GET: httpGet's fetch-shaped form, global fetch or a fake. */
export type GetFn = (url: string, init?: RequestInit) => Promise<GetResponse>;

export interface RevalidateOptions {
  cache: Cache;
  /** Reuse a response without asking while it is fresh (capped at MAX_REUSE_S). */
  reuseFresh?: boolean;
  /** The clock in ms (default Date.now). */
  now?: () => number;
}

/** The longest a stored response is reused without asking, whatever max-age says. */
export const MAX_REUSE_S = 300;

/** What is remembered of a 200 response. */
interface Stored {
  v: 1;
  url: string;
  digest: Digest;
  /** Local time the response arrived (ms). */
  storedAt: number;
  /** Seconds it may be reused without asking, counted from storedAt; 0: always ask. */
  freshFor: number;
  etag?: string;
  lastModified?: string;
}

type Headers = { get(name: string): string | null };

function headerOf(init: RequestInit | undefined, name: string): string | undefined {
  const h = init?.headers as Record<string, string> | undefined;
  if (!h) return undefined;
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** The cache key: the URL and the request headers that select or authorise the response. */
function keyOf(url: string, init: RequestInit | undefined): string {
  const accept = headerOf(init, 'accept') ?? '';
  const auth = headerOf(init, 'authorization');
  return `http:v1:${sha256(`${url}\n${accept}\n${auth ? sha256(auth) : ''}`).slice(7)}`;
}

/** Cache-Control directives, lower-cased (`max-age` → "300", `no-store` → ""). */
function directives(headers: Headers): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (headers.get('cache-control') ?? '').split(',')) {
    const [k, v] = part.split('=', 2);
    const name = k?.trim().toLowerCase();
    if (name) out.set(name, (v ?? '').trim().replace(/^"|"$/g, ''));
  }
  return out;
}

/** Seconds the response may be reused from now on (RFC 9111 4.2.1 and 4.2.3, no heuristics). */
export function freshSeconds(headers: Headers): number {
  const cc = directives(headers);
  if (cc.has('no-cache') || cc.has('no-store')) return 0;
  const age = Number(headers.get('age') ?? 0) || 0;
  let lifetime: number | undefined;
  const maxAge = cc.get('max-age');
  if (maxAge !== undefined && /^\d+$/.test(maxAge)) lifetime = Number(maxAge);
  else {
    const expires = Date.parse(headers.get('expires') ?? '');
    const date = Date.parse(headers.get('date') ?? '');
    if (Number.isFinite(expires) && Number.isFinite(date)) lifetime = Math.max(0, (expires - date) / 1000);
  }
  return Math.max(0, Math.min(MAX_REUSE_S, (lifetime ?? 0) - age));
}

/** A response `revalidating` gives: a 200 to remember once checked, or the server's answer. */
export type RevalidatedResponse = GetResponse & {
  /** Stores a new body (call it after checking the body); nothing for a body that was stored. */
  remember?: () => Promise<void>;
};

/** A 200 response whose body is `bytes` (what callers read of a response). */
function bodyResponse(bytes: Buffer, headers: Headers, remember?: () => Promise<void>): RevalidatedResponse {
  const ab = () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  return {
    ok: true,
    status: 200,
    statusText: 'OK',
    headers,
    arrayBuffer: async () => ab(),
    json: async () => JSON.parse(bytes.toString('utf8')),
    body: { cancel: async () => {} },
    ...(remember ? { remember } : {}),
  };
}

/**
 * `get` with the caching above. Callers see what they would have seen without it: a 200 (from
 * the network, the cache while fresh, or the cache after a 304) or the server's other answers.
 */
export function revalidating(
  get: GetFn,
  o: RevalidateOptions,
): (input: string | URL, init?: RequestInit) => Promise<RevalidatedResponse> {
  const now = o.now ?? Date.now;
  return async (input, init) => {
    const url = String(input);
    const key = keyOf(url, init);
    const stored = await o.cache.getJson<Stored>(key).catch(() => undefined);
    const path = stored?.v === 1 && stored.url === url ? await o.cache.get(stored.digest) : undefined;
    const have = path ? (stored as Stored) : undefined;
    const cachedBody = async (headers: Headers) => bodyResponse(await readFile(path as string), headers);

    if (have && o.reuseFresh && now() < have.storedAt + have.freshFor * 1000)
      return cachedBody({ get: () => null });

    const conditional: Record<string, string> = {};
    if (have?.etag) conditional['if-none-match'] = have.etag;
    if (have?.lastModified) conditional['if-modified-since'] = have.lastModified;
    const res = await get(url, {
      ...init,
      headers: { ...(init?.headers as Record<string, string> | undefined), ...conditional },
    });
    if (res.status === 304 && have) {
      await res.body?.cancel().catch(() => {});
      const etag = res.headers.get('etag') ?? have.etag;
      const lastModified = res.headers.get('last-modified') ?? have.lastModified;
      // The record changes when the validators do, or (reusing while fresh) for its new age.
      if (o.reuseFresh || etag !== have.etag || lastModified !== have.lastModified)
        await o.cache.putJson(key, {
          ...have,
          storedAt: now(),
          freshFor: freshSeconds(res.headers),
          ...(etag ? { etag } : {}),
          ...(lastModified ? { lastModified } : {}),
        } satisfies Stored);
      return cachedBody(res.headers);
    }
    if (res.status !== 200 || directives(res.headers).has('no-store')) return res;
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    const freshFor = freshSeconds(res.headers);
    if (!etag && !lastModified && freshFor === 0) return res;
    // Read whole here (a broken body rejects), stored only when the caller has checked it.
    const arrived = now();
    const bytes = Buffer.from(await res.arrayBuffer());
    return bodyResponse(bytes, res.headers, async () => {
      const { digest } = await o.cache.putBytes(bytes);
      await o.cache.putJson(key, {
        v: 1,
        url,
        digest,
        storedAt: arrived,
        freshFor,
        ...(etag ? { etag } : {}),
        ...(lastModified ? { lastModified } : {}),
      } satisfies Stored);
    });
  };
}
