/**
 * Blob upload (distribution spec "pushing blobs"): HEAD first; POST (with `mount`/`from` for each
 * source repository on the same registry known to hold the blob, else `mount` alone; a 202 there
 * is an upload session, used as it is); then the blob streamed from its source — one PATCH for small blobs, chunked
 * PATCHes with Content-Range above a threshold — and `PUT ?digest=`. The whole upload is retried
 * from the POST on a retryable failure: an upload session's state is unknown after a reset.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Descriptor, Digest } from '../oci/index.ts';
import { isPrivateAddress } from './endpoint.ts';
import { RegistryError } from './errors.ts';
import type { EventSink } from './events.ts';
import { httpError } from './http-error.ts';
import type { HttpResponse } from './registry-http.ts';
import { type RegistrySession, repoScope } from './session.ts';

export interface BlobSource {
  readonly descriptor: Descriptor;
  open(): Promise<Readable>;
}

export interface UploadContext {
  session: RegistrySession;
  repository: string;
  scopes: readonly string[];
  onEvent?: EventSink | undefined;
  /** Blobs larger than this go up in chunks. Default 64 MiB. */
  chunkThreshold: number;
  /** Chunk size for chunked uploads (held in memory one at a time). Default 16 MiB. */
  chunkSize: number;
}

async function fail(res: HttpResponse, what: string): Promise<never> {
  const text = await res.text(64 * 1024).catch(() => '');
  throw httpError(what, res.status, text, { retryAfter: res.headers.get('retry-after') });
}

/** HEAD /v2/REPO/blobs/DIGEST: 200 exists, 404 absent, anything else an error. */
export async function blobExists(ctx: UploadContext, digest: Digest): Promise<boolean> {
  const what = `HEAD blob ${digest} in ${ctx.repository}`;
  const res = await ctx.session.request(
    { method: 'HEAD', url: `/v2/${ctx.repository}/blobs/${digest}`, what },
    ctx.scopes,
  );
  await res.discard();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  return await fail(res, what);
}

function location(res: HttpResponse, what: string): URL {
  const loc = res.headers.get('location');
  if (!loc)
    throw new RegistryError('REGISTRY_PROTOCOL', `${what}: HTTP ${res.status} without a Location header`);
  let u: URL;
  try {
    u = new URL(loc, res.url);
  } catch (e) {
    throw new RegistryError('REGISTRY_PROTOCOL', `${what}: bad Location ${JSON.stringify(loc)}`, {
      cause: e,
    });
  }
  // A public registry sending our upload to a private address on another host is refused (SSRF).
  if (u.host !== res.url.host && isPrivateAddress(u.host) && !isPrivateAddress(res.url.host)) {
    throw new RegistryError(
      'REGISTRY_PROTOCOL',
      `${what}: the registry sent the upload to a private address ${u.host}`,
    );
  }
  return u;
}

/** What a POST may ask for: a mount from one repository, or (`from` absent) from wherever the registry has it. */
interface MountAsk {
  from?: string;
}

