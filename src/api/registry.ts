/**
 * Library verbs for registries: `pull` (a reference → a lazily fetched image or index) and `push`
 * (an image or index → a registry reference), after crane's Pull and Push.
 */
import { type Artifact, parsePlatform } from '../oci/index.ts';
import {
  type EventSink,
  type FetchLike,
  type Keychain,
  nodeRegistryOptions,
  type PushResult,
  pullArtifact,
  pushArtifact,
  type RegistryClientOptions,
} from '../registry/index.ts';

/** How to reach registries. */
export interface RegistryOptions {
  /** Environment for credentials and DISTILL_INSECURE_REGISTRIES. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Hosts (host or host:port) that may be spoken to over plain http, added to DISTILL_INSECURE_REGISTRIES. */
  insecureRegistries?: readonly string[];
  /** Where credentials come from. Default docker's config.json and its credential helpers. */
  keychain?: Keychain;
  /** HTTP (tests pass a fake). Default a node:http client. */
  fetch?: FetchLike;
  /** Retries, uploads, mounts: reported here, never printed. */
  onEvent?: EventSink;
}

export interface PullOptions extends RegistryOptions {
  /** From a multi-platform index, only this platform: `os/arch[/variant]`. */
  platform?: string;
}

export interface PushOptions extends RegistryOptions {
  /** Blobs uploaded at once. Default 4. */
  jobs?: number;
  /** Repositories on the same registry to mount shared blobs from. */
  mountFrom?: readonly string[];
}

/** The registry client options for these choices (what the CLI's `--insecure-registry` maps to). */
export function registryClientOptions(o: RegistryOptions = {}): RegistryClientOptions {
  const node = nodeRegistryOptions({
    insecureRegistries: o.insecureRegistries ?? [],
    env: { ...(o.env ?? process.env) },
  });
  return {
    ...node,
    ...(o.keychain ? { keychain: o.keychain } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
  };
}

/**
 * Opens `HOST/REPO[:TAG|@DIGEST]` (or `docker://…`): manifests and configs are fetched and
 * verified now, layers when read. Write the result with `writeImage`.
 * @example
 *   const img = await pull('registry.example/app:1', { platform: 'linux/amd64' });
 *   await writeImage(img, 'oci:out/app:1');
 */
export async function pull(reference: string, o: PullOptions = {}): Promise<Artifact> {
  return pullArtifact(reference.replace(/^docker:\/\//, ''), {
    ...registryClientOptions(o),
    ...(o.platform ? { platform: parsePlatform(o.platform) } : {}),
  });
}

/**
 * Pushes an image or index; the tag is written last, so it never names a missing blob.
 * @example
 *   const r = await push(await openImage('oci:out/app'), 'registry.example/app:1');
 *   r.reference // 'registry.example/app:1@sha256:…'
 */
export async function push(artifact: Artifact, reference: string, o: PushOptions = {}): Promise<PushResult> {
  return pushArtifact(artifact, reference.replace(/^docker:\/\//, ''), {
    ...registryClientOptions(o),
    ...(o.jobs !== undefined ? { jobs: o.jobs } : {}),
    ...(o.mountFrom ? { mountFrom: o.mountFrom } : {}),
  });
}
