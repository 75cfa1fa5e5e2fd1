/**
 * `docker-archive:FILE[:NAME[:TAG]]` or `docker-archive:FILE:@N` (the Nth image of manifest.json):
 * the tar `docker save` writes and `docker load` reads. `-` as FILE writes to stdout.
 */
import { readDockerArchive, writeDockerArchive } from '../oci/archive/index.ts';
import { invalidRef } from './invalid.ts';
import type { ImageRef, Transport } from './types.ts';

type ArchiveRef = Extract<ImageRef, { transport: 'docker-archive' }>;

/** docker's RepoTags need repo:tag: `app` → `app:latest`; no name → `<defaultName>:latest`. */
export function archiveTag(tag: string | undefined, defaultName: string): string {
  if (!tag) return `${defaultName}:latest`;
  const i = tag.lastIndexOf(':');
  return i > tag.lastIndexOf('/') && i > 0 ? tag : `${tag}:latest`;
}

export const dockerArchive: Transport<ArchiveRef> = {
  name: 'docker-archive',
  parse(rest, whole) {
    const i = rest.indexOf(':');
    const file = i < 0 ? rest : rest.slice(0, i);
    const sel = i < 0 ? undefined : rest.slice(i + 1);
    if (!file || sel === '') throw invalidRef(whole, 'docker-archive:FILE[:NAME:TAG]');
    if (sel?.startsWith('@')) {
      const index = Number(sel.slice(1));
      if (!Number.isInteger(index) || index < 0) throw invalidRef(whole, 'docker-archive:FILE:@N');
      return { transport: 'docker-archive', file, index };
    }
    return { transport: 'docker-archive', file, ...(sel !== undefined ? { tag: sel } : {}) };
  },
  open: (ref) =>
    readDockerArchive(ref.file, {
      ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
      ...(ref.index !== undefined ? { index: ref.index } : {}),
    }),
  async write(artifact, ref, o) {
    if (ref.index !== undefined)
      throw invalidRef(
        `docker-archive:${ref.file}:@${ref.index}`,
        'a NAME:TAG to write (@N selects one to read)',
      );
    const tags = [archiveTag(ref.tag, o.defaultName ?? 'distill')];
    await writeDockerArchive(ref.file === '-' ? process.stdout : ref.file, [{ artifact, tags }]);
    return { archive: { path: ref.file, tags } };
  },
};
