/**
 * Image references in skopeo's transport syntax (`oci:DIR`, `docker-archive:FILE`, `docker://REF`,
 * `docker-daemon:NAME`), parsed by the transport their prefix names, and opened or written
 * through it.
 */
import type { Artifact } from '../oci/index.ts';
import { OciError } from '../oci/index.ts';
import { dockerArchive } from './docker-archive.ts';
import { dockerDaemon } from './docker-daemon.ts';
import { ociLayout } from './oci-layout.ts';
import { registry, registryRef } from './registry.ts';
import type { ImageRef, SinkOptions, SinkResult, SourceOptions, Transport } from './types.ts';

/** Transport name → implementation. */
export const transports: Readonly<Record<ImageRef['transport'], Transport>> = {
  oci: ociLayout as Transport,
  'docker-archive': dockerArchive as Transport,
  docker: registry as Transport,
  'docker-daemon': dockerDaemon as Transport,
};

/**
 * A reference without a transport prefix is a registry one when it names its host
 * (`HOST[:PORT]/REPO…`, `localhost/…`); `busybox` alone is more likely a forgotten `oci:` than
 * Docker Hub (write docker://busybox).
 */
function bareReference(s: string): ImageRef {
  const first = s.split('/')[0] ?? '';
  if (s.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return registryRef(s);
  }
  throw new OciError(
    'IMAGE_REF_INVALID',
    `unsupported image reference ${JSON.stringify(s)}: use oci:DIR[:TAG], docker-archive:FILE[:NAME], docker-daemon:NAME[:TAG] or docker://[HOST/]REPO[:TAG]`,
  );
}

/**
 * Parses a reference in skopeo's syntax.
 *
 * @example parseImageRef('oci:out/static:latest') // { transport: 'oci', dir: 'out/static', tag: 'latest' }
 */
export function parseImageRef(s: string): ImageRef {
  const i = s.indexOf(':');
  const name = i > 0 ? s.slice(0, i) : '';
  const t = Object.hasOwn(transports, name) ? transports[name as ImageRef['transport']] : undefined;
  if (!t) return bareReference(s);
  return t.parse(s.slice(i + 1), s);
}

const asRef = (ref: string | ImageRef) => (typeof ref === 'string' ? parseImageRef(ref) : ref);

/** Opens what a reference names: an image, or an index for multi-platform images. */
export function openSource(ref: string | ImageRef, o: SourceOptions = {}): Promise<Artifact> {
  const r = asRef(ref);
  return transports[r.transport].open(r, o);
}

/** Writes an image or index to a reference; files are written aside and renamed into place. */
export function writeSink(
  artifact: Artifact,
  ref: string | ImageRef,
  o: SinkOptions = {},
): Promise<SinkResult> {
  const r = asRef(ref);
  return transports[r.transport].write(artifact, r, o);
}