/** Starts an upload session; resolves to 'mounted' or the session's Location. */
async function start(ctx: UploadContext, digest: Digest, mount?: MountAsk): Promise<'mounted' | URL> {
  const what = `start upload of ${digest} to ${ctx.repository}`;
  const url = new URL(`/v2/${ctx.repository}/blobs/uploads/`, await ctx.session.baseUrl());
  let scopes = ctx.scopes;
  if (mount) {
    url.searchParams.set('mount', digest);
    if (mount.from) {
      url.searchParams.set('from', mount.from);
      // The token must allow pulling from the source repository, or the registry uploads instead.
      const pull = repoScope(mount.from, 'pull');
      if (!scopes.some((s) => s.startsWith(`repository:${mount.from}:`))) scopes = [...scopes, pull];
    }
  }
  let res: HttpResponse;
  try {
    res = await ctx.session.request(
      {
        method: 'POST',
        url,
        what,
        headers: { 'content-length': '0' },
        // `?mount=` alone is a hint: a 5xx to it is not retried but followed by a plain POST.
        ...(mount && !mount.from ? { retry: false } : {}),
      },
      scopes,
    );
  } catch (e) {
    // Harbor answers 401 for a mount source it will not show us: upload instead.
    if (mount && e instanceof RegistryError && (e.status === 401 || e.status === 403))
      return start(ctx, digest);
    throw e;
  }
  if (res.status === 201 && mount) {
    await res.discard();
    return 'mounted';
  }
  if (res.status === 202) {
    await res.discard();
    return location(res, what);
  }
  // A mount without `from` is optional in the protocol: whatever a registry answers to it but 429
  // (even a 5xx from one that chokes on the parameter) is followed by a plain POST.
  if (mount && res.status !== 429 && (res.status < 500 || !mount.from)) {
    // Mount refused (Harbor answers 401 for an unknown `from`, Quay 4xx): upload instead.
    await res.discard();
    return start(ctx, digest);
  }
  return await fail(res, what);
}

/** Gives up an upload session we will not use (best effort: the registry expires it anyway). */
async function cancel(ctx: UploadContext, loc: URL): Promise<void> {
  try {
    const res = await ctx.session.request(
      { method: 'DELETE', url: loc, what: `cancel upload to ${ctx.repository}`, retry: false },
      ctx.scopes,
    );
    await res.discard();
  } catch {
    // an abandoned session costs the registry a little storage until it expires
  }
}

/** Where a blob may be mounted from, tried before uploading it. */
export interface MountSources {
  /** Repositories on the same registry that may hold the blob, tried in order. */
  from: readonly string[];
  /** With no `from` left, ask the registry to mount from wherever it has the blob (OCI 1.1: `?mount=` alone). */
  anywhere: boolean;
  /** Called when a named source did not have the blob (the registry offered an upload instead). */
  refused?: (from: string) => void;
}

/**
 * Opens the upload of `digest`, mounting it when a source has it: each source in turn (a 202 is
 * an upload session: the last one is used, earlier ones are cancelled), then — only when there
 * was no source — a mount without `from`, then a plain POST.
 */
async function open(ctx: UploadContext, digest: Digest, m: MountSources): Promise<{ from: string } | URL> {
  for (const [i, from] of m.from.entries()) {
    const r = await start(ctx, digest, { from });
    if (r === 'mounted') return { from };
    m.refused?.(from);
    // A mount refused with a 4xx came back as a plain session: fine to use as the last one.
    if (i === m.from.length - 1) return r as URL;
    await cancel(ctx, r as URL);
  }
  if (!m.anywhere) return (await start(ctx, digest)) as URL;
  const r = await start(ctx, digest, {});
  return r === 'mounted' ? { from: '(any repository)' } : r;
}

function withDigest(loc: URL, digest: Digest): URL {
  const u = new URL(loc);
  u.searchParams.set('digest', digest);
  return u;
}

/** Hashes what flows through, failing at the end if the local blob is not what its descriptor says. */
function verified(src: Readable, d: Descriptor): Readable {
  const hash = createHash('sha256');
  let n = 0;
  return Readable.from(
    (async function* () {
      for await (const c of src) {
        hash.update(c as Buffer);
        n += (c as Buffer).length;
        yield c as Buffer;
      }
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== d.digest || n !== d.size) {
        throw new RegistryError(
          'REGISTRY_DIGEST_MISMATCH',
          `local blob ${d.digest} has ${n} bytes hashing to ${got}; its descriptor says ${d.size} bytes`,
        );
      }
    })(),
  );
}

