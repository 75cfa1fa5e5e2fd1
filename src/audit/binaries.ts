/**
 * Programs an attacker uses after a break-in: shells, package managers, network tools, and
 * interpreters the image does not need. A program is a regular file, symlink or hardlink in a
 * `bin`/`sbin` directory (or /busybox), matched by name.
 *
 * busybox is one finding, not one per applet: its links (`/busybox/sh -> /busybox/busybox`, or
 * `/bin/sh -> busybox`) are the same binary, and any link to busybox named sh makes it a shell.
 * In a debug image (busybox under /busybox) that shell is `expected`.
 *
 * Interpreters (python, perl, ruby, node, java): the image's program is the entrypoint's first
 * word (else Cmd's), followed through symlinks. Its family is expected; every other family is
 * reported (medium). When the program is itself a shell or there is none, no family is expected —
 * a full distro's perl is then reported, as it should be.
 */
import { posix } from 'node:path';
import type { FileEntry, Finding } from '../scan/index.ts';
import type { AuditContext } from './types.ts';

/** Program names that are shells (busybox is judged by its applets). */
export const SHELLS: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'mksh',
  'csh',
  'tcsh',
  'fish',
]);
/** Program names of package managers, OS ones first, then language ones. */
export const PACKAGE_MANAGERS: ReadonlySet<string> = new Set([
  'apt',
  'apt-get',
  'aptitude',
  'dpkg',
  'apk',
  'rpm',
  'yum',
  'dnf',
  'microdnf',
  'pip',
  'pip3',
  'npm',
  'npx',
  'yarn',
  'pnpm',
  'gem',
]);
const NETWORK_TOOLS = new Set([
  'curl',
  'wget',
  'nc',
  'ncat',
  'netcat',
  'ssh',
  'scp',
  'sftp',
  'telnet',
  'socat',
]);
const INTERPRETERS: [family: string, re: RegExp][] = [
  ['python', /^python\d*(\.\d+)?$/],
  ['perl', /^perl(\d+(\.\d+)*)?$/],
  ['ruby', /^ruby\d*(\.\d+)?$/],
  ['node', /^(node|nodejs)$/],
  ['java', /^java$/],
];

const isProgramDir = (dir: string) => /(^|\/)s?bin$/.test(dir) || dir === '/busybox';

/** Follows symlinks (and hardlinks) to the final path, at most 16 hops. */
export function resolveLink(files: ReadonlyMap<string, FileEntry>, path: string): string {
  let p = path;
  for (let i = 0; i < 16; i++) {
    const e = files.get(p) ?? files.get(resolveDirs(files, p));
    if (!e) return p;
    if (e.type === 'symlink' && e.linkname !== undefined)
      p = posix.normalize(
        e.linkname.startsWith('/') ? e.linkname : posix.join(posix.dirname(e.path), e.linkname),
      );
    else if (e.type === 'hardlink' && e.linkname) p = e.linkname;
    else return e.path;
  }
  return p;
}

/** `/bin/sh` when /bin is a symlink to usr/bin → `/usr/bin/sh`. */
function resolveDirs(files: ReadonlyMap<string, FileEntry>, path: string): string {
  const parts = path.split('/').filter(Boolean);
  let cur = '';
  for (let i = 0; i < parts.length - 1; i++) {
    cur = `${cur}/${parts[i]}`;
    const e = files.get(cur);
    if (e?.type === 'symlink' && e.linkname !== undefined)
      cur = posix.normalize(
        e.linkname.startsWith('/') ? e.linkname : posix.join(posix.dirname(cur), e.linkname),
      );
  }
  return `${cur}/${parts[parts.length - 1]}`;
}

const familyOf = (name: string) => INTERPRETERS.find(([, re]) => re.test(name))?.[0];

/** The interpreter family the image runs, from its entrypoint (see the file comment). */
export function expectedFamily(ctx: AuditContext): string | undefined {
  const prog = ctx.entrypoint[0];
  if (!prog) return undefined;
  const path = prog.startsWith('/') ? resolveLink(ctx.files.files, prog) : prog;
  return familyOf(posix.basename(path)) ?? familyOf(posix.basename(prog));
}

export function binaryFindings(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  const files = ctx.files.files;
  const expected = expectedFamily(ctx);
  const busybox = new Map<string, { entry: FileEntry; applets: string[] }>();
  for (const e of files.values()) {
    if (e.type !== 'file' && e.type !== 'symlink' && e.type !== 'hardlink') continue;
    const dir = posix.dirname(e.path);
    if (!isProgramDir(dir)) continue;
    const name = posix.basename(e.path);
    const target = e.type === 'file' ? e.path : resolveLink(files, e.path);
    if (posix.basename(target) === 'busybox' && files.get(target)?.type === 'file') {
      const b = busybox.get(target) ?? { entry: files.get(target) as FileEntry, applets: [] };
      if (target !== e.path) b.applets.push(name);
      busybox.set(target, b);
      continue;
    }
    const at = { path: e.path, layer: e.layer };
    if (SHELLS.has(name))
      out.push({
        id: 'DL-SHELL',
        severity: 'high',
        title: `shell ${name}`,
        ...at,
        hint: 'remove the shell: build on a distroless base (no shell), and run commands in exec form',
      });
    else if (PACKAGE_MANAGERS.has(name))
      out.push({
        id: 'DL-PACKAGE-MANAGER',
        severity: 'high',
        title: `package manager ${name}`,
        ...at,
        hint: 'install packages at build time and ship no package manager (distill base/build do)',
      });
    else if (NETWORK_TOOLS.has(name))
      out.push({
        id: 'DL-NETWORK-TOOL',
        severity: 'medium',
        title: `network tool ${name}`,
        ...at,
        hint: 'remove it: an attacker uses it to fetch tools or move data out',
      });
    else {
      const family = familyOf(name);
      if (family && family !== expected)
        out.push({
          id: 'DL-INTERPRETER',
          severity: 'medium',
          title: `${family} interpreter ${name}${expected ? ` in a ${expected} image` : ''}`,
          ...at,
          hint: 'remove interpreters the application does not run on; they execute whatever an attacker writes',
        });
    }
  }
  for (const [path, b] of busybox) {
    const shell = b.applets.some((a) => SHELLS.has(a));
    const expectedShell = ctx.debug && path.startsWith('/busybox/');
    // The applets that matter first (sh, wget, nc, …), then the rest by name.
    const notable = (a: string) => (SHELLS.has(a) || NETWORK_TOOLS.has(a) || PACKAGE_MANAGERS.has(a) ? 0 : 1);
    b.applets.sort((x, y) => notable(x) - notable(y) || (x < y ? -1 : x > y ? 1 : 0));
    const shown = b.applets.slice(0, 8).join(', ');
    out.push({
      id: shell ? 'DL-SHELL' : 'DL-BUSYBOX',
      severity: shell ? 'high' : 'medium',
      title: `busybox${shell ? ' shell' : ''} with ${b.applets.length} applet links${shown ? ` (${shown}${b.applets.length > 8 ? ', …' : ''})` : ''}`,
      path,
      layer: b.entry.layer,
      hint: expectedShell
        ? 'expected in a :debug image; deploy the non-debug variant'
        : 'remove busybox: it is a shell and a toolbox (wget, nc, …) in one binary',
      ...(expectedShell ? { expected: true } : {}),
    });
  }
  return out;
}
