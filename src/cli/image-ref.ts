/**
 * Image references on the command line, in skopeo's transport syntax, and opening them as
 * sources. Each transport is one entry in `transports`; registry references (`docker://…` and
 * bare `HOST/REPO:TAG`) are added by the registry module — see `bareReference` below.
 */
import { readDockerArchive } from '../oci/archive/index.ts';
import { type Artifact, OciError } from '../oci/index.ts';
import { readLayout } from '../oci/layout/index.ts';

/** A parsed reference; `transport` picks the source. */
export type ImageRef =
  | { transport: 'oci'; dir: string; tag?: string }
  | { transport: 'docker-archive'; file: string; tag?: string; index?: number };

interface Transport {
  /** Parses what follows `NAME:`. */
  parse(rest: string, whole: string): ImageRef;
  open(ref: ImageRef): Promise<Artifact>;
}

/** `oci:DIR[:TAG]`: like skopeo, the first `:` after DIR starts the tag, so DIR cannot hold one. */
const oci: Transport = {
  parse(rest, whole) {
    const i = rest.indexOf(':');
    const dir = i < 0 ? rest : rest.slice(0, i);
    const tag = i < 0 ? undefined : rest.slice(i + 1);
    if (!dir || tag === '') throw invalid(whole, 'oci:DIR[:TAG]');
    return { transport: 'oci', dir, ...(tag !== undefined ? { tag } : {}) };
  },
  open: (ref) => readLayout((ref as { dir: string }).dir, ref.tag),
};

/** `docker-archive:FILE[:NAME[:TAG]]` or `docker-archive:FILE:@N` (Nth image of manifest.json). */
const dockerArchive: Transport = {
  parse(rest, whole) {
    const i = rest.indexOf(':');
    const file = i < 0 ? rest : rest.slice(0, i);
    const sel = i < 0 ? undefined : rest.slice(i + 1);
    if (!file || sel === '') throw invalid(whole, 'docker-archive:FILE[:NAME:TAG]');
    if (sel?.startsWith('@')) {
      const index = Number(sel.slice(1));
      if (!Number.isInteger(index) || index < 0) throw invalid(whole, 'docker-archive:FILE:@N');
      return { transport: 'docker-archive', file, index };
    }
    return { transport: 'docker-archive', file, ...(sel !== undefined ? { tag: sel } : {}) };
  },
  open: (ref) => {
    const r = ref as Extract<ImageRef, { transport: 'docker-archive' }>;
    return readDockerArchive(r.file, {
      ...(r.tag !== undefined ? { tag: r.tag } : {}),
      ...(r.index !== undefined ? { index: r.index } : {}),
    });
  },
};

/** Transport name → implementation. The registry module adds `docker` here. */
export const transports: Record<string, Transport> = { oci, 'docker-archive': dockerArchive };

/**
 * A reference without a known transport prefix. Registry references (`HOST/REPO:TAG`) will be
 * parsed here by the registry module; until then they are refused with a clear message.
 */
function bareReference(s: string): ImageRef {
  throw new OciError(
    'IMAGE_REF_INVALID',
    `unsupported image reference ${JSON.stringify(s)}: use oci:DIR[:TAG] or docker-archive:FILE[:NAME]`,
  );
}

/**
 * Parses a reference in skopeo's syntax.
 *
 * @example parseImageRef('oci:out/static:latest') // { transport: 'oci', dir: 'out/static', tag: 'latest' }
 */
export function parseImageRef(s: string): ImageRef {
  const i = s.indexOf(':');
  const t = i > 0 ? transports[s.slice(0, i)] : undefined;
  if (!t) return bareReference(s);
  return t.parse(s.slice(i + 1), s);
}

/** Opens what a reference names: an image, or an index for multi-platform images. */
export async function openSource(ref: string | ImageRef): Promise<Artifact> {
  const r = typeof ref === 'string' ? parseImageRef(ref) : ref;
  const t = transports[r.transport];
  if (!t) throw new OciError('IMAGE_REF_INVALID', `no transport ${r.transport}`);
  return t.open(r);
}

function invalid(s: string, form: string): OciError {
  return new OciError('IMAGE_REF_INVALID', `bad image reference ${JSON.stringify(s)}: expected ${form}`);
}
