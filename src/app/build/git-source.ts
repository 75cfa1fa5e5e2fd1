/**
 * Where an application's source lives, for the OCI annotations org.opencontainers.image.source,
 * .revision and .version (as `docker buildx` and ko set them): read from the project's git
 * checkout without running git — the `origin` remote's URL (credentials removed, scp-style
 * `git@host:owner/repo.git` made https), the commit HEAD names, and a tag pointing at it.
 * Not a git checkout, or unreadable: nothing (the annotations are left out).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface GitSource {
  source?: string;
  revision?: string;
  /** A tag naming HEAD's commit (`v1.2.3` → `1.2.3`). */
  version?: string;
}

const read = (p: string) => readFile(p, 'utf8').catch(() => undefined);

/** The .git directory of the checkout holding `dir` (a `.git` file points at a worktree's). */
async function gitDir(dir: string): Promise<string | undefined> {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const g = join(d, '.git');
    const st = await stat(g).catch(() => undefined);
    if (st?.isDirectory()) return g;
    if (st?.isFile()) {
      const to = /^gitdir: (.+)$/m.exec((await read(g)) ?? '')?.[1]?.trim();
      if (to) return isAbsolute(to) ? to : resolve(d, to);
    }
    if (dirname(d) === d) return undefined;
  }
}

/** A remote URL as a public https URL: no user or password, scp-style made https, no `.git`. */
export function publicRepoUrl(url: string): string | undefined {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(url);
  let u: URL;
  try {
    u = new URL(scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? `https://${scp[1]}/${scp[2]}` : url);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(u.protocol)) return undefined;
  return `https://${u.host.replace(/:\d+$/, '')}${u.pathname.replace(/\.git$/, '').replace(/\/$/, '')}`;
}

/** The commit a ref names: loose ref file, else packed-refs (a worktree's common dir too). */
async function refCommit(dirs: string[], ref: string): Promise<string | undefined> {
  for (const g of dirs) {
    const loose = (await read(join(g, ref)))?.trim();
    if (loose && /^[0-9a-f]{40,64}$/.test(loose)) return loose;
    const packed = (await read(join(g, 'packed-refs'))) ?? '';
    const m = new RegExp(`^([0-9a-f]{40,64}) ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').exec(
      packed,
    );
    if (m) return m[1];
  }
  return undefined;
}

/**
 * A tag whose commit is `commit`: lightweight (loose or packed) or annotated when packed (its
 * peeled `^` line); a loose annotated tag names a tag object, which is not read.
 */
async function tagAt(dirs: string[], commit: string): Promise<string | undefined> {
  for (const g of dirs) {
    const loose = await readdir(join(g, 'refs/tags')).catch(() => [] as string[]);
    for (const name of loose.sort())
      if ((await read(join(g, 'refs/tags', name)))?.trim() === commit) return name;
  }
  for (const g of dirs) {
    const lines = ((await read(join(g, 'packed-refs'))) ?? '').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^([0-9a-f]{40,64}) refs\/tags\/(.+)$/.exec(lines[i] as string);
      if (!m) continue;
      const peeled = /^\^([0-9a-f]{40,64})$/.exec(lines[i + 1] ?? '')?.[1];
      if ((peeled ?? m[1]) === commit) return m[2];
    }
  }
  return undefined;
}

/** The source, revision and version of the git checkout holding `dir`, as far as they can be read. */
export async function gitSource(dir: string): Promise<GitSource> {
  const g = await gitDir(dir);
  if (!g) return {};
  const common = (await read(join(g, 'commondir')))?.trim();
  const dirs = common ? [g, resolve(g, common)] : [g];
  const head = (await read(join(g, 'HEAD')))?.trim() ?? '';
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  const revision = ref ? await refCommit(dirs, ref) : /^[0-9a-f]{40,64}$/.test(head) ? head : undefined;
  let config = '';
  for (const d of dirs) config += `${(await read(join(d, 'config'))) ?? ''}\n`;
  const origin = /\[remote "origin"\][^[]*?^\s*url\s*=\s*(.+)$/m.exec(config)?.[1]?.trim();
  const source = origin ? publicRepoUrl(origin) : undefined;
  const tag = revision ? await tagAt(dirs, revision) : undefined;
  return {
    ...(source ? { source } : {}),
    ...(revision ? { revision } : {}),
    ...(tag ? { version: tag.replace(/^v(?=\d)/, '') } : {}),
  };
}
