/**
 * The user an image runs as by default, for a table cell: the audit's resolution (runc's rules:
 * a number is the uid, a name is looked up in the image's /etc/passwd, first line first; unset is
 * root) with the passwd name of a numeric uid: `65532 (nonroot)`, `nonroot (65532)`, `root (unset)`.
 */
import { parsePasswd, resolveUser } from '../audit/index.ts';
import type { ImageFiles } from '../scan/index.ts';

export const PASSWD = '/etc/passwd';

export interface DefaultUser {
  /** The config's `User` as written (`''` when unset). */
  readonly configured: string;
  /** The uid it runs as, when the image says it (numeric, named in /etc/passwd, or root/nonroot). */
  readonly uid?: number;
  /** The passwd name of that uid, when there is one. */
  readonly name?: string;
  /** Runs as uid 0 (or an unset User, which is root). */
  readonly root: boolean;
  /** For a table cell: `65532 (nonroot)`, `root (unset)`. */
  readonly display: string;
}

/** The default user of an image whose config says `user` and whose files are `f`. */
export function defaultUser(user: string | undefined, f: ImageFiles): DefaultUser {
  const configured = user ?? '';
  const who = configured.trim().split(':')[0] ?? '';
  const r = resolveUser(user, f).user;
  if (r.how === 'unset') return { configured, uid: 0, name: 'root', root: true, display: 'root (unset)' };
  if (r.uid === undefined)
    return { configured, name: who, root: r.root, display: `${who} (not in /etc/passwd)` };
  if (r.how === 'numeric') {
    let name: string | undefined;
    for (const [n, e] of parsePasswd(f.contents.get(PASSWD)?.toString('utf8') ?? ''))
      if (e.uid === r.uid) {
        name = n;
        break;
      }
    return {
      configured,
      uid: r.uid,
      ...(name ? { name } : {}),
      root: r.root,
      display: name ? `${r.uid} (${name})` : `${r.uid}`,
    };
  }
  return { configured, uid: r.uid, name: who, root: r.root, display: `${who} (${r.uid})` };
}
