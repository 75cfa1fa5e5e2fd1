/**
 * Image references on the command line, in skopeo's transport syntax, and opening them as
 * sources. Each transport is one entry in `transports`; registry references (`docker://…` and
 * bare `HOST/REPO:TAG`) are added by the registry module — see `bareReference` below.
 */
import { readDockerArchive } from '../oci/archive/index.ts';
import { type Artifact, OciError } from '../oci/index.ts';
import { readLayout } from '../oci/layout/index.ts';
import { formatReference, nodeRegistryOptions, parseReference, pullArtifact } from '../registry/index.ts';

/** A parsed reference; `transport` picks the source. */
export type ImageRef =
  | { transport: 'oci'; dir: string; tag?: string }
  | { transport: 'docker-archive'; file: string; tag?: string; index?: number }
  | { transport: 'docker'; reference: string; tag?: string };

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

/**
 * `docker://[HOST/]REPO[:TAG|@DIGEST]`: a registry (Docker Hub when no host is named). Opening it
 * fetches and verifies the manifests and configs; layers are fetched only when read. Credentials
 * come from docker's config; $DISTILL_INSECURE_REGISTRIES lists hosts allowed plain http.
 */
const docker: Transport = {
  parse(rest, whole) {
    if (!rest.startsWith('//')) throw invalid(whole, 'docker://[HOST/]REPO[:TAG|@DIGEST]');
    return dockerRef(rest.slice(2));
  },
  open: (ref) => {
    const insecure = (process.env.DISTILL_INSECURE_REGISTRIES ?? '').split(/[\s,]+/).filter(Boolean);
    return pullArtifact(
      (ref as { reference: string }).reference,
      nodeRegistryOptions({ insecureRegistries: insecure }),
    );
  },
};

function dockerRef(s: string): ImageRef {
  const r = parseReference(s);
  return { transport: 'docker', reference: formatReference(r), ...(r.tag ? { tag: r.tag } : {}) };
}

/** Transport name → implementation. */
export const transports: Record<string, Transport> = { oci, 'docker-archive': dockerArchive, docker };

/**
 * A reference without a known transport prefix. Registry references (`HOST/REPO:TAG`) will be
 * parsed here by the registry module; until then they are refused with a clear message.
 */
function bareReference(s: string): ImageRef {
  // A bare reference is a registry one when it names its host (`HOST[:PORT]/REPO…`, `localhost/…`);
  // `busybox` alone is more likely a forgotten `oci:` than Docker Hub (write docker://busybox).
  const first = s.split('/')[0] ?? '';
  if (s.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return dockerRef(s);
  }
  throw new OciError(
    'IMAGE_REF_INVALID',
    `unsupported image reference ${JSON.stringify(s)}: use oci:DIR[:TAG], docker-archive:FILE[:NAME] or docker://[HOST/]REPO[:TAG]`,
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
