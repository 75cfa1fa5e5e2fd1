/** distill.yaml `files:`: extra project paths placed anywhere in the image, with a mode and owner. */
import { lstat, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { canonicalJson, type LayerEntry, sha256 } from '../oci/index.ts';
import { AppError } from './errors.ts';
import { dirChain, type Owner, parseOwner, treeEntries } from './layout.ts';
import type { AppFileSpec } from './types.ts';

/** The entries of every `files:` item, and a cache key over their inputs. */
export async function extraFileEntries(
  dir: string,
  specs: readonly AppFileSpec[],
  writable: readonly string[],
  user: Owner,
): Promise<{ entries: LayerEntry[]; key: string }> {
  const entries: LayerEntry[] = [];
  const fp: unknown[] = [];
  for (const [i, f] of specs.entries()) {
    const rel = posix.normalize(f.source.replace(/^\.\//, ''));
    if (rel.startsWith('..') || posix.isAbsolute(rel))
      throw new AppError('APP_FILE_INVALID', `files[${i}].source ${f.source}: must be inside the project`);
    const abs = join(dir, rel);
    const st = await lstat(abs).catch(() => undefined);
    if (!st)
      throw new AppError('APP_FILE_INVALID', `files[${i}].source ${f.source}: no such file in the project`);
    const owner = f.owner !== undefined ? parseOwner(f.owner, `files[${i}].owner`) : undefined;
    const dest = posix.normalize(f.destination);
    if (st.isDirectory()) {
      const t = await treeEntries({ root: abs, dest, writable, user });
      for (const e of t.entries) {
        if (owner && e.path !== '') Object.assign(e, owner);
        if (f.mode !== undefined && e.type === 'file') e.mode = f.mode;
      }
      entries.push(...t.entries);
      fp.push([i, f, t.fingerprint]);
    } else if (st.isFile()) {
      entries.push(...dirChain(posix.dirname(dest), writable, user));
      const mode = f.mode ?? (st.mode & 0o111 ? 0o755 : 0o644);
      entries.push({
        path: dest.slice(1),
        type: 'file',
        mode,
        ...(owner ?? { uid: 0, gid: 0 }),
        size: st.size,
        content: () => readFile(abs),
      });
      fp.push([i, f, st.size, st.mtimeMs]);
    } else {
      throw new AppError('APP_FILE_INVALID', `files[${i}].source ${f.source}: must be a file or a directory`);
    }
  }
  return { entries, key: sha256(canonicalJson(fp)) };
}
