/**
 * A plain GET over node:http and node:https, for small files read whole (Debian's InRelease and
 * indexes). Node 20's global fetch loads and compiles undici on first use (~50 ms), which is a
 * sixth of a warm build's budget; this needs nothing that node does not have loaded already.
 * It follows redirects (as fetch does), gives up on a silent connection after `timeoutMs`, and
 * answers with the part of a fetch Response that callers read, so global fetch (or a fake) can
 * stand in for it anywhere.
 */
import { request as httpRequest, type IncomingMessage, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RetryableResponse } from './http.ts';

/** The part of a fetch Response a whole-body GET needs. */
export interface GetResponse extends RetryableResponse {
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
}

export interface HttpGetOptions {
  /** Request headers (lower- or mixed-case names). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Redirects followed before giving up (default 10, like browsers' fetch limit of 20 halved). */
  maxRedirects?: number;
  /** A connection silent for this long fails (default 60 s). */
  timeoutMs?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** GETs `url`, following redirects; rejects only when no response arrived (like fetch). */
export function httpGet(url: string, opts: HttpGetOptions = {}): Promise<GetResponse> {
  return get(new URL(url), opts, opts.maxRedirects ?? 10);
}

/** httpGet with fetch's signature, for code that takes a FetchLike (headers given as a plain object). */
export function httpGetFetch(input: string | URL, init: RequestInit = {}): Promise<GetResponse> {
  if (init.method && init.method !== 'GET') return Promise.reject(new TypeError('httpGetFetch: GET only'));
  return httpGet(String(input), {
    headers: { ...(init.headers as Record<string, string> | undefined) },
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

function get(url: URL, opts: HttpGetOptions, redirectsLeft: number): Promise<GetResponse> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new TypeError(`unsupported URL scheme: ${url.protocol}`));
      return;
    }
    const signal = opts.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      headers: opts.headers ?? {},
    });
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url.host} in ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        res.resume();
        if (redirectsLeft <= 0) {
          reject(new TypeError('fetch failed', { cause: new Error(`too many redirects at ${url}`) }));
          return;
        }
        // Credentials go only to the host they were given for (as fetch drops Authorization).
        const next = new URL(location, url);
        const headers = { ...opts.headers };
        if (next.origin !== url.origin)
          for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
        get(next, { ...opts, headers }, redirectsLeft - 1).then(resolve, reject);
        return;
      }
      resolve(responseOf(res, status));
    });
    req.end();
  });
}

function responseOf(res: IncomingMessage, status: number): GetResponse {
  let used = false;
  const arrayBuffer = (): Promise<ArrayBuffer> => {
    if (used) return Promise.reject(new TypeError('body already read'));
    used = true;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => reject(new Error('connection closed mid-body')));
      res.on('error', reject);
      res.on('end', () => {
        if (!res.complete) return reject(new Error('connection closed mid-body'));
        const all = Buffer.concat(chunks);
        resolve(all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer);
      });
    });
  };
  return {
    ok: status >= 200 && status <= 299,
    status,
    statusText: res.statusMessage ?? STATUS_CODES[status] ?? '',
    headers: {
      get: (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : String(v);
      },
    },
    arrayBuffer,
    json: async () => JSON.parse(new TextDecoder().decode(await arrayBuffer())),
    body: {
      cancel: async () => {
        used = true;
        res.destroy();
      },
    },
  };
}
