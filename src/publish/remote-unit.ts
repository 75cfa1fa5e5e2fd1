/**
 * An index owner's wait for a unit another shard builds: that shard's per-arch tag (the stamped
 * one when there is a stamp, so a tag left by an earlier publish is not taken for this one's) is
 * HEADed until it is there, then the image is read from the registry (its manifest and config;
 * layers are never fetched). Only the registry is shared between shards.
 */
import type { Image } from '../oci/index.ts';
import { pullArtifact, type RegistryClientOptions, referenceDigest } from '../registry/index.ts';
import { PublishError } from './errors.ts';
import { type Unit, unitKey } from './matrix.ts';
import type { PublishEvent } from './publish.ts';

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RemoteUnitOptions {
  client: RegistryClientOptions;
  /** `HOST/REPO` the other shard pushes to, and the tag it gives the unit. */
  repository: string;
  tag: string;
  /** Default 30 minutes. */
  waitTimeoutMs?: number;
  /** Default 2 s. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onEvent?: (e: PublishEvent) => void;
}

/** The image of `u` once another shard has pushed it; PUBLISH_SHARD_TIMEOUT when it never comes. */
export async function remoteUnit(u: Unit, o: RemoteUnitOptions): Promise<Image> {
  const reference = `${o.repository}:${o.tag}`;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? sleepMs;
  const timeout = o.waitTimeoutMs ?? 30 * 60_000;
  const deadline = now() + timeout;
  let told = false;
  for (;;) {
    const digest = await referenceDigest(reference, o.client);
    if (digest) {
      const a = await pullArtifact(`${o.repository}@${digest}`, o.client);
      if (a.kind === 'image') return a;
    }
    if (now() >= deadline)
      throw new PublishError(
        'PUBLISH_SHARD_TIMEOUT',
        `${reference} did not appear within ${Math.round(timeout / 1000)} s: the shard that builds ${unitKey(u)} has not pushed it (is every shard of the same --shard N/M running with the same selection and --stamp?)`,
      );
    if (!told) o.onEvent?.({ type: 'waiting', reference });
    told = true;
    await sleep(o.pollMs ?? 2000);
  }
}
