/**
 * A lock file beside index.json so that two writers adding tags to the same layout do not lose
 * each other's tag (read-modify-write of index.json is done under it). A lock left by a process
 * that no longer runs on this host is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { OciError } from '../errors.ts';

export interface LockOptions {
  timeoutMs?: number;
  /** How to tell whether the pid in a lock file still runs; injected for tests. */
  isAlive?: (pid: number) => boolean;
}

/** Runs `fn` holding the lock file at `path`. */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const isAlive = opts.isAlive ?? processAlive;
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new OciError(
          'OCI_LAYOUT_INVALID',
          `${path} is held by another writer (process ${pid || 'unknown'}); remove it if none is running`,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
