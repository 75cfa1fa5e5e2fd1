/**
 * Test helper: real binaries of another architecture, from Debian packages fetched with the host's
 * own apt sources into a private apt state (the host's package lists and dpkg are left alone),
 * extracted with dpkg-deb into a cached directory. Tests call it and skip (or fail under CI=true)
 * with the message it returns when apt-get, dpkg-deb or the archive is out of reach.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ForeignRoot = { root: string; debs: string[] } | { skip: string };

function run(cmd: string, args: string[], cwd?: string): string | undefined {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (r.error) return `${cmd}: ${r.error.message}`;
  if (r.status !== 0)
    return `${cmd} ${args.slice(-3).join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).slice(-400)}`;
  return undefined;
}

/** Whether `cmd` is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Where the downloads are kept between runs. */
export function testDebsCache(): string {
  return process.env.DISTILL_TEST_DEBS ?? join(tmpdir(), 'distill-test-debs');
}

/** The host's Debian codename (VERSION_CODENAME in /etc/os-release). */
function hostCodename(): string | undefined {
  try {
    return /^VERSION_CODENAME=(\w+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * The apt sources of the host, copied so a private apt state can use them; with `suite`, the host's
 * codename in them is replaced (bookworm, bookworm-updates, bookworm-security → trixie, ...).
 */
async function sourceParts(into: string, suite?: string): Promise<number> {
  await mkdir(into, { recursive: true });
  const codename = hostCodename();
  const rewrite = (text: string) =>
    suite && codename && suite !== codename
      ? text.replace(new RegExp(`\\b${codename}\\b`, 'g'), suite)
      : text;
  let n = 0;
  const files: Array<[string, string]> = [];
  const dir = '/etc/apt/sources.list.d';
  for (const f of existsSync(dir) ? await readdir(dir) : [])
    if (f.endsWith('.sources') || f.endsWith('.list')) files.push([join(dir, f), f]);
  if (existsSync('/etc/apt/sources.list')) files.push(['/etc/apt/sources.list', 'host.list']);
  for (const [from, name] of files) {
    await writeFile(join(into, name), rewrite(readFileSync(from, 'utf8')));
    n++;
  }
  return n;
}

/**
 * Downloads `packages` for Debian architecture `arch` (from the host's release, or `suite`) and
 * extracts them into one directory.
 * Reuses an earlier result; safe when several test processes ask at once (each works in a
 * temporary directory and renames it into place).
 */
export async function foreignDebsRoot(
  arch: string,
  packages: string[],
  opts: { suite?: string } = {},
): Promise<ForeignRoot> {
  for (const c of ['apt-get', 'dpkg-deb'])
    if (!have(c)) return { skip: `${c} is missing (package apt / dpkg)` };
  const key = createHash('sha256')
    .update(`${arch}\n${opts.suite ?? ''}\n${[...packages].sort().join('\n')}`)
    .digest('hex')
    .slice(0, 16);
  const base = testDebsCache();
  const final = join(base, `${opts.suite ?? 'host'}-${arch}-${key}`);
  if (existsSync(join(final, 'done'))) {
    const debs = (await readdir(join(final, 'debs'))).filter((f) => f.endsWith('.deb'));
    return { root: join(final, 'root'), debs: debs.map((d) => join(final, 'debs', d)) };
  }
  await mkdir(base, { recursive: true });
  const work = await mkdtemp(join(base, `.work-${arch}-`));
  try {
    const state = join(work, 'apt');
    for (const d of ['lists/partial', 'cache/archives/partial'])
      await mkdir(join(state, d), { recursive: true });
    if ((await sourceParts(join(state, 'sources'), opts.suite)) === 0)
      return { skip: 'the host has no apt sources' };
    const aptOpts = [
      '-q',
      '-o',
      `Dir::State::Lists=${join(state, 'lists')}`,
      '-o',
      `Dir::Cache=${join(state, 'cache')}`,
      '-o',
      `Dir::State::status=${join(state, 'status')}`,
      '-o',
      `APT::Architecture=${arch}`,
      '-o',
      `APT::Architectures::=${arch}`,
      '-o',
      'Dir::Etc::SourceList=/dev/null',
      '-o',
      `Dir::Etc::SourceParts=${join(state, 'sources')}`,
      '-o',
      'APT::Sandbox::User=root',
    ];
    await writeFile(join(state, 'status'), '');
    const debsDir = join(work, 'debs');
    await mkdir(debsDir);
    // An index of one suite may be mid-sync on the mirror; the download below says if it mattered.
    const updateFailed = run('apt-get', [...aptOpts, 'update']);
    const failed = run('apt-get', [...aptOpts, 'download', ...packages.map((p) => `${p}:${arch}`)], debsDir);
    if (failed) return { skip: `cannot download ${arch} packages: ${failed} ${updateFailed ?? ''}` };
    const debs = (await readdir(debsDir)).filter((f) => f.endsWith('.deb')).sort();
    const root = join(work, 'root');
    await mkdir(root);
    for (const d of debs) {
      const bad = run('dpkg-deb', ['-x', join(debsDir, d), root]);
      if (bad) return { skip: bad };
    }
    await rm(state, { recursive: true, force: true });
    await writeFile(join(work, 'done'), '');
    try {
      await rename(work, final);
    } catch {
      // Another process got there first: use its copy.
    }
    const kept = (await readdir(join(final, 'debs'))).filter((f) => f.endsWith('.deb'));
    return { root: join(final, 'root'), debs: kept.map((d) => join(final, 'debs', d)) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Packages the ELF and ld.so.cache tests take from arm64. */
export const ARM64_PACKAGES = [
  'libc6',
  'libc-bin',
  'zlib1g',
  'libssl3',
  'busybox-static',
  'libstdc++6',
  'libgcc-s1',
  'libffi8',
  'libsqlite3-0',
];
/** Packages the ELF tests take from i386. */
export const I386_PACKAGES = ['libc6', 'zlib1g'];
