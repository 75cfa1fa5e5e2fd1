/**
 * Pull: a registry reference as a read-only Artifact (go-containerregistry's remote.Image).
 * Manifests and configs are fetched now and verified against the digests that name them;
 * layers are fetched when opened, hashed as they stream, and resumed with a Range request
 * when the connection drops. Write the result with the layout writer, or inspect it.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Artifact, Image, Layer } from '../oci/index.ts';
import {
  type Descriptor,
  type Digest,
  formatPlatform,
  type ImageIndex,
  type ImageManifest,
  imageFromRaw,
  indexFromRaw,
  isIndex,
  isManifest,
  type Platform,
  platformMatches,
  platformOf,
  sha256,
} from '../oci/index.ts';
import { type RegistryClientOptions, sessionFor } from './client.ts';
import { RegistryError } from './errors.ts';
import { httpError } from './http-error.ts';
import { getManifest } from './manifest-io.ts';
import { formatReference, manifestIdentifier, parseReference, type Reference } from './reference.ts';
import { type RegistrySession, repoScope } from './session.ts';

export interface PullOptions extends RegistryClientOptions {
  /** From an index, take only the image for this platform. */
  platform?: Platform;
}

/** Largest config read into memory. */
const CONFIG_LIMIT = 16 * 1024 * 1024;

interface Ctx {
  session: RegistrySession;
  repository: string;
  scopes: string[];
  opts: PullOptions;
}

function blobRequest(ctx: Ctx, d: Descriptor, offset: number) {
  return ctx.session.request(
    {
      method: 'GET',
      url: `/v2/${ctx.repository}/blobs/${d.digest}`,
      what: `GET blob ${d.digest} from ${ctx.repository}`,
      // Compression would change the bytes we hash; ask for them as stored.
      headers: { 'accept-encoding': 'identity', ...(offset ? { range: `bytes=${offset}-` } : {}) },
    },
    ctx.scopes,
  );
}

/** A blob's bytes, verified; a dropped connection resumes from where it stopped. */
export function blobStream(ctx: Ctx, d: Descriptor): Readable {
  const t = ctx.session.transport;
  return Readable.from(
    (async function* () {
      const hash = createHash('sha256');
      let offset = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await blobRequest(ctx, d, offset);
          if (res.status !== 200 && res.status !== 206) {
            throw httpError(
              `GET blob ${d.digest} from ${ctx.repository}`,
              res.status,
              await res.text(65536).catch(() => ''),
            );
          }
          // A 200 to a Range request is the whole blob again: skip what we already have.
          let skip = res.status === 200 ? offset : 0;
          for await (const c of res.stream()) {
            let b = c as Buffer;
            if (skip) {
              const n = Math.min(skip, b.length);
              skip -= n;
              b = b.subarray(n);
              if (!b.length) continue;
            }
            if (offset + b.length > d.size) {
              throw new RegistryError(
                'REGISTRY_DIGEST_MISMATCH',
                `blob ${d.digest}: more than the ${d.size} bytes expected`,
              );
            }
            hash.update(b);
            offset += b.length;
            yield b;
          }
          break;
        } catch (e) {
          if (!(e instanceof RegistryError) || !e.retryable || attempt >= t.options.policy.attempts) throw e;
          ctx.opts.onEvent?.({ type: 'blob-download-resumed', digest: d.digest, offset, message: e.message });
          await t.options.sleep(t.delayFor(e, attempt));
        }
      }
      const got = `sha256:${hash.digest('hex')}`;
      if (offset !== d.size || got !== d.digest) {
        throw new RegistryError(
          'REGISTRY_DIGEST_MISMATCH',
          `blob ${d.digest} from ${ctx.repository}: got ${offset} bytes hashing to ${got}, expected ${d.size} bytes`,
        );
      }
    })(),
  );
}

