/**
 * The user an image runs as by default (its config's `User`), resolved through the image's own
 * /etc/passwd as a runtime would: `65532` → `65532 (nonroot)`, `nonroot` → `nonroot (65532)`, an
 * empty User → root. The seed's securityContext wants it numeric and non-zero.
 */
import type { ImageFiles } from '../scan/index.ts';

export const PASSWD = '/etc/passwd';

export interface DefaultUser {
  /** The config's `User` as written (`''` when unset). */
  readonly configured: string;
  /** The uid it runs as, when the image says it (numeric, or named in /etc/passwd). */
  readonly uid?: number;
  /** The passwd name of that uid, when there is one. */
  readonly name?: string;
  /** Runs as uid 0 (or an unset User, which is root). */
  readonly root: boolean;
  /** For a table cell: `65532 (nonroot)`, `root (unset)`. */
  readonly display: string;
}

/** name → uid and uid → name from a passwd file. */
export function parsePasswd(text: string): { uids: Map<string, number>; names: Map<number, string> } {
  const uids = new Map<string, number>();
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [name, , uid] = line.split(':');
    if (!name || uid === undefined || !/^\d+$/.test(uid)) continue;
    if (!uids.has(name)) uids.set(name, Number(uid));
    if (!names.has(Number(uid))) names.set(Number(uid), name);
  }
  return { uids, names };
}

/** The default user of an image whose config says `user` and whose files are `f`. */
export function defaultUser(user: string | undefined, f: ImageFiles): DefaultUser {
  const configured = user ?? '';
  const who = configured.split(':')[0] ?? '';
  const passwd = parsePasswd(f.contents.get(PASSWD)?.toString('utf8') ?? '');
  if (who === '') return { configured, uid: 0, name: 'root', root: true, display: 'root (unset)' };
  if (/^\d+$/.test(who)) {
    const uid = Number(who);
    const name = passwd.names.get(uid);
    return { configured, uid, name, root: uid === 0, display: name ? `${uid} (${name})` : `${uid}` };
  }
  const uid = passwd.uids.get(who);
  return {
    configured,
    uid,
    name: who,
    root: uid === 0,
    display: uid === undefined ? `${who} (not in /etc/passwd)` : `${who} (${uid})`,
  };
}
