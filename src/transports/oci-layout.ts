/** `oci:DIR[:TAG]`: an OCI image layout on disk, read with every digest checked, written aside and renamed. */
import { resolve } from 'node:path';
import { openFileHashes } from '../files/index.ts';
import { type LayoutEntry, readLayout, writeLayout } from '../oci/layout/index.ts';
import { cacheRoot } from '../platform/index.ts';
import { invalidRef } from './invalid.ts';
import type { ImageRef, Transport } from './types.ts';

type OciRef = Extract<ImageRef, { transport: 'oci' }>;

/**
 * writeLayout with the blobs' hashes remembered in distill's cache: a blob already in the layout
 * is trusted only when its content was hashed (now, or before with the same stat stamp).
 */
export async function writeLayoutChecked(dir: string, entries: readonly LayoutEntry[]): Promise<void> {
  const hashes = await openFileHashes(cacheRoot(process.env), `layout:${resolve(dir)}`);
  await writeLayout(dir, entries, { hashes });
  await hashes.save().catch(() => {}); // a memo not written costs one re-read next time
}

/** Like skopeo, the first `:` after DIR starts the tag, so DIR cannot hold one. */
export const ociLayout: Transport<OciRef> = {
  name: 'oci',
  parse(rest, whole) {
    const i = rest.indexOf(':');
    const dir = i < 0 ? rest : rest.slice(0, i);
    const tag = i < 0 ? undefined : rest.slice(i + 1);
    if (!dir || tag === '') throw invalidRef(whole, 'oci:DIR[:TAG]');
    return { transport: 'oci', dir, ...(tag !== undefined ? { tag } : {}) };
  },
  open: (ref) => readLayout(ref.dir, ref.tag),
  async write(artifact, ref) {
    // The layout ref name is the tag as given (`latest`, `1.0`, `app:1.0`), so `oci:DIR:TAG` finds it.
    const tag = ref.tag ?? 'latest';
    await writeLayoutChecked(ref.dir, [{ artifact, tag }]);
    return { layout: { path: ref.dir, tag } };
  },
};
