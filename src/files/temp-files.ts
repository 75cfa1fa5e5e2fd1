/**
 * Temporary files and folders of outputs and the cache (`.NAME.tmp-<pid>-<hex>` beside an
 * output, `.tmp-<pid>-<hex>` in the cache and in a layout's blobs/) never outlive their run:
 * - while one exists it is held here, and the CLI removes every held one on SIGINT, SIGTERM or
 *   SIGHUP before it exits (130, 143, 129, as a shell reports a signal);
 * - a run killed with SIGKILL cannot clean up, so the writers sweep where they write: a temporary
 *   name whose pid is no longer a running process is removed (its owner is gone), as is any temp
 *   name older than a day (the pid may have been reused), and a name without a pid from older
 *   distill versions once it is an hour old.
 * The pid and host in the name are what make the sweep safe with several runs — on this machine or
 * in other containers sharing the folder — writing to the same place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const held = new Set<string>();
// `.tmp-<pid>-<host>-<random>`: the pid says whose it is, the host (a hash of the hostname) on
// which machine or container that pid lives — another container sharing the folder has its own
// pids, so its temps are left alone until they are a day old.
const TEMP = /\.tmp-(?:(\d+)-(?:([0-9a-f]{8})-)?)?[0-9a-f]{6,}(?:\.[a-z]+)?$/;
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const DAY = 24 * 3600 * 1000;

/** A temporary name in `dir` for `base` (the final name; empty for a blob store). */
export function tempPath(dir: string, base = ''): string {
  return join(dir, `${base ? `.${base}` : ''}.tmp-${process.pid}-${HOST}-${randomBytes(6).toString('hex')}`);
}

/** Holds `path` for removal on a signal; the returned function lets go of it (after rename or rm). */
export function holdTemp(path: string): () => void {
  held.add(path);
  return () => {
    held.delete(path);
  };
}

/** Lets go of a held path (renamed into place or removed). */
export function releaseTemp(path: string): void {
  held.delete(path);
}

/** Removes every held temporary path now (synchronously: called from a signal handler). */
export function removeHeldTemps(): number {
  let n = 0;
  for (const p of held) {
    try {
      rmSync(p, { recursive: true, force: true });
      n++;
    } catch {
      // best effort: the sweep of the next run removes what is left
    }
  }
  held.clear();
  return n;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes, in `dir`, temporary names (for `base` when given, else any) left by runs that are
 * gone: see the module comment. Resolves to how many were removed; a missing dir is 0.
 */
export async function sweepTemps(dir: string, base?: string, now = Date.now()): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let n = 0;
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || (base !== undefined && !name.startsWith(base ? `.${base}.tmp-` : '.tmp-'))) continue;
    const p = join(dir, name);
    if (held.has(p)) continue;
    const pid = m[1] ? Number(m[1]) : undefined;
    const ours = m[2] === undefined || m[2] === HOST;
    const st = await lstat(p).catch(() => undefined);
    if (!st) continue;
    const age = now - st.mtimeMs;
    const stale =
      pid !== undefined && ours
        ? !alive(pid) || age > DAY
        : pid !== undefined
          ? age > DAY
          : age > 3600 * 1000;
    if (!stale) continue;
    await rm(p, { recursive: true, force: true }).catch(() => {});
    n++;
  }
  return n;
}

let installed = false;

/** Makes SIGINT/SIGTERM/SIGHUP remove the held temporary paths, then exit as a shell expects. */
export function removeTempsOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(sig, () => {
      removeHeldTemps();
      process.exit(code);
    });
  }
}
