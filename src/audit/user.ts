/**
 * The default user, as runc resolves `Config.User` (`user[:group]`, each a name or a number):
 * a number is the uid; a name is looked up in the image's /etc/passwd; `root` and distroless's
 * `nonroot` (65532) are known without one (distroless ships no /etc/passwd entry it does not
 * need). Unset means root. Root — by name, number, or because nothing is set — is reported.
 */
import type { Finding, ImageFiles } from '../scan/index.ts';
import type { DefaultUser } from './types.ts';

interface PasswdEntry {
  uid: number;
  gid: number;
  home: string;
}

/** name → entry, from an /etc/passwd body. */
export function parsePasswd(body: string): Map<string, PasswdEntry> {
  const out = new Map<string, PasswdEntry>();
  for (const line of body.split('\n')) {
    const f = line.split(':');
    if (f.length < 6 || !f[0] || !/^\d+$/.test(f[2] ?? '') || !/^\d+$/.test(f[3] ?? '')) continue;
    // The first line for a name wins, as runc and glibc's getpwnam read it.
    if (!out.has(f[0])) out.set(f[0], { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '/' });
  }
  return out;
}

export interface ResolvedUser {
  user: DefaultUser;
  gid?: number;
  home?: string;
}

export function resolveUser(raw: string | undefined, files: ImageFiles): ResolvedUser {
  const passwd = parsePasswd(files.contents.get('/etc/passwd')?.toString('utf8') ?? '');
  const spec = (raw ?? '').trim();
  if (!spec) return { user: { raw: '', uid: 0, root: true, how: 'unset' }, ...home(passwd, 0) };
  const [name = '', group] = spec.split(':', 2);
  const gid = group !== undefined && /^\d+$/.test(group) ? Number(group) : undefined;
  if (/^\d+$/.test(name)) {
    const uid = Number(name);
    const h = home(passwd, uid);
    return {
      user: { raw: spec, uid, root: uid === 0, how: 'numeric' },
      ...h,
      ...(gid !== undefined ? { gid } : {}),
    };
  }
  const e = passwd.get(name);
  if (e)
    return {
      user: { raw: spec, uid: e.uid, root: e.uid === 0, how: 'passwd' },
      gid: gid ?? e.gid,
      home: e.home,
    };
  if (name === 'root') return { user: { raw: spec, uid: 0, root: true, how: 'builtin' }, gid: 0 };
  if (name === 'nonroot')
    return {
      user: { raw: spec, uid: 65532, root: false, how: 'builtin' },
      gid: gid ?? 65532,
      home: '/home/nonroot',
    };
  return { user: { raw: spec, root: false, how: 'unknown' } };
}

function home(passwd: Map<string, PasswdEntry>, uid: number): { gid?: number; home?: string } {
  for (const e of passwd.values()) if (e.uid === uid) return { gid: e.gid, home: e.home };
  return {};
}

export function userFindings(u: DefaultUser): Finding[] {
  if (u.root)
    return [
      {
        id: 'DL-USER-ROOT',
        severity: 'high',
        title:
          u.how === 'unset'
            ? 'no default user: the container runs as root'
            : `default user ${JSON.stringify(u.raw)} is root (uid 0)`,
        hint: 'set a numeric non-root user (USER 65532, distill variant :nonroot) and runAsNonRoot: true',
      },
    ];
  if (u.how === 'unknown')
    return [
      {
        id: 'DL-USER-UNKNOWN',
        severity: 'medium',
        title: `default user ${JSON.stringify(u.raw)} is not in the image's /etc/passwd: the container will not start`,
        hint: 'use a numeric uid (65532) or add the user to /etc/passwd',
      },
    ];
  if (u.how !== 'numeric')
    return [
      {
        id: 'DL-USER-NAMED',
        severity: 'low',
        title: `default user ${JSON.stringify(u.raw)} is a name (uid ${u.uid}): the kubelet cannot verify runAsNonRoot`,
        hint: 'write the user as a number (USER 65532)',
      },
    ];
  return [];
}
