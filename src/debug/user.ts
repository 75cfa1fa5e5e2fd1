/**
 * An image's `Config.User` as the engine resolves it when it starts the container: `""` is root,
 * `NAME` or `UID` with an optional `:GROUP` or `:GID`; names are looked up in the container's own
 * /etc/passwd and /etc/group, a numeric uid without a passwd entry gets gid 0 (Docker's rule).
 */
import { DebugError } from './errors.ts';

export interface UserIds {
  uid: number;
  gid: number;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

const isId = (s: string) => /^\d+$/.test(s);

/** The entries of an /etc/passwd (name:x:uid:gid:...); malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !f[0] || !isId(f[2] ?? '') || !isId(f[3] ?? '')) continue;
    out.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]) });
  }
  return out;
}

/** The groups of an /etc/group (name:x:gid:members) as name → gid. */
export function parseGroup(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && isId(f[2] ?? '')) out.set(f[0], Number(f[2]));
  }
  return out;
}

/**
 * Resolves `user` (Config.User) against the container's passwd and group files (undefined when
 * the file is absent). DEBUG_USER_UNKNOWN for a name the files do not have.
 * @example resolveUser('nonroot', 'nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n') // {uid: 65532, gid: 65532}
 */
export function resolveUser(user: string, passwd?: string, group?: string): UserIds {
  const [u = '', g] = user.trim().split(':', 2);
  if (u === '' && !g) return { uid: 0, gid: 0 };
  const users = parsePasswd(passwd ?? '');
  const entry = isId(u) ? users.find((e) => e.uid === Number(u)) : users.find((e) => e.name === u);
  if (!isId(u) && !entry)
    throw new DebugError(
      'DEBUG_USER_UNKNOWN',
      `user ${JSON.stringify(u)} is not in the container's /etc/passwd`,
    );
  const uid = isId(u) ? Number(u) : (entry as PasswdEntry).uid;
  if (g === undefined || g === '') return { uid, gid: entry?.gid ?? 0 };
  if (isId(g)) return { uid, gid: Number(g) };
  const gid = parseGroup(group ?? '').get(g);
  if (gid === undefined)
    throw new DebugError(
      'DEBUG_USER_UNKNOWN',
      `group ${JSON.stringify(g)} is not in the container's /etc/group`,
    );
  return { uid, gid };
}
