/**
 * Which directories ldconfig scans, in order: the lines of /etc/ld.so.conf (with `include` globs,
 * read inside the image), then Debian's built-in directories /lib/<triplet>, /usr/lib/<triplet>,
 * /lib, /usr/lib. A distroless image without libc-bin has no /etc/ld.so.conf, so only the
 * built-in ones apply there — exactly what ldconfig does in that image.
 */
import { type RootFs, resolveInRoot } from './rootfs.ts';

/** Debian architecture → GNU multiarch triplet. */
export const MULTIARCH_TRIPLETS: Record<string, string> = {
  amd64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  i386: 'i386-linux-gnu',
  armhf: 'arm-linux-gnueabihf',
  armel: 'arm-linux-gnueabi',
  ppc64el: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
};

/** Debian's ldconfig built-in directories for `arch`, in the order it adds them. */
export function builtinDirs(arch: string): string[] {
  const t = MULTIARCH_TRIPLETS[arch];
  return [...(t ? [`/lib/${t}`, `/usr/lib/${t}`] : []), '/lib', '/usr/lib'];
}

/** A configured directory with where it came from (for messages). */
export interface ConfDir {
  path: string;
  from: string;
}

/** Reads a whole (small) text file from the image, following symlinks inside it. */
async function readText(fs: RootFs, path: string): Promise<string | undefined> {
  const real = await resolveInRoot(fs, path);
  if (!real) return undefined;
  const node = await fs.lstat(real);
  if (node?.type !== 'file') return undefined;
  const src = await fs.open(real);
  try {
    return (await src.read(0, Math.min(node.size ?? 1 << 20, 1 << 20))).toString('utf8');
  } finally {
    await src.close?.();
  }
}

/** fnmatch for one path component (`*`, `?`, `[...]`; a leading `.` is only matched literally). */
function componentRegExp(pat: string): RegExp {
  let re = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pat.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = pat.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(pat.startsWith('.') ? `^${re}$` : `^(?!\\.)${re}$`);
}

/** glob(3) inside the image for an absolute pattern; results sorted by bytes like glob's default. */
export async function globInRoot(fs: RootFs, pattern: string): Promise<string[]> {
  const parts = pattern.split('/').filter((p) => p !== '');
  let current = [''];
  for (const part of parts) {
    const next: string[] = [];
    const magic = /[*?[]/.test(part);
    for (const base of current) {
      if (!magic) {
        const p = `${base}/${part}`;
        const r = await resolveInRoot(fs, p);
        if (r !== undefined && (await fs.lstat(r))) next.push(p);
        continue;
      }
      const dir = await resolveInRoot(fs, base || '/');
      if (!dir || (await fs.lstat(dir))?.type !== 'dir') continue;
      const re = componentRegExp(part);
      for (const name of await fs.readdir(dir)) if (re.test(name)) next.push(`${base}/${name}`);
    }
    current = next;
  }
  return current.filter((p) => p !== '').sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** ldconfig's parse_conf over a file in the image (missing file: nothing). */
export async function readLdSoConf(
  fs: RootFs,
  file = '/etc/ld.so.conf',
  warn: (m: string) => void = () => {},
  depth = 0,
): Promise<ConfDir[]> {
  if (depth > 16) {
    warn(`${file}: includes nest too deeply; ignored`);
    return [];
  }
  const text = await readText(fs, file);
  if (text === undefined) return [];
  const out: ConfDir[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).replace(/#.*$/, '').replace(/^\s+/, '');
    if (line === '') continue;
    const from = `${file}:${n + 1}`;
    if (/^include[ \t]/.test(line)) {
      for (const pat of line.slice(8).split(/[ \t]/)) {
        if (pat === '') continue;
        if (!pat.startsWith('/')) {
          warn(`${from}: include of a relative pattern ${pat} ignored (ldconfig -r refuses it)`);
          continue;
        }
        for (const f of await globInRoot(fs, pat)) out.push(...(await readLdSoConf(fs, f, warn, depth + 1)));
      }
    } else if (/^hwcap[ \t]/i.test(line)) {
      warn(`${from}: hwcap directive ignored`);
    } else {
      const path = line.replace(/\s+$/, '').replace(/\/+$/, '');
      if (path !== '') out.push({ path, from });
    }
  }
  return out;
}

/** The directories ldconfig would scan in this image: /etc/ld.so.conf's, then the built-in ones. */
export async function ldconfigDirs(fs: RootFs, arch: string, warn?: (m: string) => void): Promise<ConfDir[]> {
  const conf = await readLdSoConf(fs, '/etc/ld.so.conf', warn);
  return [...conf, ...builtinDirs(arch).map((path) => ({ path, from: '<builtin>' }))];
}
