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

/** `mount -t overlay` of `lower` with `upper`/`work` at `target`; the mount error, or undefined. */
function mountOverlay(lower: string, upper: string, work: string, target: string): string | undefined {
  const r = spawnSync(
    'mount',
    ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, target],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? undefined : (r.stderr || String(r.error)).trim();
}

/**
 * Creates the bundle directory with its root filesystem; returns the `root.path` for config.json.
 * The upper layer lives in the bundle (`upper/`); where the bundle's own filesystem cannot carry
 * one — overlayfs itself, when distill runs inside a container — it lives on a tmpfs mounted at
 * `scratch/` in the bundle, and the container's writes go when the bundle is released.
 */
export async function prepareBundle(bundle: string, chain: string, overlay: boolean): Promise<string> {
  await mkdir(bundle, { recursive: true, mode: 0o700 });
  if (!overlay) return chain;
  for (const d of ['rootfs', 'upper', 'work']) await mkdir(join(bundle, d), { recursive: true });
  if (/[,:\\]/.test(chain + bundle))
    throw new RunError('RUN_RUNC_FAILED', `cannot overlay ${chain} at ${bundle}: a path has , : or \\ in it`);
  const rootfs = join(bundle, 'rootfs');
  const failed = mountOverlay(chain, join(bundle, 'upper'), join(bundle, 'work'), rootfs);
  if (!failed) return 'rootfs';
  const scratch = join(bundle, 'scratch');
  await mkdir(scratch, { recursive: true });
  const t = spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'tmpfs', scratch], { encoding: 'utf8' });
  if (t.status === 0) {
    for (const d of ['upper', 'work']) await mkdir(join(scratch, d));
    if (!mountOverlay(chain, join(scratch, 'upper'), join(scratch, 'work'), rootfs)) return 'rootfs';
    spawnSync('umount', [scratch]);
  }
  throw new RunError('RUN_RUNC_FAILED', `cannot mount the container's overlay root: ${failed}`);
}

/** Writes config.json into the bundle. */
export async function writeSpec(bundle: string, spec: Record<string, unknown>): Promise<void> {
  await writeFile(join(bundle, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
}

/** Unmounts the bundle's overlay and its tmpfs upper (if mounted) and, with `remove`, deletes the bundle. */
export async function releaseBundle(bundle: string, remove: boolean): Promise<void> {
  for (const m of [join(bundle, 'rootfs'), join(bundle, 'scratch')]) {
    if (!(await isMountPoint(m))) continue;
    const r = spawnSync('umount', [m], { encoding: 'utf8' });
    if (r.status !== 0) spawnSync('umount', ['-l', m]);
  }
  if (remove) await rm(bundle, { recursive: true, force: true });
}
