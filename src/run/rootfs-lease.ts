/**
 * An image's unpacked chain for a user that is not a `distill run` container (jlink's JDK tree):
 * leased as a container's is (leases.ts), so a `distill prune` running meanwhile keeps it.
 */
import type { Image } from '../oci/index.ts';
import { removeLease, writeLease } from './leases.ts';
import { chainIds, ensureRootfs, rootfsStore, type UnpackedRootfs } from './rootfs.ts';

/**
 * `image` unpacked into the cache (once per chain), held for `holder` (a directory that exists
 * while it is used, e.g. the bundle) until `release()`.
 */
export async function leasedRootfs(
  image: Image,
  cacheRoot: string,
  holder: string,
): Promise<UnpackedRootfs & { release: () => Promise<void> }> {
  const lease = await writeLease(rootfsStore(cacheRoot), holder, chainIds(image.layers.map((l) => l.diffId)));
  try {
    const u = await ensureRootfs(image, { cacheRoot });
    return { ...u, release: () => removeLease(lease.file) };
  } catch (e) {
    await lease.undo();
    throw e;
  }
}
