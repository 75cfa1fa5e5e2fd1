/** Test helper: ImageFiles from path → content, as a scan with wantForInventory would give them. */
import type { FileEntry, ImageFiles } from '../types.ts';

export function imageFiles(files: Record<string, string | Buffer>): ImageFiles {
  const entries = new Map<string, FileEntry>();
  const contents = new Map<string, Buffer>();
  for (const [path, c] of Object.entries(files)) {
    const data = Buffer.from(c);
    entries.set(path, { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: data.length, layer: 0 });
    contents.set(path, data);
  }
  return { files: entries, contents, hidden: [], layers: [] };
}

export const DEBIAN_13 = 'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="13"\n';
