/**
 * The process user of a container, as runc resolves an image's `User` (`user[:group]`, each a name
 * or a number): names through the image's own /etc/passwd and /etc/group (never the host's), the
 * primary group from the passwd line, supplementary groups from the group file's member lists.
 */
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePasswd } from '../audit/index.ts';
import { RunError } from './errors.ts';

export interface ProcessUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The passwd home, for $HOME. */
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** name → entry from an /etc/group body (the first line of a name wins). */
export function parseGroup(body: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of body.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !f[0] || !/^\d+$/.test(f[2] ?? '')) continue;
    out.push({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

/** Resolves `spec` against passwd and group file bodies. Pure. */
export function resolveProcessUser(spec: string | undefined, passwd: string, group: string): ProcessUser {
  const users = parsePasswd(passwd);
  const groups = parseGroup(group);
  const s = (spec ?? '').trim();
  const [u = '', g] = s.split(':', 2);
  let uid: number;
  let name: string | undefined;
  let gid: number | undefined;
  let home = '/';
  if (u === '' || /^\d+$/.test(u)) {
    uid = u === '' ? 0 : Number(u);
    for (const [n, e] of users)
      if (e.uid === uid) {
        name = n;
        gid = e.gid;
        home = e.home;
        break;
      }
  } else {
    const e = users.get(u);
    if (!e)
      throw new RunError(
        'RUN_USER_UNKNOWN',
        `the image's user ${JSON.stringify(u)} is not in its /etc/passwd`,
      );
    uid = e.uid;
    name = u;
    gid = e.gid;
    home = e.home;
  }
  if (g !== undefined && g !== '') {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const e = groups.find((x) => x.name === g);
      if (!e)
        throw new RunError(
          'RUN_USER_UNKNOWN',
          `the image's group ${JSON.stringify(g)} is not in its /etc/group`,
        );
      gid = e.gid;
    }
  }
  const primary = gid ?? 0;
  const additionalGids =
    name === undefined
      ? []
      : [...new Set(groups.filter((x) => x.members.includes(name) && x.gid !== primary).map((x) => x.gid))];
  return { uid, gid: primary, additionalGids, home };
}

/** Reads a file of the rootfs only when it and its directory are what they say (no symlink out of the tree). */
async function readRootfsFile(rootfs: string, dir: string, name: string): Promise<string> {
  try {
    if (!(await lstat(join(rootfs, dir))).isDirectory()) return '';
    const p = join(rootfs, dir, name);
    if (!(await lstat(p)).isFile()) return '';
    return await readFile(p, 'utf8');
  } catch {
    return '';
  }
}

/** The user an unpacked image runs as. */
export async function imageUser(rootfs: string, spec: string | undefined): Promise<ProcessUser> {
  const [passwd, group] = await Promise.all([
    readRootfsFile(rootfs, 'etc', 'passwd'),
    readRootfsFile(rootfs, 'etc', 'group'),
  ]);
  return resolveProcessUser(spec, passwd, group);
}
