/**
 * Which unpacked chains a container uses, recorded in the cache itself: `rootfs/.in-use/<hash of
 * the bundle path>.json` names the bundle, every chain of its image (the top one it runs from and
 * the lower ones it was made from) and the process preparing it. `distill run` writes the lease
 * before it looks for the chain, so `distill prune` — from any run root sharing the cache, as
 * another $DISTILL_RUN_ROOT or a rootless container without an overlay would — never removes a
 * chain a container is about to use or uses. A lease holds while its bundle exists or the process
 * that wrote it still runs; prune drops the others.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ProcessId, processId, stillRunning } from './processes.ts';

export interface Lease {
  /** The lease file. */
  file: string;
  /** The container's bundle directory. */
  bundle: string;
  /** chainIDs, lowest first; the last is the one the container runs from. */
  chains: string[];
  writer?: ProcessId;
}

/** The folder of leases in a rootfs store (`rootfsStore(cacheRoot)`). */
export function leaseDir(store: string): string {
  return join(store, '.in-use');
}

/** The lease file of `bundle`: one per bundle path, so a name run again replaces its old lease. */
export function leaseFile(store: string, bundle: string): string {
  return join(leaseDir(store), `${createHash('sha256').update(bundle).digest('hex').slice(0, 32)}.json`);
}

/**
 * Records that `bundle` uses `chains`. `undo` puts back what was there (the lease of an exited
 * container of the same name, whose bundle a failed run leaves as it was).
 */
export async function writeLease(
  store: string,
  bundle: string,
  chains: readonly string[],
): Promise<{ file: string; undo: () => Promise<void> }> {
  await mkdir(leaseDir(store), { recursive: true });
  const file = leaseFile(store, bundle);
  const previous = await readFile(file, 'utf8').catch(() => undefined);
  const writer = processId(process.pid);
  await writeWhole(file, JSON.stringify({ bundle, chains, ...(writer ? { writer } : {}) }));
  return {
    file,
    undo: () => (previous === undefined ? removeLease(file) : writeWhole(file, previous)),
  };
}

/** Whole or not at all: prune never reads half a lease. */
async function writeWhole(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, file);
}

export async function removeLease(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Every readable lease in the store. */
export async function readLeases(store: string): Promise<Lease[]> {
  const dir = leaseDir(store);
  const out: Lease[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue; // a lease being written (renamed into place when whole)
    const file = join(dir, name);
    try {
      const l = JSON.parse(await readFile(file, 'utf8')) as Partial<Lease>;
      if (typeof l.bundle !== 'string' || !Array.isArray(l.chains)) continue;
      out.push({
        file,
        bundle: l.bundle,
        chains: l.chains.filter((c): c is string => typeof c === 'string'),
        ...(l.writer ? { writer: l.writer } : {}),
      });
    } catch {
      // Gone since readdir (its container was removed), or not ours: left alone.
    }
  }
  return out;
}

/** Whether a lease still holds: its bundle exists, or its writer is still preparing. */
export async function leaseHolds(l: Lease): Promise<boolean> {
  if (stillRunning(l.writer)) return true;
  return access(l.bundle).then(
    () => true,
    () => false,
  );
}
