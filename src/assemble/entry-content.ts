/** Reads LayerEntry contents into memory (the inputs here are small: certificates, one binary). */
import type { LayerEntry } from '../oci/index.ts';

/** The whole content of a file entry. */
export async function readEntry(e: LayerEntry): Promise<Buffer> {
  if (!e.content) return Buffer.alloc(0);
  const c = await e.content();
  if (Buffer.isBuffer(c)) return c;
  const chunks: Buffer[] = [];
  for await (const chunk of c) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A read-only regular file entry holding `data`. */
export function bytesEntry(path: string, data: Buffer, mode: number, uid = 0, gid = 0): LayerEntry {
  return { path, type: 'file', mode, uid, gid, size: data.length, content: () => data };
}

/** Resolves a hardlink entry to the file that holds its content (others returned as they are). */
export function resolveHardlink(
  e: LayerEntry,
  byPath: ReadonlyMap<string, LayerEntry>,
): LayerEntry | undefined {
  let cur: LayerEntry | undefined = e;
  for (let i = 0; cur?.type === 'hardlink' && i < 32; i++) cur = byPath.get(cur.linkname ?? '');
  return cur;
}
