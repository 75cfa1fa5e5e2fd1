/**
 * Paths the project names (distill.yaml `files:` sources, lockfile package folders, a jar's
 * Class-Path, `main:`) are read from the host, so each is proven to stay inside the project
 * before anything is read: no `..`, no absolute path, and no symlink — in the middle of the path
 * or at its end — that leads out of it. A hostile project must not be able to copy the host's
 * keys or `.env` files into an image. Symlinks that stay inside are fine (and are copied as
 * symlinks where the caller copies entries).
 */
import type { Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { AppError } from './errors.ts';

/** True when host path `p` is `root` or below it (both already resolved). */
export function isInside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** A project-relative path resolved on the host, proven inside the project. */
export interface ProjectPath {
  /** The project directory with its symlinks resolved. */
  root: string;
  /** The path on the host: its parent directories resolved, its last component as named. */
  abs: string;
  /** lstat of `abs` (a symlink is reported as a symlink). */
  st: Stats;
}

/**
 * Resolves `rel` (relative to project `dir`) without following a symlink out of the project.
 * The parent directories are resolved and must stay inside; a last component that is a symlink
 * is returned as one — unless `follow` (a source written with a trailing `/`), when its target
 * must be inside too and is returned instead. Missing → undefined.
 */
export async function resolveInProject(
  dir: string,
  rel: string,
  what: string,
  follow = false,
): Promise<ProjectPath | undefined> {
  const clean = posix.normalize(rel.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (isAbsolute(rel) || clean === '..' || clean.startsWith('../'))
    throw new AppError('APP_PATH_ESCAPE', `${what}: ${rel} is outside the project; name a path inside it`);
  const root = await realpath(dir);
  const parts = clean === '.' || clean === '' ? [] : clean.split('/');
  const last = parts.pop();
  let parent: string;
  try {
    parent = await realpath(join(root, ...parts));
  } catch {
    return undefined;
  }
  if (!isInside(root, parent)) throw escapeError(what, rel, parent);
  let abs = last === undefined ? root : join(parent, last);
  let st = await lstat(abs).catch(() => undefined);
  if (!st) return undefined;
  if (st.isSymbolicLink() && follow) {
    const target = await realpath(abs).catch(() => undefined);
    if (target === undefined) return undefined;
    if (!isInside(root, target)) throw escapeError(what, rel, target);
    abs = target;
    st = await lstat(abs);
  }
  return { root, abs, st };
}

/** Proves an existing host path (already joined from project-relative parts) stays inside `dir`. */
export async function assertInProject(dir: string, abs: string, what: string): Promise<string> {
  const root = await realpath(dir);
  const real = await realpath(abs);
  if (!isInside(root, real)) throw escapeError(what, relative(dir, abs), real);
  return real;
}

function escapeError(what: string, rel: string, target: string): AppError {
  return new AppError(
    'APP_PATH_ESCAPE',
    `${what}: ${rel} leads out of the project through a symlink (to ${target}); distill reads only files inside the project — copy what the image needs into it`,
  );
}

/**
 * The project-relative paths (posix) of this run's outputs that lie inside the project: an
 * `--output` or `--archive` there would otherwise be copied into the next build's image.
 */
export async function outputsInProject(dir: string, outputs: readonly string[]): Promise<string[]> {
  const root = await realpath(dir).catch(() => resolve(dir));
  const out: string[] = [];
  for (const o of outputs) {
    // The output may not exist yet: resolve its nearest existing ancestor.
    let p = resolve(o);
    const rest: string[] = [];
    let real: string | undefined;
    while (real === undefined) {
      real = await realpath(p).catch(() => undefined);
      if (real !== undefined) break;
      const up = dirname(p);
      if (up === p) break;
      rest.unshift(basename(p));
      p = up;
    }
    if (real === undefined) continue;
    const full = join(real, ...rest);
    if (!isInside(root, full) || full === root) continue;
    out.push(relative(root, full).split(sep).join('/'));
  }
  return [...new Set(out)];
}