async function blobBytes(ctx: Ctx, d: Descriptor): Promise<Buffer> {
  if (d.size > CONFIG_LIMIT)
    throw new RegistryError('REGISTRY_TOO_LARGE', `blob ${d.digest}: ${d.size} bytes is too large`);
  const parts: Buffer[] = [];
  for await (const c of blobStream(ctx, d)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function loadImage(ctx: Ctx, raw: Buffer, mediaType: string, platform?: Platform): Promise<Image> {
  const m = JSON.parse(raw.toString('utf8')) as ImageManifest;
  if (!m.config || !Array.isArray(m.layers)) {
    throw new RegistryError('REGISTRY_PROTOCOL', `manifest ${sha256(raw)} has no config or layers`);
  }
  // This repository holds these blobs: later pushes elsewhere on the registry may mount them.
  await ctx.opts.blobMemory?.remember(ctx.session.registry, ctx.repository, [
    m.config.digest,
    ...m.layers.map((l) => l.digest),
  ]);
  const rawConfig = await blobBytes(ctx, m.config);
  let diffIds: Digest[] = [];
  let config: { os?: string; architecture?: string; variant?: string } = {};
  try {
    const c = JSON.parse(rawConfig.toString('utf8')) as {
      rootfs?: { diff_ids?: Digest[] };
      os?: string;
      architecture?: string;
    };
    diffIds = c.rootfs?.diff_ids ?? [];
    config = c;
  } catch (e) {
    throw new RegistryError('REGISTRY_PROTOCOL', `config ${m.config.digest} is not JSON`, { cause: e });
  }
  const layers: Layer[] = m.layers.map((d, i) => ({
    descriptor: d,
    diffId: diffIds[i] as Digest,
    open: async () => blobStream(ctx, d),
  }));
  const p =
    platform ??
    (config.os && config.architecture ? platformOf(config as Parameters<typeof platformOf>[0]) : undefined);
  return imageFromRaw(raw, rawConfig, layers, p, mediaType);
}

async function load(
  ctx: Ctx,
  id: string,
  expected: Descriptor | undefined,
  platform?: Platform,
): Promise<Artifact> {
  const fm = await getManifest(ctx.session, ctx.repository, id, ctx.scopes, expected);
  ctx.opts.onEvent?.({
    type: 'manifest-fetched',
    digest: fm.digest,
    reference: `${ctx.repository}@${fm.digest}`,
    mediaType: fm.mediaType,
  });
  if (isManifest(fm.mediaType)) return loadImage(ctx, fm.raw, fm.mediaType, expected?.platform);
  if (!isIndex(fm.mediaType)) {
    throw new RegistryError(
      'REGISTRY_PROTOCOL',
      `${ctx.repository}@${fm.digest}: unsupported media type ${fm.mediaType || '(none)'}`,
    );
  }
  const idx = JSON.parse(fm.raw.toString('utf8')) as ImageIndex;
  if (!Array.isArray(idx.manifests))
    throw new RegistryError('REGISTRY_PROTOCOL', `index ${fm.digest} has no manifests`);
  if (platform) {
    const child = idx.manifests.find(
      (d) => d.platform && isManifest(d.mediaType) && platformMatches(d.platform, platform),
    );
    if (!child) {
      const have = idx.manifests.map((d) => (d.platform ? formatPlatform(d.platform) : '?')).join(', ');
      throw new RegistryError(
        'REGISTRY_PLATFORM_NOT_FOUND',
        `${ctx.repository}@${fm.digest} has no image for ${formatPlatform(platform)} (it has: ${have})`,
      );
    }
    return load(ctx, child.digest, child);
  }
  const children: Artifact[] = [];
  for (const d of idx.manifests) children.push(await load(ctx, d.digest, d));
  return indexFromRaw(fm.raw, children, fm.mediaType);
}

/**
 * The artifact a reference names. With `platform`, an index yields that platform's image.
 * @example
 *   const img = await pullArtifact('127.0.0.1:5000/app:1', { platform: parsePlatform('linux/arm64') });
 */
export async function pullArtifact(ref: string | Reference, opts: PullOptions = {}): Promise<Artifact> {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  const ctx: Ctx = {
    session: sessionFor(r, opts),
    repository: r.repository,
    scopes: [repoScope(r.repository, 'pull')],
    opts,
  };
  const expected = r.digest ? ({ digest: r.digest } as Descriptor) : undefined;
  try {
    return await load(ctx, manifestIdentifier(r), expected, opts.platform);
  } catch (e) {
    if (
      e instanceof RegistryError &&
      e.code === 'REGISTRY_NOT_FOUND' &&
      !e.message.includes(formatReference(r))
    ) {
      throw new RegistryError(e.code, `${formatReference(r)}: ${e.message}`, {
        cause: e,
        status: e.status ?? 404,
      });
    }
    throw e;
  }
}
