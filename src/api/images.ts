/**
 * Library verbs for image references in skopeo's syntax (`oci:DIR[:TAG]`,
 * `docker-archive:FILE[:NAME[:TAG]]`, `docker://HOST/REPO:TAG` or bare `HOST/REPO:TAG`):
 * `openImage` (a source), `writeImage` (a sink) and `inspect` (a report). Each delegates to the
 * code the CLI runs, so a reference means the same thing here and on the command line.
 */
import { type Artifact, type InspectOptions, type InspectReport, inspectArtifact } from '../oci/index.ts';
import { type ImageRef, openSource, type SinkResult, writeSink } from '../transports/index.ts';
import { type PushOptions, type RegistryOptions, registryClientOptions } from './registry.ts';

export type { ImageRef, InspectOptions, InspectReport };

/**
 * Opens what a reference names: an image, or an index for multi-platform images. Local sources
 * are read and their digests checked; registry layers are fetched when read.
 * @example
 *   const img = await openImage('oci:out/static:latest');
 *   img.descriptor.digest // 'sha256:…'
 */
export async function openImage(reference: string | ImageRef, o: RegistryOptions = {}): Promise<Artifact> {
  // Registries go through the library's options (credentials, fetch, events) rather than the CLI's.
  return openSource(reference, { registry: registryClientOptions(o) });
}

/** What `writeImage` wrote, and where. */
export interface WriteResult extends SinkResult {
  digest: string;
  mediaType: string;
}

/**
 * Writes an image or index to a reference: an OCI layout (created or added to), a docker-archive
 * (for `docker load`), or a registry. Files are written aside and renamed into place, so a failure
 * leaves nothing half-written.
 * @example
 *   await writeImage(img, 'oci:out/app:1.0');
 *   await writeImage(img, 'docker-archive:app.tar:app:1.0');
 *   await writeImage(img, 'docker://registry.example/app:1.0');
 */
export async function writeImage(
  artifact: Artifact,
  reference: string | ImageRef,
  o: PushOptions = {},
): Promise<WriteResult> {
  const written = await writeSink(artifact, reference, {
    // The default RepoTags name when a `docker-archive:FILE` reference names none (`distill:latest`).
    defaultName: 'distill',
    registry: registryClientOptions(o),
    ...(o.jobs ? { jobs: o.jobs } : {}),
    ...(o.mountFrom ? { mountFrom: o.mountFrom } : {}),
  });
  return { digest: artifact.descriptor.digest, mediaType: artifact.descriptor.mediaType, ...written };
}

/**
 * Platforms, config and layers (compressed and uncompressed sizes) of a reference or an opened image.
 * @example
 *   const r = await inspect('oci:out/app');
 *   r.images[0]?.totals.size // bytes of compressed layers
 */
export async function inspect(
  image: string | Artifact,
  o: InspectOptions & RegistryOptions = {},
): Promise<InspectReport> {
  const artifact = typeof image === 'string' ? await openImage(image, o) : image;
  const name = typeof image === 'string' ? image : artifact.descriptor.digest;
  return inspectArtifact(name, artifact, {
    ...(o.platform ? { platform: o.platform } : {}),
    ...(o.measure !== undefined ? { measure: o.measure } : {}),
  });
}
