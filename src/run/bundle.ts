/**
 * A container's OCI bundle under `bundleDir(id)`: config.json, and as root `rootfs/`, an overlay
 * whose only lower layer is the cached chain and whose upper layer is `upper/` in the bundle. The
 * container sees its root read-only either way; the overlay is there so that runc's mount points
 * (a --volume target the image lacks, /etc/hosts for --network host) are made in the bundle and
 * never in the shared cache. Rootless, there is no overlay (unprivileged overlay mounts need the
 * runtime's own user namespace): the bundle points at the cached chain, and runc makes any missing
 * mount point there, as an empty directory or file.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunError } from './errors.ts';

/** Whether `path` is a mount point (from /proc/self/mountinfo). */
async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  // Field 5 is the mount point, with spaces etc. octal-escaped.
  const esc = path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return info.split('\n').some((l) => l.split(' ')[4] === esc);
}

/** Creates the bundle directory with its root filesystem; returns the `root.path` for config.json. */
export async function prepareBundle(bundle: string, chain: string, overlay: boolean): Promise<string> {
  await mkdir(bundle, { recursive: true, mode: 0o700 });
  if (!overlay) return chain;
  for (const d of ['rootfs', 'upper', 'work']) await mkdir(join(bundle, d), { recursive: true });
  if (/[,:\\]/.test(chain + bundle))
    throw new RunError('RUN_RUNC_FAILED', `cannot overlay ${chain} at ${bundle}: a path has , : or \\ in it`);
  const r = spawnSync(
    'mount',
    [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${chain},upperdir=${join(bundle, 'upper')},workdir=${join(bundle, 'work')}`,
      join(bundle, 'rootfs'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    throw new RunError(
      'RUN_RUNC_FAILED',
      `cannot mount the container's overlay root: ${(r.stderr || String(r.error)).trim()}`,
    );
  return 'rootfs';
}

/** Writes config.json into the bundle. */
export async function writeSpec(bundle: string, spec: Record<string, unknown>): Promise<void> {
  await writeFile(join(bundle, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
}

/** Unmounts the bundle's overlay (if mounted) and, with `remove`, deletes the bundle. */
export async function releaseBundle(bundle: string, remove: boolean): Promise<void> {
  const root = join(bundle, 'rootfs');
  if (await isMountPoint(root)) {
    const r = spawnSync('umount', [root], { encoding: 'utf8' });
    if (r.status !== 0) spawnSync('umount', ['-l', root]);
  }
  if (remove) await rm(bundle, { recursive: true, force: true });
}
