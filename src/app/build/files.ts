/** distill.yaml `files:`: extra project paths placed anywhere in the image, with a mode and owner. */
import { readFile, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { FileHashes } from '../../files/index.ts';
import { canonicalJson, type LayerEntry, sha256 } from '../../oci/index.ts';
import { AppError } from '../errors.ts';
import { dirChain, type Owner, parseOwner, treeEntries } from '../layout.ts';
import { resolveInProject } from '../project-path.ts';
import type { AppFileSpec } from '../types.ts';

/** The entries of every `files:` item, and a cache key over their inputs. */
export async function extraFileEntries(
  dir: string,
  specs: readonly AppFileSpec[],
  writable: readonly string[],
  user: Owner,
  hashes: FileHashes,
): Promise<{ entries: LayerEntry[]; key: string }> {
  const entries: LayerEntry[] = [];
  const fp: unknown[] = [];
  for (const [i, f] of specs.entries()) {
    const what = `files[${i}].source`;
    // A trailing `/` asks for a directory's contents, so a symlink there is followed (inside only).
    const found = await resolveInProject(dir, f.source.replace(/^\.\//, ''), what, f.source.endsWith('/'));
    if (!found) throw new AppError('APP_FILE_INVALID', `${what} ${f.source}: no such file in the project`);
    const { abs, st } = found;
    const owner = f.owner !== undefined ? parseOwner(f.owner, `files[${i}].owner`) : undefined;
    const dest = posix.normalize(f.destination);
    if (st.isDirectory()) {
      const t = await treeEntries({ root: abs, dest, writable, user, hashes });
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
      fp.push([i, f, await hashes.of(abs, st)]);
    } else if (st.isSymbolicLink()) {
      // Copied as the link it is, never followed: its target is read in the image, not on the host.
      const linkname = await readlink(abs);
      entries.push(...dirChain(posix.dirname(dest), writable, user));
      entries.push({
        path: dest.slice(1),
        type: 'symlink',
        mode: 0o777,
        ...(owner ?? { uid: 0, gid: 0 }),
        linkname,
      });
      fp.push([i, f, 'symlink', linkname]);
    } else {
      throw new AppError(
        'APP_FILE_INVALID',
        `files[${i}].source ${f.source}: must be a file, a directory or a symlink`,
      );
    }
  }
  return { entries, key: sha256(canonicalJson(fp)) };
}
