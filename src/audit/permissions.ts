/**
 * File modes that matter at run time: setuid/setgid files (what allowPrivilegeEscalation: false
 * exists to block), world-writable files and directories (sticky directories such as /tmp are
 * fine, and so is anything below /tmp, /var/tmp and /dev/shm), and the seed's read-only root.
 *
 * Read-only root (`readOnlyRootFilesystem: true`): the declared writable directories are
 * distill.yaml's `writable` (carried in the label WRITABLE_LABEL, a JSON array) and the image's
 * VOLUMEs; each needs a volume mount (info). A directory the runtime user owns or may write
 * (owner, group or world write; outside the declared ones, its home and the temp dirs) says the application writes there:
 * with a read-only root it cannot (DL-WRITABLE-UNDECLARED, medium — what `--policy seed` fails on).
 */
import { WRITABLE_LABEL } from '../assemble/index.ts';
import type { FileEntry, Finding } from '../scan/index.ts';
import type { AuditContext } from './types.ts';

const TEMP = ['/tmp', '/var/tmp', '/dev/shm', '/run/lock'];
const below = (p: string, dirs: readonly string[]) =>
  dirs.some((d) => {
    const w = d.replace(/\/+$/, '') || '/';
    return w === '/' || p === w || p.startsWith(`${w}/`);
  });

export function setuidFindings(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const e of ctx.files.files.values()) {
    if (e.type !== 'file') continue;
    if (e.mode & 0o4000)
      out.push({
        id: 'DL-SETUID',
        severity: 'high',
        title: `setuid file (owner uid ${e.uid}, mode ${octal(e.mode)})`,
        path: e.path,
        layer: e.layer,
        hint: 'remove the file or its setuid bit (chmod u-s); run with allowPrivilegeEscalation: false',
      });
    else if (e.mode & 0o2000)
      out.push({
        id: 'DL-SETGID',
        severity: 'medium',
        title: `setgid file (group gid ${e.gid}, mode ${octal(e.mode)})`,
        path: e.path,
        layer: e.layer,
        hint: 'remove the file or its setgid bit (chmod g-s); run with allowPrivilegeEscalation: false',
      });
  }
  return out;
}

export function worldWritableFindings(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const e of ctx.files.files.values()) {
    if (e.type === 'symlink' || e.type === 'hardlink' || !(e.mode & 0o002)) continue;
    if (e.type === 'dir' && e.mode & 0o1000) continue;
    if (below(e.path, TEMP) || e.path.startsWith('/dev/') || e.path.startsWith('/proc/')) continue;
    out.push({
      id: 'DL-WORLD-WRITABLE',
      severity: 'medium',
      title: `world-writable ${e.type === 'dir' ? 'directory' : 'file'} (mode ${octal(e.mode)})`,
      path: e.path,
      layer: e.layer,
      hint: 'drop the o+w bit; give the runtime user its own directory (distill.yaml writable:)',
    });
  }
  return out;
}

/** distill.yaml's writable dirs as the image carries them, plus its VOLUMEs. */
export function declaredWritable(ctx: AuditContext): string[] {
  let fromLabel: string[] = [];
  const raw = ctx.labels[WRITABLE_LABEL];
  if (raw) {
    try {
      const v = JSON.parse(raw);
      if (Array.isArray(v)) fromLabel = v.filter((x): x is string => typeof x === 'string');
    } catch {
      // A label someone else wrote: not distill's, so nothing declared.
    }
  }
  return [...new Set([...fromLabel, ...ctx.volumes])].sort();
}

const writableBy = (e: FileEntry, uid: number, gids: readonly number[]) =>
  (e.uid === uid && (e.mode & 0o200) !== 0) ||
  (gids.includes(e.gid) && (e.mode & 0o020) !== 0) ||
  ((e.mode & 0o002) !== 0 && (e.mode & 0o1000) === 0);

export function writableRootFindings(ctx: AuditContext, home?: string, gid?: number): Finding[] {
  const out: Finding[] = [];
  const declared = declaredWritable(ctx);
  for (const d of declared)
    out.push({
      id: 'DL-WRITABLE-DECLARED',
      severity: 'info',
      title:
        'declared writable directory: mount a volume here (emptyDir) when the root filesystem is read-only',
      path: d,
      ...(ctx.files.files.get(d) ? { layer: (ctx.files.files.get(d) as FileEntry).layer } : {}),
      hint: 'readOnlyRootFilesystem: true needs a volume at each declared writable directory',
    });
  const uid = ctx.user.uid;
  if (uid === undefined || uid === 0) return out;
  const gids = gid === undefined ? [uid] : [gid];
  for (const e of ctx.files.files.values()) {
    if (e.type !== 'dir' || !writableBy(e, uid, gids)) continue;
    if (below(e.path, declared) || below(e.path, TEMP) || e.path.startsWith('/dev')) continue;
    if (home && home !== '/' && below(e.path, [home])) continue;
    out.push({
      id: 'DL-WRITABLE-UNDECLARED',
      severity: 'medium',
      title: `directory writable by the runtime user ${uid} but not declared writable: fails with a read-only root filesystem`,
      path: e.path,
      layer: e.layer,
      hint: 'declare it in distill.yaml writable: (and mount a volume there), or make it root-owned',
    });
  }
  return out;
}

const octal = (m: number) => `0${m.toString(8)}`;
