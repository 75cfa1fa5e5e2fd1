/**
 * Where a Python project's dependencies come from: an installed site-packages directory — the
 * one `--site-packages DIR` / `sitePackages:` names, or a virtual environment in the project
 * (.venv/ or venv/, lib/python3.X/site-packages) — or, failing that, the host's pip installing
 * the requirements for the image's Python version and platform into a scratch directory
 * (binary wheels only: nothing is compiled on the host for another Python).
 */

import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { spawnProcess as nodeSpawn } from '../../../platform/index.ts';
import { AppError } from '../../errors.ts';
import { assertInProject, resolveInProject } from '../../project-path.ts';

/** The spawn port (tests pass one running a fake pip). */
export type { SpawnFn } from '../../../platform/index.ts';

import type { SpawnFn } from '../../../platform/index.ts';

/** A site-packages directory and how it was found. */
export interface SitePackages {
  dir: string;
  reason: string;
  /** `3.13` when the directory's path says which Python it belongs to. */
  pythonVersion?: string;
}

const isDir = async (p: string) => (await stat(p).catch(() => undefined))?.isDirectory() ?? false;

/** The configured or in-project site-packages, or undefined. */
export async function findSitePackages(
  dir: string,
  configured: string | undefined,
): Promise<SitePackages | undefined> {
  if (configured) {
    // An absolute path is the --site-packages flag's (the user's own); a relative one is the
    // project's and must not lead out of it.
    const abs = isAbsolute(configured)
      ? configured
      : ((await resolveInProject(dir, configured, 'sitePackages', true))?.abs ?? resolve(dir, configured));
    if (!(await isDir(abs)))
      throw new AppError(
        'APP_PATH_INVALID',
        `site-packages ${JSON.stringify(configured)} is not a directory`,
      );
    const m = /python(\d+\.\d+)/.exec(abs);
    return {
      dir: abs,
      reason: `dependencies from ${configured} (--site-packages)`,
      ...(m ? { pythonVersion: m[1] } : {}),
    };
  }
  for (const venv of ['.venv', 'venv']) {
    const lib = join(dir, venv, 'lib');
    if (!(await isDir(lib))) continue;
    await assertInProject(dir, lib, `virtual environment ${venv}`);
    for (const name of (await readdir(lib)).sort()) {
      const m = /^python(\d+\.\d+)$/.exec(name);
      const sp = join(lib, name, 'site-packages');
      if (m && (await isDir(sp)))
        return {
          dir: sp,
          reason: `dependencies from the virtual environment ${venv}/lib/${name}/site-packages`,
          pythonVersion: m[1] as string,
        };
    }
  }
  return undefined;
}

/** Requirement lines of requirements.txt, or `dependencies = [...]` of pyproject.toml's [project]. */
export async function requirementsOf(
  dir: string,
): Promise<{ from: string; requirements: string[] } | undefined> {
  const req = await readFile(join(dir, 'requirements.txt'), 'utf8').catch(() => undefined);
  if (req !== undefined) {
    const requirements = req
      .split('\n')
      .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
      .filter(Boolean);
    return { from: 'requirements.txt', requirements };
  }
  const toml = await readFile(join(dir, 'pyproject.toml'), 'utf8').catch(() => undefined);
  if (toml === undefined) return undefined;
  // Only the [project] table's dependencies array: enough to know what to hand pip.
  const project = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? '';
  const arr = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(project)?.[1];
  const requirements = arr
    ? [...arr.matchAll(/"([^"]+)"|'([^']+)'/g)].map((m) => (m[1] ?? m[2]) as string)
    : [];
  return { from: 'pyproject.toml', requirements };
}

/** pip's platform tag for an OCI architecture (manylinux, glibc 2.17+, which Debian 12/13 satisfy). */
const PLATFORM: Record<string, string> = { amd64: 'manylinux2014_x86_64', arm64: 'manylinux2014_aarch64' };

/**
 * Installs `requirements` with the host's pip for Python `version` on `arch` into a new scratch
 * directory (removed when the process exits). Throws APP_PYTHON_DEPS_UNAVAILABLE when there is no
 * pip or the index cannot be reached, saying what to do instead.
 */
export async function pipInstall(
  requirements: readonly string[],
  version: string,
  arch: string,
  options: { spawn?: SpawnFn; env: Readonly<Record<string, string | undefined>> },
): Promise<SitePackages> {
  const platform = PLATFORM[arch];
  if (!platform)
    throw new AppError(
      'APP_PYTHON_DEPS_UNAVAILABLE',
      `no pip platform tag for ${arch}: give the dependencies with --site-packages DIR`,
    );
  const target = await mkdtemp(join(tmpdir(), 'distill-pip-'));
  process.once('exit', () => {
    void rm(target, { recursive: true, force: true });
  });
  const args = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--retries',
    '0',
    '--timeout',
    '10',
    '--target',
    target,
    '--python-version',
    version,
    '--platform',
    platform,
    '--only-binary=:all:',
    '--no-compile',
    ...requirements,
  ];
  const spawn = options.spawn ?? nodeSpawn;
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn('python3', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...options.env } as NodeJS.ProcessEnv,
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', (e) => done({ code: -1, stderr: `cannot run python3: ${e.message}` }));
    child.on('close', (c) => done({ code: c, stderr: err }));
  });
  if (code !== 0) {
    await rm(target, { recursive: true, force: true });
    const tail = stderr.trim().split('\n').slice(-3).join(' / ');
    const noPip = /No module named pip|cannot run python3/.test(stderr);
    throw new AppError(
      'APP_PYTHON_DEPS_UNAVAILABLE',
      `${requirements.length} requirement(s) to install, no site-packages given, and ${noPip ? 'pip is not available on this host' : "the host's pip could not install them (is the package index reachable?)"}: ${tail}. Give them another way: a virtual environment in the project (.venv, made with Python ${version}) or --site-packages DIR (sitePackages: in distill.yaml)`,
    );
  }
  return {
    dir: target,
    reason: `dependencies installed by the host's pip for Python ${version} on ${platform}`,
    pythonVersion: version,
  };
}
