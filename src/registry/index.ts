/**
 * The registry client: references, credentials, authenticated and retrying HTTP, push and pull.
 * @example
 *   import { pushArtifact, nodeRegistryOptions } from '../registry/index.ts';
 *   const r = await pushArtifact(image, 'registry.example/app:1', { ...nodeRegistryOptions(), onEvent });
 */

import { join } from 'node:path';
import { cacheRoot } from '../platform/index.ts';
import { fileBlobMemory } from './blob-memory.ts';
import type { RegistryClientOptions } from './client.ts';
import { dockerKeychain } from './keychain.ts';
import { nodeKeychainEnv } from './node-env.ts';

export { type BlobMemory, fileBlobMemory, memoryBlobMemory } from './blob-memory.ts';
export { type RegistryClientOptions, sessionFor } from './client.ts';
export { describeEvent } from './describe-event.ts';
export { isLoopback, schemesFor } from './endpoint.ts';
export * from './errors.ts';
export type { EventSink, RegistryEvent } from './events.ts';
export * from './keychain.ts';
export { type LoginOptions, saveLogin, verifyLogin } from './login.ts';
export { nodeKeychainEnv } from './node-env.ts';
export { type PullOptions, pullArtifact } from './pull.ts';
export { type PushOptions, type PushResult, pushArtifact, referenceDigest } from './push.ts';
export * from './reference.ts';
export { type FetchLike, RegistryHttp, type RegistryHttpOptions } from './registry-http.ts';
export { RegistrySession, repoScope } from './session.ts';

/**
 * Options for the real machine: credentials from docker's/containers' config files and helpers.
 * `insecureRegistries` are hosts (host or host:port) that may be spoken to over plain http, added
 * to those $DISTILL_INSECURE_REGISTRIES names. Which repositories hold which blobs is remembered
 * in distill's cache (`<cache>/registry-blobs`), for cross-repository mounts.
 */
export function nodeRegistryOptions(
  extra: { insecureRegistries?: readonly string[]; env?: Record<string, string | undefined> } = {},
): RegistryClientOptions {
  const env = extra.env ?? process.env;
  // $DISTILL_INSECURE_REGISTRIES (space or comma separated) adds to the hosts the caller names.
  const fromEnv = (env.DISTILL_INSECURE_REGISTRIES ?? '').split(/[\s,]+/).filter(Boolean);
  return {
    keychain: dockerKeychain(nodeKeychainEnv(env)),
    insecureRegistries: [...fromEnv, ...(extra.insecureRegistries ?? [])],
    userAgent: 'distill',
    ...blobMemoryOf(env),
  };
}

/** The blob memory in distill's cache, when there is a cache directory at all. */
function blobMemoryOf(env: Record<string, string | undefined>): Pick<RegistryClientOptions, 'blobMemory'> {
  try {
    return { blobMemory: fileBlobMemory(join(cacheRoot(env), 'registry-blobs')) };
  } catch {
    return {};
  }
}
