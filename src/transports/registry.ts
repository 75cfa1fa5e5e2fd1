/**
 * `docker://[HOST/]REPO[:TAG|@DIGEST]`, or a bare `HOST/REPO…`: a registry. Opening fetches and
 * verifies manifests and configs; layers are fetched when read. Writing pushes blobs, then
 * manifests, the tag last. Credentials come from docker's config; $DISTILL_INSECURE_REGISTRIES
 * lists hosts allowed plain http.
 */
import {
  formatReference,
  nodeRegistryOptions,
  parseReference,
  pullArtifact,
  pushArtifact,
  type RegistryClientOptions,
} from '../registry/index.ts';
import { invalidRef } from './invalid.ts';
import type { ImageRef, SourceOptions, Transport } from './types.ts';

type RegistryRef = Extract<ImageRef, { transport: 'docker' }>;

export function registryRef(s: string): RegistryRef {
  const r = parseReference(s);
  return { transport: 'docker', reference: formatReference(r), ...(r.tag ? { tag: r.tag } : {}) };
}

/** The caller's registry options, else the machine's (docker credentials, insecure hosts from the env). */
function clientOptions(o: SourceOptions): RegistryClientOptions {
  return o.registry ?? nodeRegistryOptions({ env: o.env ?? process.env });
}

export const registry: Transport<RegistryRef> = {
  name: 'docker',
  parse(rest, whole) {
    if (!rest.startsWith('//')) throw invalidRef(whole, 'docker://[HOST/]REPO[:TAG|@DIGEST]');
    return registryRef(rest.slice(2));
  },
  open: (ref, o) => pullArtifact(ref.reference, clientOptions(o)),
  async write(artifact, ref, o) {
    const push = await pushArtifact(artifact, ref.reference, {
      ...clientOptions(o),
      ...(o.jobs ? { jobs: o.jobs } : {}),
      ...(o.mountFrom ? { mountFrom: o.mountFrom } : {}),
    });
    return { push };
  },
};
