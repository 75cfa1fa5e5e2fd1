/**
 * `distill lock` for an application project: resolves what `distill build DIR` would install
 * (the catalogue base's packages and Node.js release, the extra Debian packages, the packages the
 * native checks add) and writes DIR/distill.lock. It runs the build without writing any image,
 * so the layers it makes are cached for the next `distill build`.
 */
import { type AppLockFile, appLockChanged, readLockJson, writeAppLock } from '../../lock/index.ts';
import { type AppBuildOptions, buildApp } from './build.ts';

export interface AppLockResult {
  path: string;
  /** True when the file was written (it was missing, stale, or resolved to something else). */
  changed: boolean;
  architectures: string[];
  /** Extra Debian packages per architecture. */
  packages: Record<string, string[]>;
}

/** Resolves and writes the project's lock; `check` only reports whether it would change. */
export async function lockApp(o: AppBuildOptions & { check?: boolean }): Promise<AppLockResult> {
  const b = await buildApp({ ...o, relock: true });
  if (b.lockChanged && !o.check) await writeAppLock(b.lockPath, b.lock);
  // --check: a lock that only lacks the InRelease digests (an older distill wrote it) still matches.
  const previous = o.check && b.lockChanged ? await readPrevious(b.lockPath) : undefined;
  const changed =
    b.lockChanged && !(previous && !appLockChanged(previous, b.lock, { missingDigests: false }));
  return {
    path: b.lockPath,
    changed,
    architectures: b.archs,
    packages: Object.fromEntries(
      Object.entries(b.lock.architectures).map(([a, x]) => [
        a,
        x.packages.map((p) => `${p.name}=${p.version}`),
      ]),
    ),
  };
}

/** The lock as it is on disk (undefined when there is none or it is not an app lock). */
async function readPrevious(path: string): Promise<AppLockFile | undefined> {
  return readLockJson<AppLockFile>(path, 'app', 'application').catch(() => undefined);
}