async function monolithic(ctx: UploadContext, blob: BlobSource, loc: URL): Promise<URL> {
  const d = blob.descriptor;
  const what = `upload ${d.digest} to ${ctx.repository}`;
  const res = await ctx.session.request(
    {
      method: 'PATCH',
      url: loc,
      what,
      retry: false,
      headers: { 'content-type': 'application/octet-stream' },
      body: async () => verified(await blob.open(), d),
      length: d.size,
      onProgress: (sent) => ctx.onEvent?.({ type: 'blob-progress', digest: d.digest, sent, size: d.size }),
    },
    ctx.scopes,
  );
  if (![201, 202, 204].includes(res.status)) return await fail(res, what);
  await res.discard();
  return res.headers.get('location') ? location(res, what) : loc;
}

/** Reads a stream as buffers of exactly `size` bytes (the last one shorter). */
async function* chunksOf(src: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of src) {
    let b = c as Buffer;
    while (b.length) {
      const take = Math.min(size - have, b.length);
      parts.push(b.subarray(0, take));
      have += take;
      b = b.subarray(take);
      if (have === size) {
        yield Buffer.concat(parts);
        parts = [];
        have = 0;
      }
    }
  }
  if (have) yield Buffer.concat(parts);
}

async function chunked(ctx: UploadContext, blob: BlobSource, first: URL): Promise<URL> {
  const d = blob.descriptor;
  let loc = first;
  let offset = 0;
  for await (const chunk of chunksOf(verified(await blob.open(), d), ctx.chunkSize)) {
    const what = `upload ${d.digest} to ${ctx.repository} (bytes ${offset}-${offset + chunk.length - 1})`;
    const res = await ctx.session.request(
      {
        method: 'PATCH',
        url: loc,
        what,
        retry: false,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        },
        body: async () => chunk,
        length: chunk.length,
      },
      ctx.scopes,
    );
    if (![201, 202, 204].includes(res.status)) return await fail(res, what);
    await res.discard();
    if (res.headers.get('location')) loc = location(res, what);
    offset += chunk.length;
    ctx.onEvent?.({ type: 'blob-progress', digest: d.digest, sent: offset, size: d.size });
  }
  return loc;
}

/** Uploads one blob (no HEAD here). Resolves to how it got there. */
export async function uploadBlob(
  ctx: UploadContext,
  blob: BlobSource,
  mounts: MountSources = { from: [], anywhere: false },
): Promise<'mounted' | 'uploaded'> {
  const d = blob.descriptor;
  const t = ctx.session.transport;
  for (let attempt = 1; ; attempt++) {
    try {
      const started = await open(ctx, d.digest, mounts);
      if (!(started instanceof URL)) {
        ctx.onEvent?.({ type: 'blob-mounted', digest: d.digest, size: d.size, from: started.from });
        return 'mounted';
      }
      const isChunked = d.size > ctx.chunkThreshold;
      ctx.onEvent?.({ type: 'blob-upload-start', digest: d.digest, size: d.size, chunked: isChunked });
      const loc = await (isChunked ? chunked(ctx, blob, started) : monolithic(ctx, blob, started));
      const what = `finish upload of ${d.digest} to ${ctx.repository}`;
      const res = await ctx.session.request(
        {
          method: 'PUT',
          url: withDigest(loc, d.digest),
          what,
          retry: false,
          headers: { 'content-length': '0' },
        },
        ctx.scopes,
      );
      if (res.status !== 201 && res.status !== 204) return await fail(res, what);
      await res.discard();
      const stored = res.headers.get('docker-content-digest');
      if (stored && stored !== d.digest)
        throw new RegistryError('REGISTRY_DIGEST_MISMATCH', `${what}: the registry stored ${stored}`);
      ctx.onEvent?.({ type: 'blob-uploaded', digest: d.digest, size: d.size });
      return 'uploaded';
    } catch (e) {
      if (!(e instanceof RegistryError) || !e.retryable || attempt >= t.options.policy.attempts) throw e;
      const delayMs = t.delayFor(e, attempt);
      t.options.onRetry?.({ what: `upload of ${d.digest}`, attempt, delayMs, error: e });
      await t.options.sleep(delayMs);
    }
  }
}
