/**
 * npm's lockfile (package-lock.json v2/v3, or node_modules/.package-lock.json): the installed
 * package folders of the production dependency tree — every `packages` entry below
 * node_modules that is not `dev: true` (npm ci --omit=dev leaves out exactly those).
 */
import { AppError } from '../../errors.ts';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  link?: boolean;
  resolved?: string;
}

/** A production package folder, relative to the project (`node_modules/express`). */
export interface ProdPackage {
  path: string;
  optional: boolean;
  /** A workspace link (`link: true`): its target is part of the project. */
  link: boolean;
  resolved?: string;
}

/** Production packages from lockfile text; throws APP_NODE_PROJECT_INVALID on an old or broken lockfile. */
export function productionPackages(text: string, file: string): ProdPackage[] {
  let lock: { lockfileVersion?: number; packages?: Record<string, LockEntry> };
  try {
    lock = JSON.parse(text);
  } catch (e) {
    throw new AppError('APP_NODE_PROJECT_INVALID', `${file} is not JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!lock.packages)
    throw new AppError(
      'APP_NODE_PROJECT_INVALID',
      `${file} has no "packages" (lockfileVersion ${lock.lockfileVersion ?? '?'}); run \`npm install\` with npm 7 or newer to update it`,
    );
  const out: ProdPackage[] = [];
  for (const [path, e] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') && !path.includes('/node_modules/')) continue;
    if (e.dev) continue;
    // A key is a folder distill copies from the host: `node_modules/../../x` would be any folder.
    if (path.split('/').some((seg) => seg === '..' || seg === '.' || seg === '') || path.includes('\\'))
      throw new AppError(
        'APP_PATH_ESCAPE',
        `${file}: package path ${JSON.stringify(path)} is not a folder below node_modules; regenerate the lockfile with \`npm install\``,
      );
    out.push({
      path,
      optional: Boolean(e.optional || e.devOptional),
      link: Boolean(e.link),
      ...(e.resolved ? { resolved: e.resolved } : {}),
    });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
